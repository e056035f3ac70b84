import { describe, expect, it, vi } from 'vitest'
import { HASH256_WORDS } from '../../shared/pdq/hash256'
import { FrameIndex } from './frame-index'
import { copyWithFlips, fillRandomHashes, seededRandom } from './synthetic'
import {
  byStrength,
  compareVideos,
  consideredFrames,
  VideoMatchIndex,
  VPDQ_COMPARED_MATCH_PERCENT,
  VPDQ_DISTANCE_TOLERANCE,
  VPDQ_QUALITY_TOLERANCE,
  VPDQ_QUERY_MATCH_PERCENT,
  type VideoComparison,
  type VideoFrames,
} from './video-match'

const rand = seededRandom(2024)

/** `n` unrelated random frames (pairwise ~128 bits apart), quality 90. */
function randomVideo(n: number): VideoFrames {
  const hashes = new Uint32Array(n * HASH256_WORDS)
  fillRandomHashes(hashes, 0, n, rand)
  return { hashes, qualities: new Uint8Array(n).fill(90) }
}

/** Frames `from…to-1` of `v`, each with `bits` bits flipped. */
function cut(v: VideoFrames, from: number, to: number, bits = 0): VideoFrames {
  const n = to - from
  const hashes = new Uint32Array(n * HASH256_WORDS)
  for (let i = 0; i < n; i++) copyWithFlips(v.hashes, from + i, hashes, i, bits, rand)
  return { hashes, qualities: Uint8Array.from({ length: n }, (_, i) => v.qualities[from + i]!) }
}

function concat(...videos: VideoFrames[]): VideoFrames {
  const n = videos.reduce((s, v) => s + v.qualities.length, 0)
  const hashes = new Uint32Array(n * HASH256_WORDS)
  const qualities = new Uint8Array(n)
  let at = 0
  for (const v of videos) {
    hashes.set(v.hashes, at * HASH256_WORDS)
    qualities.set(Array.from(v.qualities), at)
    at += v.qualities.length
  }
  return { hashes, qualities }
}

/** The figures of a comparison that the rule defines. */
const figures = (c: VideoComparison | undefined) =>
  c && {
    video: c.video,
    q: [c.queryMatched, c.queryConsidered],
    c: [c.comparedMatched, c.comparedConsidered],
    qPct: c.queryMatchPercent,
    cPct: c.comparedMatchPercent,
    isMatch: c.isMatch,
  }

/** `match`'s second pass always pairwise with the candidates, whatever it costs. */
class PairwiseSecondPass extends VideoMatchIndex {
  protected override prefersPairwise(): boolean {
    return true
  }
}

/** `match`'s second pass always a search of the whole index. */
class IndexSecondPass extends VideoMatchIndex {
  protected override prefersPairwise(): boolean {
    return false
  }
}

describe('vPDQ defaults', () => {
  it('are the reference index matcher’s (python-threatexchange extensions/vpdq)', () => {
    expect(VPDQ_DISTANCE_TOLERANCE).toBe(31)
    expect(VPDQ_QUALITY_TOLERANCE).toBe(50)
    expect(VPDQ_QUERY_MATCH_PERCENT).toBe(80)
    expect(VPDQ_COMPARED_MATCH_PERCENT).toBe(0)
  })
})

