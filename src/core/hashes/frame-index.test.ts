import { describe, expect, it } from 'vitest'
import { HASH256_WORDS, hammingDistance } from '../../shared/pdq/hash256'
import { BkTreeIndex, LinearScanIndex } from './frame-index-alternatives'
import { FRAME_INDEX_MAX_RADIUS, FrameIndex, type FrameHashIndex, type FrameHit } from './frame-index'
import { copyWithFlips, fillRandomHashes, seededRandom } from './synthetic'

/** The answer by definition: every stored (hash, payload) within the radius, sorted. */
function bruteForce(hashes: Uint32Array, payloads: ArrayLike<number>, query: Uint32Array, qo: number, radius: number, alive?: (i: number) => boolean): FrameHit[] {
  const hits: FrameHit[] = []
  for (let i = 0; i < payloads.length; i++) {
    if (alive && !alive(i)) continue
    const distance = hammingDistance(hashes, query, i * HASH256_WORDS, qo)
    if (distance <= radius) hits.push({ payload: payloads[i]!, distance })
  }
  return hits.sort((a, b) => a.distance - b.distance || a.payload - b.payload)
}

const RADII = [0, 10, 31, 32, 63]
const PLANTED = [...Array.from({ length: 41 }, (_, d) => d), 47, 48, 62, 63, 64, 65]

/**
 * `background` uniform random hashes, then for each of `queries` query hashes one planted
 * copy at every distance in PLANTED, shuffled in among the rest.
 */
function plantedCorpus(seed: number, background: number, queries: number) {
  const rand = seededRandom(seed)
  const query = new Uint32Array(queries * HASH256_WORDS)
  fillRandomHashes(query, 0, queries, rand)
  const n = background + queries * PLANTED.length
  const hashes = new Uint32Array(n * HASH256_WORDS)
  fillRandomHashes(hashes, 0, background, rand)
  let at = background
  for (let q = 0; q < queries; q++) for (const bits of PLANTED) copyWithFlips(query, q, hashes, at++, bits, rand)
  // Shuffle entries so planted copies are not contiguous (payload = original position).
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const shuffled = new Uint32Array(n * HASH256_WORDS)
  const payloads = new Uint32Array(n)
  order.forEach((from, to) => {
    shuffled.set(hashes.subarray(from * HASH256_WORDS, (from + 1) * HASH256_WORDS), to * HASH256_WORDS)
    payloads[to] = from
  })
  return { hashes: shuffled, payloads, query, queries, background }
}

/** Videos-like data: random walks (a few bits per step) so many entries share chunk values. */
function clusteredCorpus(seed: number, clusters: number, perCluster: number) {
  const rand = seededRandom(seed)
  const n = clusters * perCluster
  const hashes = new Uint32Array(n * HASH256_WORDS)
  for (let c = 0; c < clusters; c++) {
    fillRandomHashes(hashes, c * perCluster, 1, rand)
    for (let i = 1; i < perCluster; i++) copyWithFlips(hashes, c * perCluster + i - 1, hashes, c * perCluster + i, 1 + Math.floor(rand() * 6), rand)
  }
  const payloads = Uint32Array.from({ length: n }, (_, i) => i)
  return { hashes, payloads }
}

const structures: Array<[string, (h: Uint32Array, p: Uint32Array) => FrameHashIndex]> = [
  ['multi-index hashing', (h, p) => FrameIndex.fromPacked(h, p)],
  ['multi-index hashing, half in the tail', (h, p) => {
    const index = new FrameIndex({ tailLimit: 1 << 30 })
    const half = Math.floor(p.length / 2)
    index.add(h.subarray(0, half * HASH256_WORDS), p.subarray(0, half))
    index.rebuild()
    index.add(h.subarray(half * HASH256_WORDS), p.subarray(half))
    return index
  }],
  ['linear scan', (h, p) => LinearScanIndex.fromPacked(h, p)],
  ['BK-tree', (h, p) => BkTreeIndex.fromPacked(h, p)],
]

