/**
 * vPDQ's video-match rule over a frame index (facebook/ThreatExchange `vpdq/`, and the
 * index-backed matcher of python-threatexchange `extensions/vpdq/vpdq_index.py`).
 *
 * A video is a bag of frame hashes with their PDQ quality; frame order and time are not
 * used. Frames below the quality tolerance are ignored on both sides, and a video's frames
 * with exactly the same hash count once. A query frame matches when some considered frame
 * of the compared video is within the distance tolerance (distance ≤ tolerance), and the
 * other way round for the compared video's frames. Then
 *
 *   query match %    = matched query frames    × 100 / considered query frames
 *   compared match % = matched compared frames × 100 / considered compared frames
 *
 * and the videos match when both reach their thresholds (and at least one frame matched).
 *
 * Where the reference disagrees with itself, this follows python-threatexchange's index
 * matcher (`VPDQIndex`, what Hasher-Matcher-Actioner runs): frames match at distance ≤ 31
 * (the C++ brute-force matcher tests < 31); thresholds are 80 % of the query and 0 % of the
 * compared video, so a clip cut from a longer decided stream matches it, while a long new
 * stream holding a short decided clip does not (the vpdq README's example puts the 80 % on
 * the compared video instead). Duplicate hashes count once and a frame's quality must be
 * ≥ 50 on both sides, as in both.
 *
 * Several hashes a frame (the robust hashing of src/shared/pdq/frame-variants.ts: the
 * picture whole and its crops): two frames match when any considered hash of one is within
 * the tolerance of any considered hash of the other, and the percentages still count frames,
 * never hashes, so a frame's extra hashes widen what it matches without weighing more.
 * With one hash a frame this is vPDQ exactly.
 *
 * The index form makes one frame-index query per considered query hash; every hit names a
 * stored frame (a "slot"), its video, and its distance, so one pass counts, per candidate
 * video, the distinct query frames that hit it and the distinct slots of it that were hit:
 * both percentages, without a second index. `match` searches only part of the clip that way
 * and compares the rest pairwise with the few videos still able to match (`run`).
 */
import { MAX_HASHES_PER_FRAME } from '../../shared/pdq/frame-variants'
import { HASH256_WORDS, popcount32 as sharedPopcount32 } from '../../shared/pdq/hash256'

// A module-level copy of the import: transpilers that keep live bindings (tsx, vitest) turn
// every use of an imported name into a property getter, a fifth of a hot loop's time.
const popcount32 = sharedPopcount32
import { checkRadius, FrameIndex, type FrameIndexOptions } from './frame-index'

/** PDQ distance at or under which two frames match (python-threatexchange VPDQ_DISTANCE_THRESHOLD). */
export const VPDQ_DISTANCE_TOLERANCE = 31
/** Frames of lower PDQ quality (0–100) are ignored on both sides (VPDQ_QUALITY_THRESHOLD). */
export const VPDQ_QUALITY_TOLERANCE = 50
/** Share of the query's frames that must match (VPDQ_QUERY_MATCH_THRESHOLD_PERCENT). */
export const VPDQ_QUERY_MATCH_PERCENT = 80
/** Share of the compared video's frames that must match (VPDQ_INDEX_MATCH_THRESHOLD_PERCENT). */
export const VPDQ_COMPARED_MATCH_PERCENT = 0

export interface VideoMatchRule {
  /** Frames match at Hamming distance ≤ this (0…63). */
  distanceTolerance: number
  /** Minimum query match %, 0…100. */
  queryMatchPercent: number
  /** Minimum compared match %, 0…100. */
  comparedMatchPercent: number
}

export const VPDQ_DEFAULT_RULE: Readonly<VideoMatchRule> = Object.freeze({
  distanceTolerance: VPDQ_DISTANCE_TOLERANCE,
  queryMatchPercent: VPDQ_QUERY_MATCH_PERCENT,
  comparedMatchPercent: VPDQ_COMPARED_MATCH_PERCENT,
})

/**
 * One video's frames: each frame's PDQ hashes (packed, 8 words a hash, a frame's hashes
 * together) and each hash's quality. A frame may carry several hashes (the picture whole and
 * its crops, src/shared/pdq/frame-variants.ts); plain vPDQ has one.
 */