describe('the video-match rule, by hand', () => {
  const A = randomVideo(10)
  const B = randomVideo(12)
  const index = new VideoMatchIndex()
  index.addVideos([
    { video: 1, frames: A },
    { video: 2, frames: B },
  ])

  const only = (query: VideoFrames, video = 1) => {
    const all = index.compare(query)
    const brute = compareVideos(query, video === 1 ? A : B, { video })
    // The index and the pairwise comparison agree on every figure.
    expect(figures(all.find((c) => c.video === video))).toEqual(brute.queryMatched > 0 ? figures(brute) : undefined)
    return figures(all.find((c) => c.video === video))
  }

  it('identical: 10/10 and 10/10', () => {
    expect(only(A)).toEqual({ video: 1, q: [10, 10], c: [10, 10], qPct: 100, cPct: 100, isMatch: true })
  })

  it('re-encoded (every frame 20 bits off): still 100 % both ways', () => {
    expect(only(cut(A, 0, 10, 20))).toMatchObject({ q: [10, 10], c: [10, 10], isMatch: true })
  })

  it('at the distance tolerance: 31 bits off matches, 32 does not', () => {
    expect(only(cut(A, 0, 10, 31))).toMatchObject({ q: [10, 10], isMatch: true })
    expect(only(cut(A, 0, 10, 32))).toBeUndefined()
  })

  it('trimmed at the start (frames 2…9): query 8/8 = 100 %, compared 8/10 = 80 %', () => {
    expect(only(cut(A, 2, 10, 5))).toEqual({ video: 1, q: [8, 8], c: [8, 10], qPct: 100, cPct: 80, isMatch: true })
  })

  it('a subset with new frames around it: 5 of 10 query frames = 50 %, below 80 %: no match', () => {
    const q = concat(cut(A, 5, 10, 3), randomVideo(5))
    expect(only(q)).toEqual({ video: 1, q: [5, 10], c: [5, 10], qPct: 50, cPct: 50, isMatch: false })
  })

  it('one frame off: 9/10 = 90 % both ways, a match', () => {
    const q = concat(cut(A, 0, 3), randomVideo(1), cut(A, 4, 10))
    expect(only(q)).toEqual({ video: 1, q: [9, 10], c: [9, 10], qPct: 90, cPct: 90, isMatch: true })
  })

  it('exactly at the query threshold: 4 of 5 = 80 % matches', () => {
    const q = concat(cut(A, 0, 4, 7), randomVideo(1))
    expect(only(q)).toEqual({ video: 1, q: [4, 5], c: [4, 10], qPct: 80, cPct: 40, isMatch: true })
  })

  it('low-quality query frames are ignored: 4 frames under 50 leave 6 considered, all matching', () => {
    const q = concat(cut(A, 0, 10, 4))
    for (let i = 0; i < 4; i++) {
      ;(q.qualities as Uint8Array)[i] = 49
      fillRandomHashes(q.hashes, i, 1, rand) // what they show does not matter
    }
    expect(only(q)).toEqual({ video: 1, q: [6, 6], c: [6, 10], qPct: 100, cPct: 60, isMatch: true })
    // A frame of quality exactly 50 is considered.
    ;(q.qualities as Uint8Array)[0] = 50
    expect(only(q)).toMatchObject({ q: [6, 7], isMatch: true })
  })

  it('low-quality stored frames are ignored: B with 4 frames under 50 has 8 considered', () => {
    const idx = new VideoMatchIndex()
    const lowB = cut(B, 0, 12)
    for (let i = 0; i < 4; i++) (lowB.qualities as Uint8Array)[i * 3] = 10
    idx.addVideo(2, lowB)
    expect(idx.consideredFrameCount(2)).toBe(8)
    // The whole of B as the query: its 4 low frames are ignored on the query side too.
    expect(figures(idx.compare(B)[0])).toEqual({ video: 2, q: [8, 12], c: [8, 8], qPct: (8 * 100) / 12, cPct: 100, isMatch: false })
    expect(figures(idx.compare(lowB)[0])).toEqual({ video: 2, q: [8, 8], c: [8, 8], qPct: 100, cPct: 100, isMatch: true })
  })

  it('a frame repeated in a video counts once', () => {
    const q = concat(cut(A, 0, 1), cut(A, 0, 1), cut(A, 0, 1), cut(A, 1, 2))
    expect(consideredFrames(q).count).toBe(2)
    expect(only(q)).toEqual({ video: 1, q: [2, 2], c: [2, 10], qPct: 100, cPct: 20, isMatch: true })
  })

  it('distinct videos do not match, nor are they candidates', () => {
    expect(index.compare(randomVideo(30))).toEqual([])
    expect(only(B, 1)).toBeUndefined()
    expect(index.match(B).map((m) => m.video)).toEqual([2])
  })

  it('a query with no considered frame, or an empty index, matches nothing', () => {
    expect(index.compare({ hashes: A.hashes, qualities: new Uint8Array(10).fill(3) })).toEqual([])
    expect(new VideoMatchIndex().compare(A)).toEqual([])
    expect(compareVideos({ hashes: new Uint32Array(0), qualities: [] }, A)).toMatchObject({ queryMatchPercent: 0, comparedMatchPercent: 0, isMatch: false })
  })

  it('thresholds and tolerance can be set per comparison', () => {
    const q = concat(cut(A, 5, 10, 3), randomVideo(5))
    expect(index.match(q, { queryMatchPercent: 50 })).toHaveLength(1)
    expect(index.match(cut(A, 2, 10, 5), { comparedMatchPercent: 81 })).toHaveLength(0)
    expect(index.match(cut(A, 0, 10, 12), { distanceTolerance: 11 })).toHaveLength(0)
  })
})

