import { createPublicKey, verify, type KeyObject } from 'node:crypto'

/**
 * Ed25519 public keys in the form field packs and decision packs write them
 * (`ed25519:` + base64 of the raw 32 bytes), and checking a signature against one, with
 * Node's own crypto (OpenSSL), so no third-party signature code is in the trust path.
 */

export const PUBLIC_KEY = /^ed25519:([A-Za-z0-9+/]{43}=)$/

export function publicKeyString(key: KeyObject): string {
  const raw = Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url')
  return `ed25519:${raw.toString('base64')}`
}

/** The key in `ed25519:<base64>` form, or null when the text is not one. */
export function parsePublicKey(text: string): KeyObject | null {
  const match = PUBLIC_KEY.exec(text)
  if (!match?.[1]) return null
  const raw = Buffer.from(match[1], 'base64')
  if (raw.length !== 32) return null
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  } catch {
    return null
  }
}

// A service checks the same few devices' keys over and over; making its key object was a fifth of the time a check took.
const parsedKeys = new Map<string, KeyObject | null>()
const MAX_PARSED_KEYS = 10_000

function cachedPublicKey(text: string): KeyObject | null {
  let key = parsedKeys.get(text)
  if (key === undefined) {
    if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.clear()
    parsedKeys.set(text, (key = parsePublicKey(text)))
  }
  return key
}

/** Ed25519 over the exact bytes; false for a key or signature that is not one. */
export function verifyEd25519(publicKey: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  const key = cachedPublicKey(publicKey)
  if (!key || signature.length !== 64) return false
  return verify(null, bytes, key, signature)
}