export interface VideoFrames {
  hashes: Uint32Array
  /** One per hash. */
  qualities: ArrayLike<number>
  /** Hashes each frame carries, 1 to MAX_HASHES_PER_FRAME (default 1). */
  hashesPerFrame?: number
}

/** How a stored video compares with the query. */
export interface VideoComparison {
  /** The caller's key of the compared video. */
  video: number
  queryMatched: number
  queryConsidered: number
  comparedMatched: number
  comparedConsidered: number
  queryMatchPercent: number
  comparedMatchPercent: number
  /** The smallest hash distance seen between the two (256 when no frame matched). */
  bestDistance: number
  isMatch: boolean
}

function resolveRule(rule: Partial<VideoMatchRule> = {}): VideoMatchRule {
  const r = { ...VPDQ_DEFAULT_RULE, ...rule }
  checkRadius(r.distanceTolerance)
  for (const key of ['queryMatchPercent', 'comparedMatchPercent'] as const) {
    const v = r[key]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new RangeError(`${key} must be a percentage from 0 to 100, got ${v}`)
  }
  return r
}

function checkQualityTolerance(q: number): void {
  if (!Number.isInteger(q) || q < 0 || q > 100) throw new RangeError(`qualityTolerance must be an integer from 0 to 100, got ${q}`)
}

/** The frames of a video that vPDQ considers, their considered hashes packed. */
export interface ConsideredFrames {
  /** Frames considered. */
  count: number
  /** Their considered hashes, packed, a frame's together. */
  hashes: Uint32Array
  /** Frame k's hashes are numbers `start[k]` to `start[k + 1] - 1` of `hashes` (count + 1 entries). */
  start: Uint32Array
}

/**
 * The frames vPDQ considers. A hash counts when its quality is ≥ `qualityTolerance`, and a
 * frame when at least one of its hashes counts (only those are kept); a frame whose kept
 * hashes are exactly those of an earlier frame counts once (the first is kept), as vPDQ
 * counts a repeated hash once. Throws on a malformed video.
 */
export function consideredFrames(frames: VideoFrames, qualityTolerance = VPDQ_QUALITY_TOLERANCE): ConsideredFrames {
  if (frames == null || typeof frames !== 'object') throw new TypeError('a video is { hashes, qualities }')
  checkQualityTolerance(qualityTolerance)
  const h = frames.hashes
  if (!(h instanceof Uint32Array)) throw new TypeError('bad video frames: hashes must be a Uint32Array of packed 256-bit hashes (8 words each)')
  if (h.length % HASH256_WORDS !== 0) {
    throw new RangeError(`bad video frames: hashes must be packed 256-bit hashes, 8 words each: got ${h.length} words, not a multiple of 8`)
  }
  const count = h.length / HASH256_WORDS
  const perFrame = frames.hashesPerFrame ?? 1
  if (!Number.isInteger(perFrame) || perFrame < 1 || perFrame > MAX_HASHES_PER_FRAME) {
    throw new RangeError(`bad video frames: hashesPerFrame must be an integer from 1 to ${MAX_HASHES_PER_FRAME}, got ${perFrame}`)
  }
  if (count % perFrame !== 0) throw new RangeError(`bad video frames: ${count} hashes are not whole frames of ${perFrame} hashes`)
  const qualities = frames.qualities
  if (qualities == null || typeof qualities.length !== 'number' || qualities.length !== count) {
    throw new RangeError(`bad video frames: ${count} hashes need ${count} qualities, got ${qualities == null ? 'none' : qualities.length}`)
  }
  const out = new Uint32Array(count * HASH256_WORDS)
  const start = new Uint32Array(count / perFrame + 1)
  let kept = 0
  let nFrames = 0
  // Repeated frames, found by their first kept hash's first word, then compared whole.
  const byFirstWord = new Map<number, number[]>()
  for (let f = 0; f < count / perFrame; f++) {
    const from = kept
    for (let k = f * perFrame; k < (f + 1) * perFrame; k++) {
      const quality = qualities[k]!
      if (!(quality >= 0 && quality <= 100)) throw new RangeError(`bad video frames: quality ${k} is ${quality}, PDQ quality is 0 to 100`)
      if (quality < qualityTolerance) continue
      out.set(h.subarray(k * HASH256_WORDS, (k + 1) * HASH256_WORDS), kept * HASH256_WORDS)
      kept++
    }
    if (kept === from) continue
    const key = out[from * HASH256_WORDS]!
    const same = byFirstWord.get(key)
    if (same?.some((g) => sameHashes(out, start[g]!, start[g + 1]!, from, kept))) {
      kept = from
      continue
    }
    if (same) same.push(nFrames)
    else byFirstWord.set(key, [nFrames])
    start[nFrames] = from
    start[++nFrames] = kept
  }
  return { count: nFrames, hashes: out.slice(0, kept * HASH256_WORDS), start: start.slice(0, nFrames + 1) }
}

