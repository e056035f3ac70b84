/**
 * A 256-bit perceptual hash (PDQ), in the one shape every part of Tinjau uses.
 *
 * Stored and sent as 64 lowercase hex characters, the reference implementation's text
 * form (facebook/ThreatExchange pdq: sixteen 16-bit words, the most significant word
 * first), so hashes from hash-sharing programmes compare with ours as they are. In memory
 * it is eight 32-bit words, `words[0]` holding the first eight hex characters: Hamming
 * distance is then eight XORs and popcounts, which is what matching spends its time on.
 */

export const HASH256_WORDS = 8
export const HASH256_HEX = /^[0-9a-f]{64}$/

/** The 64-hex text form; throws saying what is wrong, never guesses. */
export function parseHash256(hex: string): Uint32Array {
  if (typeof hex !== 'string' || !HASH256_HEX.test(hex)) {
    const shown = typeof hex === 'string' ? JSON.stringify(hex.length > 80 ? `${hex.slice(0, 80)}…` : hex) : typeof hex
    throw new Error(`not a 256-bit hash: expected 64 lowercase hex characters, got ${shown}`)
  }
  const words = new Uint32Array(HASH256_WORDS)
  for (let i = 0; i < HASH256_WORDS; i++) words[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16)
  return words
}

export function formatHash256(words: Uint32Array, offset = 0): string {
  let out = ''
  for (let i = 0; i < HASH256_WORDS; i++) out += (words[offset + i]! >>> 0).toString(16).padStart(8, '0')
  return out
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/**
 * Bits that differ between the hash at `a[aOffset…]` and the one at `b[bOffset…]`; the
 * offsets let a packed array of many hashes be compared without copying.
 */
export function hammingDistance(a: Uint32Array, b: Uint32Array, aOffset = 0, bOffset = 0): number {
  let d = 0
  for (let i = 0; i < HASH256_WORDS; i++) d += popcount32(a[aOffset + i]! ^ b[bOffset + i]!)
  return d
}