describe.each(structures)('frame index: %s', (_name, make) => {
  const corpus = plantedCorpus(14, 20_000, 12)
  const index = make(corpus.hashes, corpus.payloads)

  it.each(RADII)('answers like a brute-force scan at radius %i (planted neighbours at 0…40 and past 63)', (radius) => {
    let found = 0
    for (let q = 0; q < corpus.queries; q++) {
      const expected = bruteForce(corpus.hashes, corpus.payloads, corpus.query, q * HASH256_WORDS, radius)
      const got = index.query(corpus.query, radius, q * HASH256_WORDS)
      expect(got).toEqual(expected)
      // The planted copies within the radius are among the hits, at their planted distance.
      const planted = PLANTED.map((distance, k) => ({ payload: corpus.background + q * PLANTED.length + k, distance })).filter((h) => h.distance <= radius)
      expect(got).toEqual(expect.arrayContaining(planted))
      found += got.length
    }
    expect(found).toBeGreaterThan(0)
  })

  it.each(RADII)('forEachWithinMany answers every query like a brute-force scan at radius %i, queries in order', (radius) => {
    const seen: number[] = []
    const got: FrameHit[][] = Array.from({ length: corpus.queries }, () => [])
    index.forEachWithinMany(corpus.query, radius, (q, payload, distance) => {
      seen.push(q)
      got[q]!.push({ payload, distance })
    })
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    for (let q = 0; q < corpus.queries; q++) {
      expect(got[q]!.sort((a, b) => a.distance - b.distance || a.payload - b.payload)).toEqual(bruteForce(corpus.hashes, corpus.payloads, corpus.query, q * HASH256_WORDS, radius))
    }
  })

  it('answers like a brute-force scan on clustered hashes (entries met through several chunks are reported once)', () => {
    const c = clusteredCorpus(7, 40, 150)
    const clustered = make(c.hashes, c.payloads)
    for (let q = 0; q < 60; q++) {
      const at = (q * 97) % c.payloads.length
      for (const radius of [0, 16, 31, 63]) {
        expect(clustered.query(c.hashes, radius, at * HASH256_WORDS)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, at * HASH256_WORDS, radius))
      }
    }
  })

  it('finds neighbours whose bits differ as evenly as the pigeonhole allows, at every radius 0…63', () => {
    // Flips dealt round-robin over chosen bit positions: over all 16 chunks, over the high
    // halves only, over the low halves only, and over one word's halves. The copy at
    // distance r sits exactly on the probing scheme's boundary; r+1 just past it.
    const positions = (halves: 'all' | 'high' | 'low' | 'word0') => {
      const out: number[] = []
      for (let k = 0; k < 16; k++) {
        for (let c = 0; c < 16; c++) {
          const high = c % 2 === 0
          if (halves === 'high' && !high) continue
          if (halves === 'low' && high) continue
          if (halves === 'word0' && c > 1) continue
          const word = c >> 1
          out.push(word * 32 + (high ? 31 - k : 15 - k))
        }
      }
      return out
    }
    const rand = seededRandom(99)
    const base = new Uint32Array(HASH256_WORDS)
    fillRandomHashes(base, 0, 1, rand)
    const stored: Uint32Array[] = []
    for (const kind of ['all', 'high', 'low', 'word0'] as const) {
      const bits = positions(kind)
      for (let d = 1; d <= 64 && d <= bits.length; d++) {
        const copy = base.slice()
        for (const bit of bits.slice(0, d)) copy[bit >> 5] = (copy[bit >> 5]! ^ (1 << (bit & 31))) >>> 0
        stored.push(copy)
      }
    }
    const background = new Uint32Array(2000 * HASH256_WORDS)
    fillRandomHashes(background, 0, 2000, rand)
    const hashes = new Uint32Array(stored.length * HASH256_WORDS + background.length)
    stored.forEach((s, i) => hashes.set(s, i * HASH256_WORDS))
    hashes.set(background, stored.length * HASH256_WORDS)
    const payloads = Uint32Array.from({ length: hashes.length / HASH256_WORDS }, (_, i) => i)
    const idx = make(hashes, payloads)
    for (let radius = 0; radius <= FRAME_INDEX_MAX_RADIUS; radius++) {
      expect(idx.query(base, radius)).toEqual(bruteForce(hashes, payloads, base, 0, radius))
    }
  })

  it('reports each stored entry: duplicates, and one hash under several payloads', () => {
    const rand = seededRandom(3)
    const h = new Uint32Array(4 * HASH256_WORDS)
    fillRandomHashes(h, 0, 1, rand)
    h.copyWithin(8, 0, 8)
    h.copyWithin(16, 0, 8)
    copyWithFlips(h, 0, h, 3, 5, rand)
    const idx = make(h, Uint32Array.from([7, 7, 9, 11]))
    expect(idx.size).toBe(4)
    expect(idx.query(h, 0)).toEqual([{ payload: 7, distance: 0 }, { payload: 7, distance: 0 }, { payload: 9, distance: 0 }])
    expect(idx.query(h, 5)).toHaveLength(4)
    expect(idx.query(h, 4)).toHaveLength(3)
  })

  it('an empty index answers nothing', () => {
    const empty = make(new Uint32Array(0), new Uint32Array(0))
    expect(empty.size).toBe(0)
    expect(empty.query(new Uint32Array(8), 63)).toEqual([])
  })

  it('removes entries by payload, and keeps answering like a scan through compaction', () => {
    const c = clusteredCorpus(11, 20, 100)
    const idx = make(c.hashes, c.payloads)
    const gone = new Set<number>()
    // Small removals (tombstones), then enough to pass a quarter (compaction).
    for (const step of [0.05, 0.1, 0.3]) {
      idx.removeWhere((p) => {
        const drop = (p * 2654435761) % 1000 < step * 1000
        if (drop) gone.add(p)
        return drop
      })
      expect(idx.size).toBe(c.payloads.length - gone.size)
      for (let q = 0; q < 20; q++) {
        const at = q * 101
        expect(idx.query(c.hashes, 31, at * HASH256_WORDS)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, at * HASH256_WORDS, 31, (i) => !gone.has(c.payloads[i]!)))
      }
    }
    expect(idx.removeWhere(() => false)).toBe(0)
  })

  it('adds after building, and answers across built and appended entries', () => {
    const c = clusteredCorpus(5, 10, 100)
    const first = 600
    const idx = make(c.hashes.subarray(0, first * HASH256_WORDS), c.payloads.subarray(0, first))
    for (let at = first; at < c.payloads.length; at += 50) idx.add(c.hashes.subarray(at * HASH256_WORDS, (at + 50) * HASH256_WORDS), c.payloads.subarray(at, at + 50))
    expect(idx.size).toBe(c.payloads.length)
    for (let q = 0; q < c.payloads.length; q += 37) {
      expect(idx.query(c.hashes, 31, q * HASH256_WORDS)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, q * HASH256_WORDS, 31))
    }
  })

  it('refuses bad input with a clear error', () => {
    expect(() => make(new Uint32Array(7), new Uint32Array(0))).toThrow(/8 words each: got 7 words, not a multiple of 8/)
    expect(() => make(new Uint32Array(16), new Uint32Array(1))).toThrow(/2 hashes but 1 payloads/)
    expect(() => index.add(new Uint32Array(8), [-1])).toThrow(/payloads are integers/)
    expect(() => index.add(new Uint32Array(8), [1.5])).toThrow(/payloads are integers/)
    expect(() => index.add(new Uint32Array(12), [1])).toThrow(/not a multiple of 8/)
    for (const radius of [-1, 64, 1.5, Number.NaN]) expect(() => index.query(corpus.query, radius)).toThrow(/radius must be an integer from 0 to 63/)
    expect(() => index.query(new Uint32Array(7), 10)).toThrow(/needs 8 words at offset 0/)
    expect(() => index.query(corpus.query, 10, corpus.query.length - 4)).toThrow(/needs 8 words/)
    expect(index.size).toBe(corpus.payloads.length)
  })
})