/** Whether hashes a0…a1-1 and b0…b1-1 of `h` are the same list. */
function sameHashes(h: Uint32Array, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false
  for (let i = 0; i < a1 - a0; i++) if (!sameHash(h, (a0 + i) * HASH256_WORDS, h, (b0 + i) * HASH256_WORDS)) return false
  return true
}

function sameHash(a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
  for (let w = 0; w < HASH256_WORDS; w++) if (a[ao + w] !== b[bo + w]) return false
  return true
}

function distanceAt(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  let d = 0
  for (let w = 0; w < HASH256_WORDS; w++) d += popcount32(a[ao + w]! ^ b[bo + w]!)
  return d
}

function verdict(
  video: number,
  queryMatched: number,
  queryConsidered: number,
  comparedMatched: number,
  comparedConsidered: number,
  bestDistance: number,
  rule: VideoMatchRule,
): VideoComparison {
  const queryMatchPercent = queryConsidered === 0 ? 0 : (queryMatched * 100) / queryConsidered
  const comparedMatchPercent = comparedConsidered === 0 ? 0 : (comparedMatched * 100) / comparedConsidered
  return {
    video,
    queryMatched,
    queryConsidered,
    comparedMatched,
    comparedConsidered,
    queryMatchPercent,
    comparedMatchPercent,
    bestDistance,
    isMatch: queryMatched > 0 && queryMatchPercent >= rule.queryMatchPercent && comparedMatchPercent >= rule.comparedMatchPercent,
  }
}

/**
 * Strongest first: the smaller of the two percentages (a full copy beats a clip of a long
 * stream), then query %, then compared %, then the smaller best distance, then the key.
 */
export function byStrength(a: VideoComparison, b: VideoComparison): number {
  return (
    Math.min(b.queryMatchPercent, b.comparedMatchPercent) - Math.min(a.queryMatchPercent, a.comparedMatchPercent) ||
    b.queryMatchPercent - a.queryMatchPercent ||
    b.comparedMatchPercent - a.comparedMatchPercent ||
    a.bestDistance - b.bestDistance ||
    a.video - b.video
  )
}

/**
 * Two videos compared frame by frame, as the reference's brute-force matcher does
 * (O(query frames × compared frames)); the index form must agree with it.
 */
export function compareVideos(
  query: VideoFrames,
  compared: VideoFrames,
  options: { rule?: Partial<VideoMatchRule>; qualityTolerance?: number; video?: number } = {},
): VideoComparison {
  const r = resolveRule(options.rule)
  const q = consideredFrames(query, options.qualityTolerance)
  const c = consideredFrames(compared, options.qualityTolerance)
  const cHit = new Uint8Array(c.count)
  let queryMatched = 0
  let best = 256
  for (let i = 0; i < q.count; i++) {
    let hit = false
    for (let j = 0; j < c.count; j++) {
      // Frames match when any hash of one is within the tolerance of any hash of the other.
      for (let a = q.start[i]!; a < q.start[i + 1]!; a++) {
        for (let b = c.start[j]!; b < c.start[j + 1]!; b++) {
          const d = distanceAt(q.hashes, a * HASH256_WORDS, c.hashes, b * HASH256_WORDS)
          if (d <= r.distanceTolerance) {
            hit = true
            cHit[j] = 1
            if (d < best) best = d
          }
        }
      }
    }
    if (hit) queryMatched++
  }
  let comparedMatched = 0
  for (let j = 0; j < c.count; j++) comparedMatched += cHit[j]!
  return verdict(options.video ?? 0, queryMatched, q.count, comparedMatched, c.count, best, r)
}

/** `match`'s first pass searches at least this many query frames (a pass's probes are sorted together; fewer share fewer pages). */
const MIN_PASS_FRAMES = 12

