import { verifyEd25519 } from '../ed25519'

/** pack.sig over the exact bytes of pack.json, against the issuer's `ed25519:` key. */
export function verifyPackSignature(manifestBytes: Buffer, signature: Buffer, publicKey: string): boolean {
  return verifyEd25519(publicKey, manifestBytes, signature)
}

/** pack.sig may be raw 64 bytes or base64 text of them; both are seen in the wild. */
export function decodeSignatureFile(bytes: Buffer): Buffer {
  if (bytes.length === 64) return bytes
  const text = bytes.toString('utf8').trim()
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return Buffer.from(text, 'base64')
  return bytes
}

/** Whether two `ed25519:<base64>` keys are the same key (compared as bytes, so base64 spelling does not matter). */
export function sameIssuerKey(a: string, b: string): boolean {
  const raw = (k: string) => (k.startsWith('ed25519:') ? Buffer.from(k.slice('ed25519:'.length), 'base64') : null)
  const x = raw(a)
  const y = raw(b)
  return x !== null && y !== null && x.length === 32 && x.equals(y)
}
