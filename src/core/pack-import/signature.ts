import { createPublicKey, verify } from 'node:crypto'

/**
 * Ed25519 over the exact bytes of pack.json, with Node's own crypto (OpenSSL), so no
 * third-party signature code is in the trust path.
 */
export function verifyPackSignature(manifestBytes: Buffer, signature: Buffer, publicKey: string): boolean {
  const match = /^ed25519:([A-Za-z0-9+/]{43}=)$/.exec(publicKey)
  if (!match?.[1]) return false
  const raw = Buffer.from(match[1], 'base64')
  if (raw.length !== 32 || signature.length !== 64) return false
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  return verify(null, manifestBytes, key, signature)
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