// What `match`'s second pass costs either way (VideoMatchIndex.prefersPairwise), CPU time
// measured by `npm run bench:match-second-pass` (7 December 2026): a hash pair compared
// pairwise 4.2 ns at load ~1.5 and 6.3–6.8 ns at load ~5 (alike from 65,536 to 4M stored
// hashes: it reads one video's hashes); a query hash searched in the index 8.1 / 10.1 µs at
// 16,384 stored hashes, 11.4 / 14.0 at 65,536, 24.8 / 29.7 at 262,144, 64 / 73 at 1M and
// 126 / 148 µs at 4M (its buckets grow). The line under every index figure (8 µs + 0.028 ns
// a stored hash: 37 µs at 1M, 125 µs at 4M) against the dearest pair (7 ns) keeps the
// pairwise pass to where it is cheaper at either load: candidates of up to ~1,100 stored
// hashes in a small index, ~5,300 at 1M, ~18,000 at 4M (whatever the clip's length: both
// sides scale with the hashes left).
const PAIR_NS = 7
const INDEX_HASH_NS = 8000
const INDEX_HASH_NS_PER_STORED = 0.028

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

export interface VideoMatchIndexOptions {
  /** Quality tolerance for stored and query frames alike (default VPDQ_QUALITY_TOLERANCE); a new value needs a new index. */
  qualityTolerance?: number
  frameIndex?: FrameIndexOptions
}

export interface VideoToAdd {
  video: number
  frames: VideoFrames
}

/**
 * Many videos' considered frames in one `FrameIndex`, matched against a query video by
 * vPDQ's rule. A video is known by the caller's integer key (e.g. a media file's row id).
 */
export class VideoMatchIndex {
  readonly qualityTolerance: number
  private readonly frames: FrameIndex
  private readonly byKey = new Map<number, number>()
  // Per internal video number.
  private keys: number[] = []
  private firstSlot = new Uint32Array(0)
  private slotCount = new Uint32Array(0)
  /** Considered hashes stored (a frame may carry several): what comparing with it costs. */
  private videoHashCount = new Uint32Array(0)
  private alive = new Uint8Array(0)
  // Per slot (a stored considered frame): its internal video number.
  private slotVideo = new Uint32Array(0)
  private nextSlot = 0
  private liveSlots = 0
  // Scratch for one comparison, all zero between comparisons.
  private lastQueryFrame = new Uint32Array(0)
  private queryHits = new Uint32Array(0)
  private comparedHits = new Uint32Array(0)
  private best = new Uint16Array(0)
  private slotHit = new Uint8Array(0)

  constructor(options: VideoMatchIndexOptions = {}) {
    this.qualityTolerance = options.qualityTolerance ?? VPDQ_QUALITY_TOLERANCE
    checkQualityTolerance(this.qualityTolerance)
    this.frames = new FrameIndex(options.frameIndex)
  }

  /** Videos stored (with or without considered frames). */
  get videoCount(): number {
    return this.byKey.size
  }

  /** Considered frames stored, all videos together. */
  get frameCount(): number {
    return this.liveSlots
  }

  /** Considered hashes stored (a frame may carry several), all videos together. */
  get hashCount(): number {
    return this.frames.size
  }

  has(video: number): boolean {
    return this.byKey.has(video)
  }

  /** Considered frames stored for `video`, or undefined when it is not stored. */
  consideredFrameCount(video: number): number | undefined {
    const v = this.byKey.get(video)
    return v === undefined ? undefined : this.slotCount[v]
  }

  memoryBytes(): number {
    return (
      this.frames.memoryBytes() +
      this.keys.length * 8 +
      this.firstSlot.byteLength +
      this.slotCount.byteLength +
      this.videoHashCount.byteLength +
      this.alive.byteLength +
      this.slotVideo.byteLength +
      this.lastQueryFrame.byteLength +
      this.queryHits.byteLength +
      this.comparedHits.byteLength +
      this.best.byteLength +
      this.slotHit.byteLength
    )
  }

  /** Stores a video's frames; a video already stored under that key is replaced. */
  addVideo(video: number, frames: VideoFrames): void {
    this.addVideos([{ video, frames }])
  }

