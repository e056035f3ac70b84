import { describe, expect, it } from 'vitest'
import { formatHash256, hammingDistance, parseHash256, popcount32 } from './hash256'

describe('256-bit hashes', () => {
  const hex = 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22'

  it('round-trips the reference text form, first hex characters in the first word', () => {
    const words = parseHash256(hex)
    expect(words[0]).toBe(0xd8f8f0cc)
    expect(words[7]).toBe(0x4e9c9b22)
    expect(formatHash256(words)).toBe(hex)
  })

  it('counts bits like a bit-by-bit count would', () => {
    for (const x of [0, 1, 0x80000000, 0xffffffff, 0x12345678, 0xdeadbeef]) {
      const slow = [...(x >>> 0).toString(2)].filter((c) => c === '1').length
      expect(popcount32(x)).toBe(slow)
    }
  })

  it('measures Hamming distance, also between hashes packed in one array', () => {
    const a = parseHash256(hex)
    const flipped = '27070f331f0b57b0f1c8f5ddfd70980f4c91d12a699dc1e2cc194c63b16364dd'
    expect(hammingDistance(a, parseHash256(flipped))).toBe(256)
    expect(hammingDistance(a, a)).toBe(0)
    const packed = new Uint32Array(16)
    packed.set(parseHash256(hex), 8)
    packed[15]! ^= 0b1011
    expect(hammingDistance(a, packed, 0, 8)).toBe(3)
  })

  it('refuses text that is not a hash, saying what it got', () => {
    expect(() => parseHash256('D8F8')).toThrow(/64 lowercase hex characters, got "D8F8"/)
    expect(() => parseHash256(`${hex}0`)).toThrow(/64 lowercase hex/)
    expect(() => parseHash256(42 as unknown as string)).toThrow(/got number/)
  })
})
