/**
 * Seeded synthetic 256-bit hashes for the index tests and the benchmark: uniform random
 * hashes, and copies of a hash with an exact number of bits flipped (a near neighbour at a
 * known distance). Deterministic, so a failure reproduces.
 */
import { HASH256_WORDS } from '../../shared/pdq/hash256'

/** mulberry32: a small, fast, seeded 32-bit generator (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform random word from `rand`. */
export const randomWord = (rand: () => number) => (rand() * 4294967296) >>> 0

/** Fills `count` uniform random hashes into `out` from hash slot `at` on. */
export function fillRandomHashes(out: Uint32Array, at: number, count: number, rand: () => number): void {
  for (let i = at * HASH256_WORDS, end = (at + count) * HASH256_WORDS; i < end; i++) out[i] = randomWord(rand)
}

/**
 * Copies the hash at `src[srcAt…]` to `dst[dstAt…]` (hash slots, not words) with exactly
 * `bits` distinct bits flipped, so the copy is at Hamming distance `bits` from the source.
 */
export function copyWithFlips(src: Uint32Array, srcAt: number, dst: Uint32Array, dstAt: number, bits: number, rand: () => number): void {
  if (bits < 0 || bits > 256) throw new Error(`cannot flip ${bits} bits of a 256-bit hash`)
  const s = srcAt * HASH256_WORDS
  const d = dstAt * HASH256_WORDS
  for (let w = 0; w < HASH256_WORDS; w++) dst[d + w] = src[s + w]!
  // Partial Fisher–Yates over the 256 bit positions: `bits` distinct positions.
  const positions = new Uint16Array(256)
  for (let i = 0; i < 256; i++) positions[i] = i
  for (let i = 0; i < bits; i++) {
    const j = i + Math.floor(rand() * (256 - i))
    const bit = positions[j]!
    positions[j] = positions[i]!
    positions[i] = bit
    dst[d + (bit >>> 5)] = (dst[d + (bit >>> 5)]! ^ (1 << (bit & 31))) >>> 0
  }
}