describe('VideoMatchIndex', () => {
  it('sorts matches by strength: a full copy before the long stream it was cut from', () => {
    const A = randomVideo(10)
    const idx = new VideoMatchIndex()
    idx.addVideos([
      { video: 10, frames: concat(A, randomVideo(90)) }, // a long stream holding A
      { video: 11, frames: A },
      { video: 12, frames: cut(A, 0, 5, 2) }, // the first half of A
    ])
    const query = cut(A, 0, 5, 6)
    expect(idx.match(query).map((m) => [m.video, m.queryMatchPercent, m.comparedMatchPercent])).toEqual([
      [12, 100, 100],
      [11, 100, 50],
      [10, 100, 5],
    ])
  })

  it('agrees with the pairwise comparison on many near-duplicate videos', () => {
    // 40 videos built from 8 shared scenes (random walks), so frames of different videos
    // are near each other in many ways; queries mix scenes with noise.
    const r = seededRandom(77)
    const scenes: VideoFrames[] = []
    for (let s = 0; s < 8; s++) {
      const n = 15
      const hashes = new Uint32Array(n * HASH256_WORDS)
      fillRandomHashes(hashes, 0, 1, r)
      for (let i = 1; i < n; i++) copyWithFlips(hashes, i - 1, hashes, i, 3 + Math.floor(r() * 10), r)
      scenes.push({ hashes, qualities: Uint8Array.from({ length: n }, () => 30 + Math.floor(r() * 71)) })
    }
    const pick = () => {
      const s = scenes[Math.floor(r() * scenes.length)]!
      const a = Math.floor(r() * 10)
      return cut(s, a, a + 1 + Math.floor(r() * (15 - a)), Math.floor(r() * 20))
    }
    const videos = Array.from({ length: 40 }, (_, v) => ({ video: 1000 + v, frames: concat(pick(), pick(), pick()) }))
    const idx = new VideoMatchIndex({ frameIndex: { tailLimit: 50 } })
    idx.addVideos(videos.slice(0, 20))
    for (const v of videos.slice(20)) idx.addVideo(v.video, v.frames)
    for (let k = 0; k < 15; k++) {
      const query = concat(pick(), pick())
      for (const distanceTolerance of [16, 31, 45]) {
        const got = idx.compare(query, { distanceTolerance })
        const expected = videos
          .map((v) => compareVideos(query, v.frames, { rule: { distanceTolerance }, video: v.video }))
          .filter((c) => c.queryMatched > 0)
        expect(got.map(figures).sort((a, b) => a!.video - b!.video)).toEqual(expected.map(figures))
        expect(got.map((c) => c.bestDistance)).toEqual(got.map((c) => expected.find((e) => e.video === c.video)!.bestDistance))
      }
    }
  })

  it('replaces a video stored again under its key, and removes videos', () => {
    const A = randomVideo(10)
    const B = randomVideo(6)
    const idx = new VideoMatchIndex()
    idx.addVideo(1, A)
    idx.addVideo(2, B)
    expect(idx.match(A).map((m) => m.video)).toEqual([1])
    idx.addVideo(1, B) // key 1 now holds B's frames
    expect(idx.videoCount).toBe(2)
    expect(idx.frameCount).toBe(12)
    expect(idx.compare(A)).toEqual([])
    expect(idx.match(B).map((m) => m.video)).toEqual([1, 2])
    expect(idx.removeVideo(2)).toBe(true)
    expect(idx.removeVideo(2)).toBe(false)
    expect(idx.has(2)).toBe(false)
    expect(idx.match(B).map((m) => m.video)).toEqual([1])
    expect(idx.removeVideos([1, 99])).toBe(1)
    expect(idx.compare(B)).toEqual([])
    expect(idx.frameCount).toBe(0)
  })

  it('renumbers its frame slots after many removals and keeps the same answers', () => {
    const idx = new VideoMatchIndex()
    const keep = randomVideo(40)
    const many = Array.from({ length: 700 }, (_, v) => ({ video: v, frames: randomVideo(100) }))
    idx.addVideos(many)
    idx.addVideo(5000, keep)
    idx.removeVideos(many.map((m) => m.video)) // 70,000 dead slots > 65,536: renumbered
    expect(idx.videoCount).toBe(1)
    expect(idx.frameCount).toBe(40)
    expect(figures(idx.compare(cut(keep, 10, 40, 9))[0])).toEqual({ video: 5000, q: [30, 30], c: [30, 40], qPct: 100, cPct: 75, isMatch: true })
    idx.addVideo(7, many[7]!.frames)
    expect(idx.match(many[7]!.frames).map((m) => m.video)).toEqual([7])
  })

  it('refuses bad input with a clear error and stays as it was', () => {
    const idx = new VideoMatchIndex()
    const A = randomVideo(3)
    idx.addVideo(1, A)
    expect(() => idx.addVideo(2, { hashes: new Uint32Array(20), qualities: [90, 90] })).toThrow(/8 words each: got 20 words, not a multiple of 8/)
    expect(() => idx.addVideo(2, { hashes: new Uint32Array(16), qualities: [90] })).toThrow(/2 hashes need 2 qualities, got 1/)
    expect(() => idx.addVideo(2, { hashes: new Uint32Array(8), qualities: [101] })).toThrow(/quality 0 is 101/)
    expect(() => idx.addVideo(2, { hashes: new Uint32Array(8), qualities: [Number.NaN] })).toThrow(/quality 0 is NaN/)
    expect(() => idx.addVideo(1.5, A)).toThrow(/video key must be a safe integer/)
    expect(() => idx.addVideos([{ video: 3, frames: A }, { video: 3, frames: A }])).toThrow(/appears twice/)
    expect(() => idx.compare({ hashes: new Uint32Array(9), qualities: [90] })).toThrow(/not a multiple of 8/)
    expect(() => idx.compare(A, { distanceTolerance: 64 })).toThrow(/radius must be an integer from 0 to 63/)
    expect(() => idx.compare(A, { distanceTolerance: -1 })).toThrow(/radius must be an integer/)
    expect(() => idx.compare(A, { queryMatchPercent: 120 })).toThrow(/queryMatchPercent must be a percentage from 0 to 100/)
    expect(() => new VideoMatchIndex({ qualityTolerance: 101 })).toThrow(/qualityTolerance must be an integer from 0 to 100/)
    expect(idx.videoCount).toBe(1)
    expect(idx.match(A).map((m) => m.video)).toEqual([1])
  })
})