  /** Stores many videos with at most one rebuild of the frame tables. */
  addVideos(videos: Iterable<VideoToAdd>): void {
    const list = [...videos]
    const prepared = list.map(({ video, frames }) => {
      if (!Number.isSafeInteger(video)) throw new RangeError(`a video key must be a safe integer, got ${video}`)
      return { video, considered: consideredFrames(frames, this.qualityTolerance) }
    })
    const seen = new Set<number>()
    for (const { video } of prepared) {
      if (seen.has(video)) throw new RangeError(`video ${video} appears twice in one addVideos call`)
      seen.add(video)
    }
    this.removeVideos(prepared.map((p) => p.video).filter((v) => this.byKey.has(v)))
    this.frames.batch(() => {
      for (const { video, considered } of prepared) this.store(video, considered)
    })
  }

  private store(video: number, considered: ConsideredFrames): void {
    const n = considered.count
    const v = this.keys.length
    this.growVideos(v + 1)
    this.growSlots(this.nextSlot + n)
    this.keys.push(video)
    this.byKey.set(video, v)
    this.firstSlot[v] = this.nextSlot
    this.slotCount[v] = n
    this.videoHashCount[v] = considered.start[n]!
    this.alive[v] = 1
    // Every hash of a frame is stored with the frame's slot as its payload.
    const payloads = new Uint32Array(considered.start[n]!)
    for (let i = 0; i < n; i++) {
      payloads.fill(this.nextSlot + i, considered.start[i]!, considered.start[i + 1]!)
      this.slotVideo[this.nextSlot + i] = v
    }
    this.nextSlot += n
    this.liveSlots += n
    this.frames.add(considered.hashes, payloads)
  }

  /** Removes a stored video; false when it was not stored. */
  removeVideo(video: number): boolean {
    return this.removeVideos([video]) === 1
  }

  /** Removes stored videos in one pass over the frames; returns how many were stored. */
  removeVideos(videos: Iterable<number>): number {
    let removed = 0
    for (const key of videos) {
      const v = this.byKey.get(key)
      if (v === undefined) continue
      this.byKey.delete(key)
      this.alive[v] = 0
      this.liveSlots -= this.slotCount[v]!
      removed++
    }
    if (removed === 0) return 0
    const slotVideo = this.slotVideo
    const alive = this.alive
    this.frames.removeWhere((slot) => alive[slotVideo[slot]!] === 0)
    if (this.nextSlot - this.liveSlots > Math.max(this.liveSlots, 1 << 16)) this.renumber()
    return removed
  }

  /**
   * Gives live videos contiguous slots and internal numbers again after many removals. The
   * frames' payloads (slots) stay non-decreasing in entry order, as `run`'s pairwise pass
   * needs (FrameIndex.forEachWithinPayloads): each live video's slots come after the
   * previous one's, and a dead video's slots, which entries deleted but not yet compacted
   * still carry, map to the next live slot's new number.
   */
  private renumber(): void {
    // One more than the slots: entries deleted after the last video, in an earlier renumber, carry nextSlot.
    const oldToNew = new Uint32Array(this.nextSlot + 1)
    const keys: number[] = []
    const firstSlot = new Uint32Array(this.byKey.size)
    const slotCount = new Uint32Array(this.byKey.size)
    const videoHashCount = new Uint32Array(this.byKey.size)
    const slotVideo = new Uint32Array(Math.max(this.liveSlots, 1))
    let next = 0
    // Videos in internal order hold slots in increasing order (store appends both).
    for (let v = 0; v < this.keys.length; v++) {
      if (this.alive[v] === 0) {
        oldToNew.fill(next, this.firstSlot[v]!, this.firstSlot[v]! + this.slotCount[v]!)
        continue
      }
      const nv = keys.length
      keys.push(this.keys[v]!)
      this.byKey.set(this.keys[v]!, nv)
      firstSlot[nv] = next
      slotCount[nv] = this.slotCount[v]!
      videoHashCount[nv] = this.videoHashCount[v]!
      for (let i = 0; i < this.slotCount[v]!; i++) {
        oldToNew[this.firstSlot[v]! + i] = next
        slotVideo[next++] = nv
      }
    }
    oldToNew[this.nextSlot] = next
    this.frames.remapPayloads((slot) => oldToNew[slot]!)
    this.keys = keys
    this.firstSlot = firstSlot
    this.slotCount = slotCount
    this.videoHashCount = videoHashCount
    this.alive = new Uint8Array(keys.length).fill(1)
    this.slotVideo = slotVideo
    this.nextSlot = next
    this.lastQueryFrame = new Uint32Array(keys.length)
    this.queryHits = new Uint32Array(keys.length)
    this.comparedHits = new Uint32Array(keys.length)
    this.best = new Uint16Array(keys.length).fill(256)
    this.slotHit = new Uint8Array(slotVideo.length)
  }