describe('FrameIndex specifics', () => {
  it(`allows radius ${FRAME_INDEX_MAX_RADIUS} (the reference's MIH_MAX_D) and no more`, () => {
    const idx = FrameIndex.fromPacked(new Uint32Array(8), [1])
    expect(idx.query(new Uint32Array(8), FRAME_INDEX_MAX_RADIUS)).toEqual([{ payload: 1, distance: 0 }])
  })

  it('stays right past 255 queries (visit stamps wrap) and rebuilds its tail on its own', () => {
    const c = clusteredCorpus(9, 10, 60)
    const idx = new FrameIndex({ tailLimit: 100 })
    for (let at = 0; at < 600; at += 30) idx.add(c.hashes.subarray(at * HASH256_WORDS, (at + 30) * HASH256_WORDS), c.payloads.subarray(at, at + 30))
    for (let k = 0; k < 700; k++) {
      const at = (k * 13) % 600
      expect(idx.query(c.hashes, 20, at * HASH256_WORDS)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, at * HASH256_WORDS, 20))
    }
  })

  it('batch() defers the rebuild to its end', () => {
    const c = clusteredCorpus(2, 5, 100)
    const idx = new FrameIndex({ tailLimit: 10 })
    idx.batch(() => {
      for (let at = 0; at < 500; at += 50) idx.add(c.hashes.subarray(at * HASH256_WORDS, (at + 50) * HASH256_WORDS), c.payloads.subarray(at, at + 50))
      expect(idx.query(c.hashes, 31)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, 0, 31))
    })
    expect(idx.query(c.hashes, 31, 8 * 250)).toEqual(bruteForce(c.hashes, c.payloads, c.hashes, 8 * 250, 31))
  })

  it('forEachWithinMany: more queries than one pass holds (4,096), across built, appended and removed entries', () => {
    const c = clusteredCorpus(21, 30, 200)
    const idx = new FrameIndex({ tailLimit: 1 << 30 })
    idx.add(c.hashes.subarray(0, 4000 * HASH256_WORDS), c.payloads.subarray(0, 4000))
    idx.rebuild()
    idx.add(c.hashes.subarray(4000 * HASH256_WORDS), c.payloads.subarray(4000))
    idx.removeWhere((p) => p % 7 === 0)
    // 4,500 queries: every stored hash, then 500 of them again with 9 bits flipped.
    const rand = seededRandom(3)
    const queries = new Uint32Array(6500 * HASH256_WORDS)
    queries.set(c.hashes)
    for (let i = 0; i < 500; i++) copyWithFlips(c.hashes, (i * 11) % 6000, queries, 6000 + i, 9, rand)
    const got = new Map<number, FrameHit[]>()
    let last = -1
    idx.forEachWithinMany(queries, 31, (q, payload, distance) => {
      expect(q).toBeGreaterThanOrEqual(last)
      last = q
      if (!got.has(q)) got.set(q, [])
      got.get(q)!.push({ payload, distance })
    })
    for (let q = 0; q < 6500; q += 13) {
      const expected = bruteForce(c.hashes, c.payloads, queries, q * HASH256_WORDS, 31, (i) => c.payloads[i]! % 7 !== 0)
      expect((got.get(q) ?? []).sort((a, b) => a.distance - b.distance || a.payload - b.payload)).toEqual(expected)
    }
    expect(() => idx.forEachWithinMany(new Uint32Array(7), 31, () => {})).toThrow(/query hashes must be packed 256-bit hashes/)
    expect(() => idx.forEachWithinMany(queries, 64, () => {})).toThrow(/radius must be an integer from 0 to 63/)
    expect(() => idx.forEachWithinMany(queries.subarray(8, 16), 0, () => idx.query(queries, 0))).toThrow(/cannot start another query/)
  })

  it('forEachWithinPayloads: the live entries of a payload range against every query, pairwise, across built, appended and removed entries', () => {
    // Clusters of 40 near hashes; payload = cluster number, so each cluster is one range.
    const c = clusteredCorpus(21, 30, 40)
    const payloads = c.payloads.map((i) => Math.floor(i / 40))
    const idx = new FrameIndex({ tailLimit: 1 << 30 })
    idx.add(c.hashes.subarray(0, 600 * HASH256_WORDS), payloads.subarray(0, 600))
    idx.rebuild()
    idx.add(c.hashes.subarray(600 * HASH256_WORDS), payloads.subarray(600))
    idx.removeWhere((p) => p % 7 === 3) // 4 of 30 clusters: no compaction
    const rand = seededRandom(22)
    const queries = new Uint32Array(50 * HASH256_WORDS)
    for (let q = 0; q < 50; q++) copyWithFlips(c.hashes, Math.floor(rand() * 1200), queries, q, Math.floor(rand() * 30), rand)
    for (const [from, to] of [[0, 1], [2, 5], [3, 4], [10, 11], [14, 30], [0, 30], [29, 31], [40, 50], [5, 5]] as const) {
      const got: Array<[number, number, number]> = []
      idx.forEachWithinPayloads(queries, 31, from, to, (q, payload, distance) => got.push([q, payload, distance]))
      const expected: Array<[number, number, number]> = []
      for (let q = 0; q < 50; q++) {
        const alive = (i: number) => payloads[i]! >= from && payloads[i]! < to && payloads[i]! % 7 !== 3
        for (const hit of bruteForce(c.hashes, payloads, queries, q * HASH256_WORDS, 31, alive)) expected.push([q, hit.payload, hit.distance])
      }
      // Queries in ascending order, as forEachWithinMany gives them.
      expect(got.map(([q]) => q)).toEqual([...got.map(([q]) => q)].sort((a, b) => a - b))
      const order = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1]
      expect(got.sort(order)).toEqual(expected.sort(order))
      if (from === 0 && to === 30) expect(got.length).toBeGreaterThan(50)
    }
    // After a compaction, the same.
    idx.removeWhere((p) => p < 8)
    const all: number[] = []
    idx.forEachWithinPayloads(queries, 31, 0, 31, (_q, payload) => all.push(payload))
    expect(all.length).toBeGreaterThan(0)
    expect(all.every((p) => p >= 8 && p % 7 !== 3)).toBe(true)
    expect(() => idx.forEachWithinPayloads(new Uint32Array(7), 31, 0, 1, () => {})).toThrow(/query hashes must be packed 256-bit hashes/)
    expect(() => idx.forEachWithinPayloads(queries, 64, 0, 1, () => {})).toThrow(/radius must be an integer from 0 to 63/)
    expect(() => idx.forEachWithinPayloads(queries, 31, -1, 1, () => {})).toThrow(/fromPayload is -1: a payload range is integers from 0 to 4294967296/)
    expect(() => idx.forEachWithinPayloads(queries, 31, 0, 1.5, () => {})).toThrow(/toPayload is 1.5/)
    expect(() => idx.forEachWithinPayloads(queries, 31, 0, 30, () => idx.query(queries, 0))).toThrow(/cannot start another query/)
  })

  it('remaps the payloads of deleted entries too, so an order kept in them holds for every entry', () => {
    const c = clusteredCorpus(4, 3, 50)
    const idx = new FrameIndex({ tailLimit: 1 << 30 })
    idx.add(c.hashes, c.payloads)
    idx.removeWhere((p) => p >= 40 && p < 60)
    const seen: number[] = []
    idx.remapPayloads((p) => {
      seen.push(p)
      return p < 40 ? p : p < 60 ? 40 : p - 20
    })
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i))
    // Payloads 40…129 now: the deleted entries carry 40 as the first live one after them, and are never met.
    // The hashes of entries 40…60 as queries: only entry 60 (now payload 40) is live.
    const got: Array<[number, number, number]> = []
    idx.forEachWithinPayloads(c.hashes.subarray(40 * HASH256_WORDS, 61 * HASH256_WORDS), 0, 40, 41, (q, p, d) => got.push([q, p, d]))
    expect(got).toEqual([[20, 40, 0]])
  })

  it('renumbers payloads in place', () => {
    const c = clusteredCorpus(4, 3, 50)
    const idx = FrameIndex.fromPacked(c.hashes, c.payloads)
    idx.removeWhere((p) => p === 3)
    idx.remapPayloads((p) => p + 1000)
    expect(idx.query(c.hashes, 63, 3 * HASH256_WORDS).map((h) => h.payload)).not.toContain(1003)
    expect(idx.query(c.hashes, 0).map((h) => h.payload)).toEqual([1000])
    expect(() => idx.remapPayloads(() => -1)).toThrow(/mapped to -1/)
  })

  it('refuses a query started from inside a visitor', () => {
    const idx = FrameIndex.fromPacked(new Uint32Array(8), [1])
    expect(() => idx.forEachWithin(new Uint32Array(8), 0, () => idx.query(new Uint32Array(8), 0))).toThrow(/cannot start another query/)
    expect(idx.query(new Uint32Array(8), 0)).toHaveLength(1)
  })

  it('holds about 134 bytes a hash', () => {
    const c = clusteredCorpus(1, 100, 200)
    const idx = FrameIndex.fromPacked(c.hashes, c.payloads)
    const perHash = (idx.memoryBytes() - 4 * (16 * 65536 + 1)) / c.payloads.length
    // 32 hash + 4 payload + 1 deleted + 1 stamp + 16 tables × (4 entry + 2 sibling half)
    expect(perHash).toBeLessThanOrEqual(134)
  })
})