describe('several hashes a frame (the picture whole and its crops)', () => {
  /** Interleaves videos of equal length frame by frame: frame i carries hash i of each, in order. */
  function zip(...videos: VideoFrames[]): VideoFrames {
    const n = videos[0]!.qualities.length
    const k = videos.length
    const hashes = new Uint32Array(n * k * HASH256_WORDS)
    const qualities = new Uint8Array(n * k)
    for (let i = 0; i < n; i++) {
      videos.forEach((v, j) => {
        hashes.set(v.hashes.subarray(i * HASH256_WORDS, (i + 1) * HASH256_WORDS), (i * k + j) * HASH256_WORDS)
        qualities[i * k + j] = v.qualities[i]!
      })
    }
    return { hashes, qualities, hashesPerFrame: k }
  }
  // Stored: 10 frames of 3 hashes (whole, crop 1, crop 2), each set unrelated to the others.
  const whole = randomVideo(10)
  const crop1 = randomVideo(10)
  const crop2 = randomVideo(10)
  const A = zip(whole, crop1, crop2)
  const index = new VideoMatchIndex()
  index.addVideo(1, A)
  const agree = (query: VideoFrames) => {
    const got = index.compare(query)[0]
    const brute = compareVideos(query, A, { video: 1 })
    expect(figures(got)).toEqual(brute.queryMatched > 0 ? figures(brute) : undefined)
    expect(got?.bestDistance ?? 256).toBe(brute.bestDistance)
    return figures(got)
  }

  it('stores every hash, counts frames', () => {
    expect(index.frameCount).toBe(10)
    expect(index.hashCount).toBe(30)
    expect(index.consideredFrameCount(1)).toBe(10)
  })

  it('a frame matches when any of its hashes is near any hash of the other frame; percentages count frames', () => {
    // The query's whole frame is near the stored crop 1 (a cropped copy); its other hashes are new.
    const q = zip(cut(crop1, 0, 10, 12), randomVideo(10), randomVideo(10))
    expect(agree(q)).toEqual({ video: 1, q: [10, 10], c: [10, 10], qPct: 100, cPct: 100, isMatch: true })
    // Several of a frame's hashes matching still count it once.
    expect(agree(A)).toEqual({ video: 1, q: [10, 10], c: [10, 10], qPct: 100, cPct: 100, isMatch: true })
    // One hash a frame against three: a plain-PDQ query of the same picture matches too.
    expect(agree(cut(crop2, 0, 10, 5))).toEqual({ video: 1, q: [10, 10], c: [10, 10], qPct: 100, cPct: 100, isMatch: true })
    // Nothing near: no candidate.
    expect(agree(zip(randomVideo(10), randomVideo(10)))).toBeUndefined()
  })

  it('half the frames near through one hash or another: 50 %, no match', () => {
    const q = zip(concat(cut(whole, 0, 3, 20), randomVideo(7)), concat(randomVideo(3), cut(crop2, 3, 5, 30), randomVideo(5)))
    expect(agree(q)).toEqual({ video: 1, q: [5, 10], c: [5, 10], qPct: 50, cPct: 50, isMatch: false })
  })

  it('quality is per hash: a frame counts while any of its hashes is good enough', () => {
    const q = zip(cut(whole, 0, 10, 4), randomVideo(10))
    const qualities = q.qualities as Uint8Array
    // Frames 0–3: the matching hash is faint, the other is good but matches nothing.
    for (let i = 0; i < 4; i++) qualities[i * 2] = 49
    expect(agree(q)).toEqual({ video: 1, q: [6, 10], c: [6, 10], qPct: 60, cPct: 60, isMatch: false })
    // Frames 0–3 with both hashes faint are not considered at all.
    for (let i = 0; i < 4; i++) qualities[i * 2 + 1] = 10
    expect(agree(q)).toEqual({ video: 1, q: [6, 6], c: [6, 10], qPct: 100, cPct: 60, isMatch: true })
    expect(consideredFrames(q).count).toBe(6)
  })

  it('a frame repeated whole counts once; frames sharing some hashes are different frames', () => {
    const one = zip(cut(whole, 0, 1), cut(crop1, 0, 1))
    const other = zip(cut(whole, 0, 1), cut(crop1, 1, 2)) // same whole hash, another crop
    const q = { ...concat(one, one, other, one), hashesPerFrame: 2 }
    const c = consideredFrames(q)
    expect(c.count).toBe(2)
    expect([...c.start]).toEqual([0, 2, 4])
    expect(agree(q)).toMatchObject({ q: [2, 2], c: [2, 10], isMatch: true })
  })

  it('agrees with the pairwise comparison on random multi-hash videos', () => {
    const r = seededRandom(5)
    const k = 4
    const stored = Array.from({ length: 12 }, (_, v) => ({ video: v, frames: zip(...Array.from({ length: k }, () => randomVideo(8))) }))
    const idx = new VideoMatchIndex({ frameIndex: { tailLimit: 20 } })
    idx.addVideos(stored)
    for (let t = 0; t < 20; t++) {
      // Each query hash is, at random, a noisy copy of some stored hash or a new one.
      const n = 3 + Math.floor(r() * 6)
      const hashes = new Uint32Array(n * k * HASH256_WORDS)
      for (let h = 0; h < n * k; h++) {
        if (r() < 0.5) fillRandomHashes(hashes, h, 1, r)
        else {
          const s = stored[Math.floor(r() * stored.length)]!.frames
          copyWithFlips(s.hashes, Math.floor(r() * 8 * k), hashes, h, Math.floor(r() * 40), r)
        }
      }
      const query = { hashes, qualities: Uint8Array.from({ length: n * k }, () => 40 + Math.floor(r() * 61)), hashesPerFrame: k }
      const got = idx.compare(query)
      const expected = stored.map((v) => compareVideos(query, v.frames, { video: v.video })).filter((c) => c.queryMatched > 0)
      expect(got.map(figures).sort((a, b) => a!.video - b!.video)).toEqual(expected.map(figures))
      expect(got.map((c) => c.bestDistance)).toEqual(got.map((c) => expected.find((e) => e.video === c.video)!.bestDistance))
    }
  })

  it('refuses hashes that are not whole frames, and a bad count a frame', () => {
    const idx = new VideoMatchIndex()
    expect(() => idx.addVideo(1, { hashes: new Uint32Array(5 * 8), qualities: new Uint8Array(5).fill(90), hashesPerFrame: 2 })).toThrow(
      /5 hashes are not whole frames of 2 hashes/,
    )
    for (const bad of [0, 9, 1.5]) {
      expect(() => idx.addVideo(1, { hashes: new Uint32Array(8), qualities: [90], hashesPerFrame: bad })).toThrow(/hashesPerFrame must be an integer from 1 to 8/)
    }
    expect(idx.videoCount).toBe(0)
  })
})