  private growVideos(n: number): void {
    if (n <= this.firstSlot.length) return
    const cap = Math.max(n, this.firstSlot.length * 2, 256)
    const grow = <T extends Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T, fill = 0): T => {
      const next = make(cap)
      if (fill !== 0) next.fill(fill)
      next.set(old)
      return next
    }
    this.firstSlot = grow(this.firstSlot, (c) => new Uint32Array(c))
    this.slotCount = grow(this.slotCount, (c) => new Uint32Array(c))
    this.videoHashCount = grow(this.videoHashCount, (c) => new Uint32Array(c))
    this.alive = grow(this.alive, (c) => new Uint8Array(c))
    this.lastQueryFrame = grow(this.lastQueryFrame, (c) => new Uint32Array(c))
    this.queryHits = grow(this.queryHits, (c) => new Uint32Array(c))
    this.comparedHits = grow(this.comparedHits, (c) => new Uint32Array(c))
    this.best = grow(this.best, (c) => new Uint16Array(c), 256)
  }

  private growSlots(n: number): void {
    if (n <= this.slotVideo.length) return
    const cap = Math.max(n, this.slotVideo.length * 2, 1024)
    const slotVideo = new Uint32Array(cap)
    slotVideo.set(this.slotVideo)
    this.slotVideo = slotVideo
    const slotHit = new Uint8Array(cap)
    slotHit.set(this.slotHit)
    this.slotHit = slotHit
  }

  /**
   * Every stored video with at least one frame within the distance tolerance of a considered
   * query frame, with both percentages and the verdict, strongest first.
   */
  compare(query: VideoFrames, rule: Partial<VideoMatchRule> = {}): VideoComparison[] {
    return this.run(query, resolveRule(rule), false)
  }

  /**
   * The stored videos that match the query by the rule, strongest first: `compare` filtered
   * by the verdict, and the same figures. It stops early once no stored video can reach the
   * query match % any more (see `run`), which is the usual answer for a clip never seen.
   */
  match(query: VideoFrames, rule: Partial<VideoMatchRule> = {}): VideoComparison[] {
    return this.run(query, resolveRule(rule), true).filter((c) => c.isMatch)
  }

  /**
   * Whether `run`'s second pass compares the frames left pairwise with the candidate videos'
   * stored hashes (`pairs` hash pairs) rather than searching the index for the
   * `hashesLeft` query hashes: when that is cheaper, by the costs measured in
   * bench/match-second-pass.bench.ts (see PAIR_NS). Both give the same answers; tests
   * override this to run each.
   */
  protected prefersPairwise(pairs: number, hashesLeft: number): boolean {
    return pairs * PAIR_NS < hashesLeft * (INDEX_HASH_NS + INDEX_HASH_NS_PER_STORED * this.frames.size)
  }

  /**
   * The query's frames against the index. With `stopWhenHopeless`, in two passes: first the
   * fewest frames that can rule every video out (100 − query match % of them: a fifth at the
   * default 80 %), and if no video is ruled out — when even the video hit by the most of
   * them could still reach the query match % with every frame left — the rest. So a clip
   * that copies nothing, the usual case, costs a fifth of a search. The first pass takes
   * frames spread over the clip (frame i·step mod n, step ≈ 0.618 n).
   *
   * After the first pass only the candidates can still match: the videos whose hits plus the
   * frames left reach the query match %. A clip that copies a stored video has few (the
   * videos it copies), and comparing the frames left pairwise with their stored hashes — a
   * copied 600-frame video is 2,400 hashes, ~450,000 hash pairs, 2–3 ms — costs far less
   * than searching the whole index for them again (~20 ms at 4,000,000 hashes: the bucket
   * reads). So the second pass is pairwise when `prefersPairwise` says it is cheaper, and a
   * search of the index otherwise (many or long candidates, or a small index). Either way
   * every frame is compared with every candidate, through the same `visit`, so the videos
   * that match carry exactly `compare`'s figures; the other videos cannot match, and are not
   * answered. More, smaller index passes would rule out half copies sooner but cost a clip
   * that matches more than they save: each pass sorts its own probes, and fewer probes share
   * fewer pages (docs/performance.md "Issue 14"). Without `stopWhenHopeless`, one pass of
   * all frames in order, every video hit answered.
   */
  private run(query: VideoFrames, r: VideoMatchRule, stopWhenHopeless: boolean): VideoComparison[] {
    const q = consideredFrames(query, this.qualityTolerance)
    const nq = q.count
    if (nq === 0 || this.liveSlots === 0) return []
    const slotVideo = this.slotVideo
    const lastQueryFrame = this.lastQueryFrame
    const queryHits = this.queryHits
    const comparedHits = this.comparedHits
    const best = this.best
    const slotHit = this.slotHit
    const touchedVideos: number[] = []
    const touchedSlots: number[] = []
    // The fewest matched query frames that reach the query match % (as `verdict` computes it).
    let needed = 1
    while (needed < nq && (needed * 100) / nq < r.queryMatchPercent) needed++
    const firstPass = stopWhenHopeless ? Math.min(nq, Math.max(MIN_PASS_FRAMES, nq - needed + 1)) : nq
    let step = Math.max(1, Math.round(nq * 0.618))
    while (gcd(step, nq) !== 1) step++
    const passHashes = new Uint32Array(q.start[nq]! * HASH256_WORDS)
    // Query hash → its frame's number + 1 (the per-video stamp of the frame that hit it).
    const frameOf = new Uint32Array(q.start[nq]!)
    /** Packs the query frames searched `from` to `to` - 1 into passHashes; returns how many hashes. */
    const pack = (from: number, to: number): number => {
      let n = 0
      for (let i = from; i < to; i++) {
        const f = firstPass >= nq ? i : (i * step) % nq
        const h0 = q.start[f]!
        const h1 = q.start[f + 1]!
        passHashes.set(q.hashes.subarray(h0 * HASH256_WORDS, h1 * HASH256_WORDS), n * HASH256_WORDS)
        frameOf.fill(f + 1, n, n + h1 - h0)
        n += h1 - h0
      }
      return n
    }
    let mostHits = 0
    const visit = (hash: number, slot: number, distance: number) => {
      // One stamp per query frame, whichever of its hashes finds a stored frame; a frame's
      // hashes are in one pass, and their hits on a video come together.
      const stamp = frameOf[hash]!
      const v = slotVideo[slot]!
      if (lastQueryFrame[v] !== stamp) {
        if (lastQueryFrame[v] === 0) touchedVideos.push(v)
        lastQueryFrame[v] = stamp
        if (++queryHits[v]! > mostHits) mostHits = queryHits[v]!
      }
      if (slotHit[slot] === 0) {
        slotHit[slot] = 1
        touchedSlots.push(slot)
        comparedHits[v]!++
      }
      if (distance < best[v]!) best[v] = distance
    }
    const verdicts = (videos: number[]) =>
      videos.map((v) => verdict(this.keys[v]!, queryHits[v]!, nq, comparedHits[v]!, this.slotCount[v]!, best[v]!, r)).sort(byStrength)
    try {
      let n = pack(0, firstPass)
      this.frames.forEachWithinMany(passHashes.subarray(0, n * HASH256_WORDS), r.distanceTolerance, visit)
      if (firstPass === nq) return verdicts(touchedVideos)
      const left = nq - firstPass
      if (mostHits + left < needed) return []
      const candidates = touchedVideos.filter((v) => queryHits[v]! + left >= needed)
      n = pack(firstPass, nq)
      let pairs = 0
      for (const v of candidates) pairs += this.videoHashCount[v]! * n
      if (this.prefersPairwise(pairs, n)) {
        // A video's frames are the slots firstSlot…firstSlot + slotCount - 1, and only its own.
        for (const v of candidates) {
          this.frames.forEachWithinPayloads(passHashes.subarray(0, n * HASH256_WORDS), r.distanceTolerance, this.firstSlot[v]!, this.firstSlot[v]! + this.slotCount[v]!, visit)
        }
        return verdicts(candidates)
      }
      this.frames.forEachWithinMany(passHashes.subarray(0, n * HASH256_WORDS), r.distanceTolerance, visit)
      return verdicts(touchedVideos)
    } finally {
      for (const v of touchedVideos) {
        lastQueryFrame[v] = 0
        queryHits[v] = 0
        comparedHits[v] = 0
        best[v] = 256
      }
      for (const s of touchedSlots) slotHit[s] = 0
    }
  }
}