describe('match stops once no stored video can reach the query match %', () => {
  const r = seededRandom(77)
  const k = 2
  /** A video of `n` frames of `k` random hashes, quality 90. */
  const video = (n: number): VideoFrames => {
    const hashes = new Uint32Array(n * k * HASH256_WORDS)
    fillRandomHashes(hashes, 0, n * k, r)
    return { hashes, qualities: new Uint8Array(n * k).fill(90), hashesPerFrame: k }
  }
  const stored = Array.from({ length: 20 }, (_, v) => ({ video: v, frames: video(40) }))
  const index = new VideoMatchIndex()
  index.addVideos(stored)
  /** `n` frames, each a noisy copy of a frame of stored video `from` with probability `share`, else new; one hash of each copied frame new. */
  const clip = (n: number, from: number, share: number): VideoFrames => {
    const q = video(n)
    const src = stored[from]!.frames
    for (let f = 0; f < n; f++) {
      if (r() >= share) continue
      const g = Math.floor(r() * 40)
      copyWithFlips(src.hashes, g * k + Math.floor(r() * k), q.hashes, f * k + Math.floor(r() * k), Math.floor(r() * 32), r)
    }
    return q
  }

  it('answers what the pairwise comparison rules, at every query match % and clip length', () => {
    for (const n of [1, 5, 11, 12, 13, 25, 60, 97]) {
      for (const share of [0, 0.5, 0.79, 0.85, 1]) {
        const query = clip(n, Math.floor(r() * stored.length), share)
        for (const queryMatchPercent of [0, 20, 50, 80, 100]) {
          const rule = { queryMatchPercent }
          const expected = stored
            .map((v) => compareVideos(query, v.frames, { video: v.video, rule }))
            .filter((c) => c.isMatch)
            .sort(byStrength)
          expect(index.match(query, rule)).toEqual(expected)
          expect(index.match(query, rule)).toEqual(index.compare(query, rule).filter((c) => c.isMatch))
        }
      }
    }
  })

  it('searches a fifth of a new clip at the default 80 %, and compares the other 47 frames of a copy pairwise with its one candidate', () => {
    const searched = vi.spyOn(FrameIndex.prototype, 'forEachWithinMany')
    const paired = vi.spyOn(FrameIndex.prototype, 'forEachWithinPayloads')
    const framesOf = (calls: Array<[Uint32Array, ...unknown[]]>) => calls.map(([queries]) => queries.length / HASH256_WORDS / k)
    try {
      expect(index.match(video(60))).toEqual([])
      // 48 of 60 frames are needed: after a first pass of 13 with no hit, 47 are left.
      expect(framesOf(searched.mock.calls)).toEqual([13])
      expect(paired).not.toHaveBeenCalled()
      searched.mockClear()
      const copy = clip(60, 3, 1)
      expect(index.match(copy).map((m) => m.video)).toEqual([3])
      expect(framesOf(searched.mock.calls)).toEqual([13])
      // One candidate (40 frames of 2 hashes against 47 × 2 hashes left), far under the budget.
      expect(framesOf(paired.mock.calls)).toEqual([47])
      expect(paired.mock.calls[0]!.slice(1, 4)).toEqual([31, expect.any(Number), expect.any(Number)])
      searched.mockClear()
      paired.mockClear()
      // The index pass, when pairwise is not chosen: the same answer, all 60 frames searched.
      const expected = index.match(copy)
      const byIndex = new IndexSecondPass()
      byIndex.addVideos(stored)
      searched.mockClear()
      paired.mockClear()
      expect(byIndex.match(copy)).toEqual(expected)
      expect(framesOf(searched.mock.calls)).toEqual([13, 47])
      expect(paired).not.toHaveBeenCalled()
      searched.mockClear()
      paired.mockClear()
      index.compare(video(60))
      expect(framesOf(searched.mock.calls)).toEqual([60])
      expect(paired).not.toHaveBeenCalled()
    } finally {
      searched.mockRestore()
      paired.mockRestore()
    }
  })
})


describe("match's second pass, pairwise with the candidates or through the index: compare's answers", () => {
  /**
   * `n` frames of `k` random hashes: about one hash in 8 under the quality floor (a frame
   * whose every hash is, is not considered), and about one frame in 12 repeating an earlier
   * frame whole (counted once).
   */
  function messyVideo(r: () => number, n: number, k: number): VideoFrames {
    const hashes = new Uint32Array(n * k * HASH256_WORDS)
    fillRandomHashes(hashes, 0, n * k, r)
    const qualities = Uint8Array.from({ length: n * k }, () => (r() < 0.125 ? 20 + Math.floor(r() * 30) : 50 + Math.floor(r() * 51)))
    for (let f = 1; f < n; f++) {
      if (r() >= 1 / 12) continue
      const g = Math.floor(r() * f)
      hashes.copyWithin(f * k * HASH256_WORDS, g * k * HASH256_WORDS, (g + 1) * k * HASH256_WORDS)
      qualities.copyWithin(f * k, g * k, (g + 1) * k)
    }
    return { hashes, qualities, hashesPerFrame: k }
  }

  /**
   * A clip of `n` frames of `k` hashes whose first round(share × n) frames, shuffled into the
   * clip, are copies of consecutive frames of `src` (each of their hashes 0–20 bits off, its
   * quality kept: a copied frame may count, or not); the rest new.
   */
  function copyOf(r: () => number, src: VideoFrames, share: number, n: number, k: number): VideoFrames {
    const q = messyVideo(r, n, k)
    const sk = src.hashesPerFrame ?? 1
    const srcFrames = src.qualities.length / sk
    const copied = Math.round(share * n)
    const at = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5)
    const from = Math.floor(r() * Math.max(1, srcFrames - copied))
    for (let i = 0; i < copied; i++) {
      const g = (from + i) % srcFrames
      for (let j = 0; j < k; j++) {
        const h = g * sk + (j % sk)
        copyWithFlips(src.hashes, h, q.hashes, at[i]! * k + j, Math.floor(r() * 21), r)
        ;(q.qualities as Uint8Array)[at[i]! * k + j] = src.qualities[h]!
      }
    }
    return q
  }

  const rules = [
    {},
    { comparedMatchPercent: 30 },
    { queryMatchPercent: 50 },
    { queryMatchPercent: 45, comparedMatchPercent: 10 },
    { queryMatchPercent: 100, distanceTolerance: 20 },
  ]

  /**
   * Every query against the three indexes: the default choice, always pairwise, always the
   * index; each `match` must be `compare` filtered by the verdict, and (for `checkBrute`) the
   * pairwise `compareVideos` over the live videos. Returns how many second passes ran pairwise.
   */
  function checkAll(indexes: VideoMatchIndex[], live: Map<number, VideoFrames>, queries: VideoFrames[], checkBrute = false): number {
    const paired = vi.spyOn(FrameIndex.prototype, 'forEachWithinPayloads')
    try {
      for (const query of queries) {
        for (const rule of rules) {
          const expected = indexes[0]!.compare(query, rule).filter((c) => c.isMatch)
          if (checkBrute) {
            const brute = [...live]
              .map(([video, frames]) => compareVideos(query, frames, { video, rule }))
              .filter((c) => c.isMatch)
              .sort(byStrength)
            expect(expected).toEqual(brute)
          }
          for (const index of indexes) {
            expect(index.compare(query, rule).filter((c) => c.isMatch)).toEqual(expected)
            expect(index.match(query, rule)).toEqual(expected)
          }
        }
      }
      return paired.mock.calls.length
    } finally {
      paired.mockRestore()
    }
  }

  it('random indexes: many videos of 1–4 hashes a frame, low quality and repeated frames, removals, re-adds, an unbuilt tail; clips copying 0, 50, 80, 100 %', () => {
    const r = seededRandom(14)
    const live = new Map<number, VideoFrames>()
    // The default tail limit (4,096): the first 60 videos (~5,000 hashes) are in the tables,
    // everything added after them only in the linear tail, and the removed videos' entries
    // are still there, deleted (a tenth of them: no compaction).
    const indexes = [new VideoMatchIndex(), new PairwiseSecondPass(), new IndexSecondPass()]
    const add = (videos: Array<{ video: number; frames: VideoFrames }>) => {
      for (const index of indexes) index.addVideos(videos)
      for (const { video, frames } of videos) live.set(video, frames)
    }
    const remove = (keys: number[]) => {
      for (const index of indexes) index.removeVideos(keys)
      for (const key of keys) live.delete(key)
    }
    const newVideos = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ video: from + i, frames: messyVideo(r, 1 + Math.floor(r() * 80), 1 + Math.floor(r() * 4)) }))
    add(newVideos(0, 60))
    // Near-copies stored under other keys, so a clip has several candidates.
    add([10, 11, 12].map((v) => ({ video: 100 + v, frames: copyOf(r, live.get(v)!, 1, live.get(v)!.qualities.length / (live.get(v)!.hashesPerFrame ?? 1), live.get(v)!.hashesPerFrame ?? 1) })))
    remove([3, 4, 5, 20, 21, 111])
    // Re-added: key 3 with new frames, key 20 with its old ones; and a few more in the tail.
    add([
      { video: 3, frames: messyVideo(r, 50, 2) },
      { video: 20, frames: newVideos(0, 1)[0]!.frames },
    ])
    for (const { video, frames } of newVideos(200, 4)) add([{ video, frames }])
    let pairwise = 0
    const keys = [...live.keys()]
    const queries: VideoFrames[] = []
    for (let i = 0; i < 24; i++) {
      const src = live.get(keys[Math.floor(r() * keys.length)]!)!
      queries.push(copyOf(r, src, [0, 0.5, 0.8, 1][i % 4]!, [13, 30, 60, 97][Math.floor(i / 4) % 4]!, 1 + (i % 4)))
    }
    // Some clips copy two videos at once.
    for (let i = 0; i < 4; i++) {
      const a = copyOf(r, live.get(keys[i]!)!, 0.5, 40, 2)
      const b = copyOf(r, live.get(keys[i + 10]!)!, 1, 20, 2)
      queries.push({ hashes: a.hashes.map((w, j) => (j < 20 * 2 * HASH256_WORDS ? w : b.hashes[j - 20 * 2 * HASH256_WORDS]!)), qualities: a.qualities, hashesPerFrame: 2 })
    }
    pairwise += checkAll(indexes, live, queries.slice(0, 8), true)
    pairwise += checkAll(indexes, live, queries.slice(8))
    expect(pairwise).toBeGreaterThan(50)
  })

  it('after a renumber with removed videos not yet compacted, never counts their entries', () => {
    // 1,000 videos of 100 one-hash frames; removing 600 compacts (a quarter or more deleted)
    // but does not renumber (60,000 dead slots ≤ 65,536); removing 60 more does not compact
    // (6,000 of 40,000) but renumbers (66,000 dead > 65,536). The 6,000 entries left deleted
    // sit right before the next live video's, and must never count for it.
    const r = seededRandom(15)
    const videos = Array.from({ length: 1000 }, (_, v) => {
      const hashes = new Uint32Array(100 * HASH256_WORDS)
      fillRandomHashes(hashes, 0, 100, r)
      return { video: v, frames: { hashes, qualities: new Uint8Array(100).fill(90) } as VideoFrames }
    })
    const live = new Map(videos.map((v) => [v.video, v.frames]))
    const indexes = [new VideoMatchIndex(), new PairwiseSecondPass(), new IndexSecondPass()]
    const remapped = vi.spyOn(FrameIndex.prototype, 'remapPayloads')
    const rebuilt = vi.spyOn(FrameIndex.prototype, 'rebuild')
    try {
      for (const index of indexes) index.addVideos(videos)
      const first = videos.filter((v) => v.video % 5 < 3).map((v) => v.video) // 600
      for (const index of indexes) index.removeVideos(first)
      expect(remapped).not.toHaveBeenCalled()
      rebuilt.mockClear()
      // Every video of the form 5m + 3 below 300: each is followed by the live 5m + 4.
      const second = videos.filter((v) => v.video % 5 === 3 && v.video < 300).map((v) => v.video) // 60
      for (const index of indexes) index.removeVideos(second)
      expect(remapped).toHaveBeenCalledTimes(3)
      expect(rebuilt).not.toHaveBeenCalled()
      for (const key of [...first, ...second]) live.delete(key)
      for (const index of indexes) expect(index.frameCount).toBe(34_000)
      // Half the clip copies removed video 5m + 3, half the live 5m + 4 after it: the live
      // one is hit by half the clip, never by the removed one's frames.
      const queries: VideoFrames[] = []
      for (const m of [0, 7, 33, 59]) {
        const removed = videos[5 * m + 3]!.frames
        const next = videos[5 * m + 4]!.frames
        const q = new Uint32Array(60 * HASH256_WORDS)
        for (let i = 0; i < 30; i++) copyWithFlips(removed.hashes, i, q, i, 5, r)
        for (let i = 0; i < 30; i++) copyWithFlips(next.hashes, 50 + i, q, 30 + i, 5, r)
        queries.push({ hashes: q, qualities: new Uint8Array(60).fill(90) })
      }
      for (const index of indexes) {
        for (const [i, m] of [0, 7, 33, 59].entries()) {
          expect(index.match(queries[i]!, { queryMatchPercent: 50 }).map(figures)).toEqual([
            { video: 5 * m + 4, q: [30, 60], c: [30, 100], qPct: 50, cPct: 30, isMatch: true },
          ])
        }
      }
      expect(checkAll(indexes, live, queries)).toBeGreaterThan(0)
      // Videos added after the renumber follow the deleted entries too; the removed ones come back.
      for (const index of indexes) index.addVideos(second.slice(0, 5).map((v) => ({ video: v, frames: videos[v]!.frames })))
      for (const v of second.slice(0, 5)) live.set(v, videos[v]!.frames)
      const again = second.slice(0, 5).map((v) => copyOf(r, videos[v]!.frames, 0.9, 40, 1))
      expect(checkAll(indexes, live, [...again, ...queries])).toBeGreaterThan(0)
      for (const index of indexes) expect(index.match(queries[0]!, { queryMatchPercent: 50 }).map((c) => c.video)).toEqual([3, 4])
    } finally {
      remapped.mockRestore()
      rebuilt.mockRestore()
    }
  })

  it('counts a stored frame once, however many query frames and hashes hit it, in either pass', () => {
    // Stored: 20 frames of 4 hashes. Every query frame is a copy of stored frame 0 (all four
    // hashes, each a few bits off, so a frame hits it through four entries), in both passes.
    const r = seededRandom(16)
    const k = 4
    const hashes = new Uint32Array(20 * k * HASH256_WORDS)
    fillRandomHashes(hashes, 0, 20 * k, r)
    const stored: VideoFrames = { hashes, qualities: new Uint8Array(20 * k).fill(90), hashesPerFrame: k }
    const q = new Uint32Array(60 * k * HASH256_WORDS)
    for (let f = 0; f < 60; f++) for (let j = 0; j < k; j++) copyWithFlips(hashes, j, q, f * k + j, 1 + Math.floor(r() * 10), r)
    const query: VideoFrames = { hashes: q, qualities: new Uint8Array(60 * k).fill(90), hashesPerFrame: k }
    const expected = { video: 9, q: [60, 60], c: [1, 20], qPct: 100, cPct: 5, isMatch: true }
    expect(figures(compareVideos(query, stored, { video: 9 }))).toEqual(expected)
    const paired = vi.spyOn(FrameIndex.prototype, 'forEachWithinPayloads')
    try {
      for (const index of [new VideoMatchIndex(), new PairwiseSecondPass(), new IndexSecondPass()]) {
        index.addVideo(9, stored)
        expect(index.match(query).map(figures)).toEqual([expected])
        expect(index.match(query, { comparedMatchPercent: 6 })).toEqual([])
      }
      expect(paired).toHaveBeenCalledTimes(4)
    } finally {
      paired.mockRestore()
    }
  })

  it('chooses pairwise for a short candidate and the index for a long one', () => {
    // At a small index the budget is ~1,100 stored hashes of candidates (PAIR_NS, INDEX_HASH_NS).
    const r = seededRandom(17)
    const index = new VideoMatchIndex()
    const short = messyVideo(r, 300, 1)
    const long = messyVideo(r, 4000, 1)
    index.addVideos([
      { video: 1, frames: short },
      { video: 2, frames: long },
    ])
    const searched = vi.spyOn(FrameIndex.prototype, 'forEachWithinMany')
    const paired = vi.spyOn(FrameIndex.prototype, 'forEachWithinPayloads')
    try {
      expect(index.match(copyOf(r, short, 1, 60, 1)).map((c) => c.video)).toEqual([1])
      expect([searched.mock.calls.length, paired.mock.calls.length]).toEqual([1, 1])
      searched.mockClear()
      paired.mockClear()
      expect(index.match(copyOf(r, long, 1, 60, 1)).map((c) => c.video)).toEqual([2])
      expect([searched.mock.calls.length, paired.mock.calls.length]).toEqual([2, 0])
    } finally {
      searched.mockRestore()
      paired.mockRestore()
    }
  })
})
