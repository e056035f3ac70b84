/**
 * An in-memory index of 256-bit frame hashes (PDQ), each with a small integer payload, that
 * answers "every stored hash within Hamming distance r of this one" exactly.
 *
 * The structure is multi-index hashing (Norouzi, Punjani & Fleet, 2014; the reference's
 * choice in facebook/ThreatExchange `pdq/cpp/index/mih.h`): each hash is cut into 16 chunks
 * of 16 bits, and for every chunk position a table lists the entries by chunk value.
 * Probing follows a two-level pigeonhole. With r = 8t + a, some 32-bit word is within t
 * bits of the query's (a word among the first a+1), or within t-1 (any other); and inside
 * that word, the high half is within h = floor(t/2) bits or the low half within t-h-1. So
 * for each word the high-half table is probed at every value within h bits and the
 * low-half table within t-h-1 bits. Each table entry also keeps the other half of its word
 * (16 bits), and a bucket d bits from the query keeps only entries whose other half is
 * within t-d bits: at r = 31 (t = 3, PDQ's customary threshold) that is 16 × 17 = 272
 * buckets, ~15 entries each at a million hashes, of which ~1 % survive to be checked on all
 * 256 bits. Without that filter every entry of every bucket had its hash read, a cache miss
 * each, and a 60-frame clip took 5–7 times longer. Radius 63 (t = 7) probes 16 × 697 buckets
 * and stays exact, only slower. Figures and the comparison with a BK-tree and a linear
 * scan: docs/perceptual-hashes.md, "Why multi-index hashing: the figures". 16-bit chunks stay right at 4M hashes (~61 entries
 * a bucket), though MIH's rule of thumb says ~22 bits: a clip's cost is its scattered bucket
 * reads, not the entries the filter passes over, and longer chunks read many more buckets
 * (bench/frame-index-chunks.bench.ts).
 *
 * A clip is many queries (60 frames × 4 hashes with the robust hashing): `forEachWithinMany`
 * makes all their probes first and visits the buckets in memory order, which at a million
 * hashes takes about half the CPU time of the same probes one query at a time
 * (bench/video-match.bench.ts). `forEachWithinPayloads` compares queries with one payload
 * range's entries pairwise, without the tables: a candidate video's few thousand hashes.
 *
 * Everything is packed typed arrays, never an object per hash: the hashes (32 bytes each),
 * the payloads (4), a deleted flag (1), a visit stamp (1) and the 16 tables (16 × 6 bytes:
 * entry number and other half, in counting-sort order, plus 4 MiB of bucket starts shared
 * by all): 134 bytes a hash, ~138 MB at a million.
 *
 * Changes: `add` appends to a tail that queries scan linearly until it passes `tailLimit`
 * entries, then the tables are rebuilt (a counting sort per word); `removeWhere` marks
 * entries deleted (queries skip them) and compacts by a rebuild once a quarter of the
 * entries are deleted. A rebuild from packed arrays (`FrameIndex.fromPacked`) is the way to
 * replace everything at once.
 */
import { HASH256_WORDS, popcount32 as sharedPopcount32 } from '../../shared/pdq/hash256'

// A module-level copy of the import: transpilers that keep live bindings (tsx, vitest) turn
// every use of an imported name into a property getter, a fifth of a hot loop's time.
const popcount32 = sharedPopcount32

/** The largest radius a query may ask for (the reference's MIH_MAX_D): beyond it a scan is as fast. */
export const FRAME_INDEX_MAX_RADIUS = 63
export const FRAME_INDEX_CHUNKS = 16
/** Entries appended since the last rebuild that queries may scan linearly. */
export const FRAME_INDEX_DEFAULT_TAIL_LIMIT = 4096

const CHUNK_VALUES = 1 << 16
const BUCKETS = FRAME_INDEX_CHUNKS * CHUNK_VALUES
/** Query hashes per pass of `forEachWithinMany`: a probe is bucket × 2^12 + query, one 32-bit word. */
const MANY_PASS = 1 << 12
/** Buckets within 0, 1, 2, 3 bits of a 16-bit value. */
const BALL = [1, 17, 137, 697]
/** Bits set in each 16-bit value: one load instead of popcount32's arithmetic in the hottest loop. */
const BITS16 = new Uint8Array(1 << 16)
for (let v = 1; v < 1 << 16; v++) BITS16[v] = (v & 1) + BITS16[v >>> 1]!
const MAX_PAYLOAD = 0xffffffff

/** One stored hash within the radius: its payload and its distance from the query. */
export interface FrameHit {
  payload: number
  distance: number
}

/** Called once per stored entry within the radius; must not query the same index. */
export type FrameVisitor = (payload: number, distance: number) => void

/** Called once per (query hash, stored entry) within the radius, queries in ascending order. */
export type ManyVisitor = (query: number, payload: number, distance: number) => void

/** What the video matcher needs from a frame index; every structure here provides it. */
export interface FrameHashIndex {
  /** Entries that queries can return (added, not removed). */
  readonly size: number
  add(hashes: Uint32Array, payloads: ArrayLike<number>): void
  forEachWithin(hash: Uint32Array, radius: number, visit: FrameVisitor, offset?: number): void
  query(hash: Uint32Array, radius: number, offset?: number): FrameHit[]
  /**
   * `forEachWithin` for every hash of `queries` (packed, 8 words each): `visit(q, …)` for
   * query q's hits, all of query 0's before any of query 1's, and so on.
   */
  forEachWithinMany(queries: Uint32Array, radius: number, visit: ManyVisitor): void
  /** Marks every entry whose payload satisfies `remove` as deleted; returns how many. */
  removeWhere(remove: (payload: number) => boolean): number
  /** Bytes held by the index's arrays (its own figure; see the bench for process RSS). */
  memoryBytes(): number
}

/** Throws unless `hashes` is packed 256-bit hashes and `payloads` has one integer for each. */
export function checkPacked(hashes: Uint32Array, payloads: ArrayLike<number>): number {
  const count = checkPackedHashes(hashes)
  if (payloads == null || typeof payloads.length !== 'number') throw new TypeError('payloads must be an array of integers, one per hash')
  if (payloads.length !== count) throw new RangeError(`got ${count} hashes but ${payloads.length} payloads: one payload per hash`)
  if (!(payloads instanceof Uint32Array)) {
    for (let i = 0; i < count; i++) {
      const p = payloads[i]!
      if (!Number.isInteger(p) || p < 0 || p > MAX_PAYLOAD) throw new RangeError(`payload ${i} is ${p}: payloads are integers from 0 to ${MAX_PAYLOAD}`)
    }
  }
  return count
}

/** Throws unless `hashes` is packed 256-bit hashes; returns how many. */
export function checkPackedHashes(hashes: Uint32Array, what = 'frame hashes'): number {
  if (!(hashes instanceof Uint32Array)) throw new TypeError(`${what} must be a Uint32Array of packed 256-bit hashes (8 words each)`)
  if (hashes.length % HASH256_WORDS !== 0) {
    throw new RangeError(`${what} must be packed 256-bit hashes, 8 words each: got ${hashes.length} words, not a multiple of 8`)
  }
  return hashes.length / HASH256_WORDS
}

/** Throws unless `radius` is an integer in 0…FRAME_INDEX_MAX_RADIUS. */
export function checkRadius(radius: number): void {
  if (!Number.isInteger(radius) || radius < 0 || radius > FRAME_INDEX_MAX_RADIUS) {
    throw new RangeError(`radius must be an integer from 0 to ${FRAME_INDEX_MAX_RADIUS} bits, got ${radius}`)
  }
}

/** Throws unless `hash[offset…offset+8]` is a whole 256-bit hash. */
export function checkQueryHash(hash: Uint32Array, offset: number): void {
  if (!(hash instanceof Uint32Array)) throw new TypeError('a query hash must be a Uint32Array (8 words)')
  if (!Number.isInteger(offset) || offset < 0 || offset + HASH256_WORDS > hash.length) {
    throw new RangeError(`a query hash needs 8 words at offset ${offset}, but the array holds ${hash.length}`)
  }
}

export function byDistanceThenPayload(a: FrameHit, b: FrameHit): number {
  return a.distance - b.distance || a.payload - b.payload
}

/**
 * The packed storage every structure shares: hashes, payloads and deleted flags, grown by
 * doubling. Entry numbers are internal (compaction renumbers them); callers see payloads.
 */
export abstract class PackedFrames {
  protected hashes = new Uint32Array(0)
  protected payloads = new Uint32Array(0)
  protected deleted = new Uint8Array(0)
  /** Entries stored, deleted ones included. */
  protected count = 0
  protected deletedCount = 0

  get size(): number {
    return this.count - this.deletedCount
  }

  protected reserve(capacity: number): void {
    if (capacity <= this.payloads.length) return
    const grown = Math.max(capacity, Math.min(this.payloads.length * 2, capacity + (1 << 22)), 1024)
    const hashes = new Uint32Array(grown * HASH256_WORDS)
    hashes.set(this.hashes.subarray(0, this.count * HASH256_WORDS))
    const payloads = new Uint32Array(grown)
    payloads.set(this.payloads.subarray(0, this.count))
    const deleted = new Uint8Array(grown)
    deleted.set(this.deleted.subarray(0, this.count))
    this.hashes = hashes
    this.payloads = payloads
    this.deleted = deleted
    this.grew(grown)
  }

  /** Lets a structure grow its own per-entry arrays with the storage. */
  protected grew(_capacity: number): void {}

  protected append(hashes: Uint32Array, payloads: ArrayLike<number>): number {
    const added = checkPacked(hashes, payloads)
    this.reserve(this.count + added)
    this.hashes.set(hashes, this.count * HASH256_WORDS)
    for (let i = 0; i < added; i++) this.payloads[this.count + i] = payloads[i]!
    this.count += added
    return added
  }

  protected markWhere(remove: (payload: number) => boolean): number {
    let removed = 0
    for (let i = 0; i < this.count; i++) {
      if (this.deleted[i] === 0 && remove(this.payloads[i]!)) {
        this.deleted[i] = 1
        removed++
      }
    }
    this.deletedCount += removed
    return removed
  }

  /** Drops deleted entries, keeping the others' order. */
  protected compact(): void {
    if (this.deletedCount === 0) return
    let kept = 0
    const h = this.hashes
    for (let i = 0; i < this.count; i++) {
      if (this.deleted[i] !== 0) continue
      if (kept !== i) {
        h.copyWithin(kept * HASH256_WORDS, i * HASH256_WORDS, (i + 1) * HASH256_WORDS)
        this.payloads[kept] = this.payloads[i]!
      }
      kept++
    }
    this.deleted.fill(0, 0, this.count)
    this.count = kept
    this.deletedCount = 0
  }

  /**
   * Linear scan of entries [from, to): every live entry within `radius` of the query at
   * q[qo…qo+8], compared on all 256 bits. The brute-force answer, the MIH's tail and the
   * pairwise pass of forEachWithinPayloads.
   */
  protected scanRange(from: number, to: number, q: Uint32Array, qo: number, radius: number, visit: FrameVisitor): void {
    const h = this.hashes
    const deleted = this.deleted
    const bits16 = BITS16
    const q0 = q[qo]!, q1 = q[qo + 1]!, q2 = q[qo + 2]!, q3 = q[qo + 3]!
    const q4 = q[qo + 4]!, q5 = q[qo + 5]!, q6 = q[qo + 6]!, q7 = q[qo + 7]!
    for (let id = from; id < to; id++) {
      // Three words first: random pairs are ~48 bits apart there, so nearly all stop at
      // one well-predicted branch (after two, at ~32 bits, the branch mispredicts half the
      // time: 2.1× slower). Bits counted by the 64 KiB table: in a bare copy of this loop
      // 2.6 ns a pair against 4.3 ns with popcount32, and 3.2 ns checking after four words.
      const b = id << 3
      let x = h[b]! ^ q0
      let d = bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 1]! ^ q1
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 2]! ^ q2
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      if (d > radius) continue
      x = h[b + 3]! ^ q3
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 4]! ^ q4
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 5]! ^ q5
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 6]! ^ q6
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      x = h[b + 7]! ^ q7
      d += bits16[x & 0xffff]! + bits16[x >>> 16]!
      if (d <= radius && deleted[id] === 0) visit(this.payloads[id]!, d)
    }
  }

  /**
   * Replaces every entry's payload by `map(payload)`, keeping the hashes where they are (no
   * rebuild): how an owner renumbers its payloads after removing many. Deleted entries not yet
   * compacted are mapped too (queries never return them): an order the owner keeps in its
   * payloads then holds for every entry, which `FrameIndex.forEachWithinPayloads` needs.
   */
  remapPayloads(map: (payload: number) => number): void {
    for (let i = 0; i < this.count; i++) {
      const p = map(this.payloads[i]!)
      if (!Number.isInteger(p) || p < 0 || p > MAX_PAYLOAD) throw new RangeError(`payload ${this.payloads[i]} was mapped to ${p}: payloads are integers from 0 to ${MAX_PAYLOAD}`)
      this.payloads[i] = p
    }
  }

  query(hash: Uint32Array, radius: number, offset = 0): FrameHit[] {
    const hits: FrameHit[] = []
    this.forEachWithin(hash, radius, (payload, distance) => hits.push({ payload, distance }), offset)
    return hits.sort(byDistanceThenPayload)
  }

  abstract forEachWithin(hash: Uint32Array, radius: number, visit: FrameVisitor, offset?: number): void

  forEachWithinMany(queries: Uint32Array, radius: number, visit: ManyVisitor): void {
    const n = checkPackedHashes(queries, 'query hashes')
    checkRadius(radius)
    for (let q = 0; q < n; q++) this.forEachWithin(queries, radius, (payload, distance) => visit(q, payload, distance), q * HASH256_WORDS)
  }

  protected storageBytes(): number {
    return this.hashes.byteLength + this.payloads.byteLength + this.deleted.byteLength
  }
}

export interface FrameIndexOptions {
  /** Appended entries scanned linearly before the tables are rebuilt (default 4096). */
  tailLimit?: number
}

/** The multi-index-hashing frame index (see the file comment). */
export class FrameIndex extends PackedFrames implements FrameHashIndex {
  /** Bucket b = chunk × 65536 + value holds table entries [starts[b], starts[b+1]). */
  private starts = new Uint32Array(0)
  /** Per table entry: the stored entry's number, and the other 16-bit half of its word. */
  private ids = new Uint32Array(0)
  private siblings = new Uint16Array(0)
  /** Entries [0, built) are in the tables; [built, count) are the tail. */
  private built = 0
  /** Per-entry "already checked in this query" marks, epoch-numbered. */
  private stamp = new Uint8Array(0)
  private epoch = 0
  private busy = false
  private batching = 0
  private readonly tailLimit: number
  // The query in progress (set by forEachWithin, read by scanBucket).
  private readonly needle = new Uint32Array(HASH256_WORDS)
  private radius = 0
  private visit: FrameVisitor = () => {}
  // Scratch of forEachWithinMany, kept between calls.
  private probes = new Uint32Array(0)
  private sortedProbes = new Uint32Array(0)
  private probeGroups = new Uint32Array(0)
  private candidateQuery = new Uint32Array(0)
  private candidateId = new Uint32Array(0)
  private byQuery = new Uint32Array(0)
  private queryStart = new Uint32Array(MANY_PASS + 1)

  constructor(options: FrameIndexOptions = {}) {
    super()
    const tailLimit = options.tailLimit ?? FRAME_INDEX_DEFAULT_TAIL_LIMIT
    if (!Number.isInteger(tailLimit) || tailLimit < 0) throw new RangeError(`tailLimit must be a non-negative integer, got ${tailLimit}`)
    this.tailLimit = tailLimit
  }

  /** An index over packed hashes (8 words each) and their payloads, built at once. */
  static fromPacked(hashes: Uint32Array, payloads: ArrayLike<number>, options?: FrameIndexOptions): FrameIndex {
    const index = new FrameIndex(options)
    index.reserve(checkPacked(hashes, payloads))
    index.append(hashes, payloads)
    index.rebuild()
    return index
  }

  protected override grew(capacity: number): void {
    const stamp = new Uint8Array(capacity)
    stamp.set(this.stamp.subarray(0, this.count))
    this.stamp = stamp
  }

  add(hashes: Uint32Array, payloads: ArrayLike<number>): void {
    this.append(hashes, payloads)
    if (this.batching === 0 && this.count - this.built > this.tailLimit) this.rebuild()
  }

  /**
   * Runs `fn`, whose adds do not rebuild the tables; one rebuild follows if the tail is then
   * past its limit. How many videos are loaded at once without a rebuild per few thousand.
   */
  batch<T>(fn: () => T): T {
    this.batching++
    try {
      return fn()
    } finally {
      if (--this.batching === 0 && this.count - this.built > this.tailLimit) this.rebuild()
    }
  }

  removeWhere(remove: (payload: number) => boolean): number {
    const removed = this.markWhere(remove)
    if (this.deletedCount > 0 && this.deletedCount * 4 >= this.count) this.rebuild()
    return removed
  }

  /** Drops deleted entries and indexes the tail: every entry is in the tables afterwards. */
  rebuild(): void {
    this.compact()
    const n = this.count
    if (this.starts.length === 0) this.starts = new Uint32Array(BUCKETS + 1)
    if (this.ids.length < n * FRAME_INDEX_CHUNKS) {
      this.ids = new Uint32Array(this.payloads.length * FRAME_INDEX_CHUNKS)
      this.siblings = new Uint16Array(this.payloads.length * FRAME_INDEX_CHUNKS)
    }
    const starts = this.starts
    const ids = this.ids
    const siblings = this.siblings
    const h = this.hashes
    starts.fill(0)
    // A counting sort per word (its two chunks): the high half of word w is chunk 2w, in
    // buckets from w × 2^17, the low half chunk 2w+1, from w × 2^17 + 2^16.
    for (let w = 0; w < HASH256_WORDS; w++) {
      const hi = w << 17
      const lo = hi + CHUNK_VALUES
      for (let i = 0; i < n; i++) {
        const word = h[(i << 3) + w]!
        starts[hi + (word >>> 16) + 1]!++
        starts[lo + (word & 0xffff) + 1]!++
      }
    }
    for (let k = 1; k <= BUCKETS; k++) starts[k]! += starts[k - 1]!
    const cursor = starts.slice(0, BUCKETS)
    for (let w = 0; w < HASH256_WORDS; w++) {
      const hi = w << 17
      const lo = hi + CHUNK_VALUES
      for (let i = 0; i < n; i++) {
        const word = h[(i << 3) + w]!
        const high = word >>> 16
        const low = word & 0xffff
        let at = cursor[hi + high]!++
        ids[at] = i
        siblings[at] = low
        at = cursor[lo + low]!++
        ids[at] = i
        siblings[at] = high
      }
    }
    this.built = n
  }

  forEachWithin(hash: Uint32Array, radius: number, visit: FrameVisitor, offset = 0): void {
    checkQueryHash(hash, offset)
    checkRadius(radius)
    this.exclusive(() => this.probeAll(hash, offset, radius, visit))
  }

  private probeAll(hash: Uint32Array, offset: number, radius: number, visit: FrameVisitor): void {
    try {
      if (this.built > 0) {
        if (++this.epoch === 256) {
          this.stamp.fill(0)
          this.epoch = 1
        }
        for (let w = 0; w < HASH256_WORDS; w++) this.needle[w] = hash[offset + w]!
        this.radius = radius
        this.visit = visit
        // r = 8t + a: some word among the first a+1 is within t bits, or some other word
        // within t-1 (else the distance would be at least (a+1)(t+1) + (7-a)t = r+1).
        const t = radius >>> 3
        const a = radius & 7
        for (let w = 0; w < HASH256_WORDS; w++) {
          const wordRadius = w <= a ? t : t - 1
          if (wordRadius < 0) continue
          // That word's halves differ by dHigh + dLow <= wordRadius, so dHigh <= h, or else
          // dLow <= wordRadius - h - 1: probe the high-half table within h and the low-half
          // table within wordRadius - h - 1, each bucket filtered on the other half.
          const h = wordRadius >>> 1
          const word = this.needle[w]!
          this.probe(w << 1, word >>> 16, word & 0xffff, h, wordRadius)
          if (wordRadius - h - 1 >= 0) this.probe((w << 1) + 1, word & 0xffff, word >>> 16, wordRadius - h - 1, wordRadius)
        }
      }
      this.scanRange(this.built, this.count, hash, offset, radius, visit)
    } finally {
      this.visit = () => {}
    }
  }

  /** Runs one query; a query started from another's visitor would overwrite its state (needle, stamps, scratch). */
  private exclusive(run: () => void): void {
    if (this.busy) throw new Error('a frame index query cannot start another query on the same index from its visitor')
    this.busy = true
    try {
      run()
    } finally {
      this.busy = false
    }
  }

  /**
   * The same probes as `forEachWithin` for many query hashes at once, made in bucket order:
   * the probes of a clip's 240 hashes (60 frames × 4) are 65,000 buckets spread over ~100 MB
   * of tables, and taken one query at a time nearly each is a cache and TLB miss; sorted by
   * bucket (a counting sort on bucket / 16), neighbouring probes share pages and lines and
   * the reads run forward through each table. Entries that pass the other-half filter are
   * collected as (query, entry) pairs, then checked on all 256 bits query by query, each
   * entry once per query.
   */
  override forEachWithinMany(queries: Uint32Array, radius: number, visit: ManyVisitor): void {
    const n = checkPackedHashes(queries, 'query hashes')
    checkRadius(radius)
    this.exclusive(() => {
      for (let from = 0; from < n; from += MANY_PASS) this.manyPass(queries, from, Math.min(n, from + MANY_PASS), radius, visit)
    })
  }

  private manyPass(queries: Uint32Array, from: number, to: number, radius: number, visit: ManyVisitor): void {
    const count = to - from
    const t = radius >>> 3
    const a = radius & 7
    let candidates = 0
    if (this.built > 0) {
      // 1. The probes: bucket × 2^12 + query, for every word's two halves (see forEachWithin).
      let perQuery = 0
      for (let w = 0; w < HASH256_WORDS; w++) {
        const wordRadius = w <= a ? t : t - 1
        if (wordRadius < 0) continue
        const h = wordRadius >>> 1
        perQuery += BALL[h]! + (wordRadius - h - 1 >= 0 ? BALL[wordRadius - h - 1]! : 0)
      }
      const total = perQuery * count
      if (this.probes.length < total) {
        this.probes = new Uint32Array(total)
        this.sortedProbes = new Uint32Array(total)
      }
      const probes = this.probes
      let np = 0
      for (let q = 0; q < count; q++) {
        const base = (from + q) << 3
        for (let w = 0; w < HASH256_WORDS; w++) {
          const wordRadius = w <= a ? t : t - 1
          if (wordRadius < 0) continue
          const h = wordRadius >>> 1
          const word = queries[base + w]!
          np = addProbes(probes, np, (w << 1) * CHUNK_VALUES, word >>> 16, h, q)
          if (wordRadius - h - 1 >= 0) np = addProbes(probes, np, ((w << 1) + 1) * CHUNK_VALUES, word & 0xffff, wordRadius - h - 1, q)
        }
      }
      // 2. Counting sort on bucket >>> 4 (the key's top 16 bits).
      if (this.probeGroups.length === 0) this.probeGroups = new Uint32Array((1 << 16) + 1)
      const groups = this.probeGroups
      groups.fill(0)
      for (let i = 0; i < np; i++) groups[(probes[i]! >>> 16) + 1]!++
      for (let g = 1; g <= 1 << 16; g++) groups[g]! += groups[g - 1]!
      const sorted = this.sortedProbes
      for (let i = 0; i < np; i++) {
        const key = probes[i]!
        sorted[groups[key >>> 16]!++] = key
      }
      // 3. The buckets in order; the other half filters, as in scanBucket.
      const starts = this.starts
      const ids = this.ids
      const siblings = this.siblings
      const bits16 = BITS16
      let cq = this.candidateQuery
      let ci = this.candidateId
      if (cq.length === 0) {
        cq = new Uint32Array(4096)
        ci = new Uint32Array(4096)
      }
      for (let i = 0; i < np; i++) {
        const key = sorted[i]!
        const bucket = key >>> 12
        let k = starts[bucket]!
        const end = starts[bucket + 1]!
        if (k === end) continue
        const q = key & (MANY_PASS - 1)
        const c = bucket >>> 16
        const w = c >>> 1
        const word = queries[((from + q) << 3) + w]!
        const own = (c & 1) === 0 ? word >>> 16 : word & 0xffff
        const sibling = (c & 1) === 0 ? word & 0xffff : word >>> 16
        const siblingRadius = (w <= a ? t : t - 1) - popcount32((bucket & 0xffff) ^ own)
        for (; k < end; k++) {
          if (bits16[siblings[k]! ^ sibling]! > siblingRadius) continue
          if (candidates === cq.length) {
            const grownQ = new Uint32Array(cq.length * 2)
            grownQ.set(cq)
            cq = grownQ
            const grownI = new Uint32Array(ci.length * 2)
            grownI.set(ci)
            ci = grownI
          }
          cq[candidates] = q
          ci[candidates++] = ids[k]!
        }
      }
      this.candidateQuery = cq
      this.candidateId = ci
      // 4. Candidates grouped by query (a counting sort), for step 5's query order.
      const queryStart = this.queryStart
      queryStart.fill(0, 0, count + 1)
      for (let i = 0; i < candidates; i++) queryStart[cq[i]! + 1]!++
      for (let q = 1; q <= count; q++) queryStart[q]! += queryStart[q - 1]!
      if (this.byQuery.length < candidates) this.byQuery = new Uint32Array(cq.length)
      const byQuery = this.byQuery
      for (let i = 0; i < candidates; i++) byQuery[queryStart[cq[i]!]!++] = ci[i]!
      // queryStart[q] is now where query q's candidates end; query q starts where q-1 ends.
    }
    // 5. Per query, in order: its candidates checked on all 256 bits (each entry once), then the tail.
    const h = this.hashes
    const stamp = this.stamp
    const deleted = this.deleted
    const payloads = this.payloads
    for (let q = 0; q < count; q++) {
      const qo = (from + q) << 3
      const query = from + q
      if (candidates > 0) {
        if (++this.epoch === 256) {
          stamp.fill(0)
          this.epoch = 1
        }
        const epoch = this.epoch
        const q0 = queries[qo]!, q1 = queries[qo + 1]!, q2 = queries[qo + 2]!, q3 = queries[qo + 3]!
        const q4 = queries[qo + 4]!, q5 = queries[qo + 5]!, q6 = queries[qo + 6]!, q7 = queries[qo + 7]!
        const end = this.queryStart[q]!
        for (let i = q === 0 ? 0 : this.queryStart[q - 1]!; i < end; i++) {
          const id = this.byQuery[i]!
          // Nearly every candidate is a stranger that passed the 16-bit filter by chance: its
          // distance first, and the visit stamp (another cache miss) only for the hits.
          const b = id << 3
          const d =
            popcount32(h[b]! ^ q0) +
            popcount32(h[b + 1]! ^ q1) +
            popcount32(h[b + 2]! ^ q2) +
            popcount32(h[b + 3]! ^ q3) +
            popcount32(h[b + 4]! ^ q4) +
            popcount32(h[b + 5]! ^ q5) +
            popcount32(h[b + 6]! ^ q6) +
            popcount32(h[b + 7]! ^ q7)
          if (d > radius || deleted[id] !== 0 || stamp[id] === epoch) continue
          stamp[id] = epoch
          visit(query, payloads[id]!, d)
        }
      }
      if (this.built < this.count) this.scanRange(this.built, this.count, queries, qo, radius, (payload, distance) => visit(query, payload, distance))
    }
  }

  /**
   * `forEachWithinMany` restricted to the live entries whose payload is in
   * [fromPayload, toPayload), without the tables: every query hash against every such entry
   * (a pairwise comparison), queries in ascending order. For an owner that asks about a few
   * known payload ranges (VideoMatchIndex: a candidate video's frames), where reading the
   * tables' scattered buckets would cost more than comparing the few thousand entries.
   *
   * The entries are found by binary search, so it needs the payloads non-decreasing in entry
   * order, deleted entries included — the owner's invariant, which `add` (appending),
   * compaction (keeping order) and an order-keeping `remapPayloads` preserve. An entry whose
   * payload lies out of order would be missed, or found outside its range.
   */
  forEachWithinPayloads(queries: Uint32Array, radius: number, fromPayload: number, toPayload: number, visit: ManyVisitor): void {
    const n = checkPackedHashes(queries, 'query hashes')
    checkRadius(radius)
    for (const [name, p] of [['fromPayload', fromPayload], ['toPayload', toPayload]] as const) {
      if (!Number.isInteger(p) || p < 0 || p > MAX_PAYLOAD + 1) throw new RangeError(`${name} is ${p}: a payload range is integers from 0 to ${MAX_PAYLOAD + 1}`)
    }
    this.exclusive(() => {
      const from = this.firstEntryFrom(fromPayload)
      const to = this.firstEntryFrom(toPayload)
      for (let q = 0; q < n; q++) this.scanRange(from, to, queries, q << 3, radius, (payload, distance) => visit(q, payload, distance))
    })
  }

  /** The first entry whose payload is ≥ `payload` (payloads non-decreasing in entry order). */
  private firstEntryFrom(payload: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.payloads[mid]! < payload) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Every bucket of chunk `c` whose value is within `bits` bits of `value`; in a bucket
   * `d` bits from it, only entries whose other half is within `wordRadius - d` bits of
   * `sibling` can be within the radius.
   */
  private probe(c: number, value: number, sibling: number, bits: number, wordRadius: number): void {
    const base = c * CHUNK_VALUES
    this.scanBucket(base + value, sibling, wordRadius)
    if (bits === 0) return
    for (let i1 = 0; i1 < 16; i1++) {
      const v1 = value ^ (1 << i1)
      this.scanBucket(base + v1, sibling, wordRadius - 1)
      if (bits === 1) continue
      for (let i2 = i1 + 1; i2 < 16; i2++) {
        const v2 = v1 ^ (1 << i2)
        this.scanBucket(base + v2, sibling, wordRadius - 2)
        if (bits === 2) continue
        for (let i3 = i2 + 1; i3 < 16; i3++) this.scanBucket(base + (v2 ^ (1 << i3)), sibling, wordRadius - 3)
      }
    }
  }

  private scanBucket(bucket: number, sibling: number, siblingRadius: number): void {
    const starts = this.starts
    let k = starts[bucket]!
    const end = starts[bucket + 1]!
    if (k === end) return
    const ids = this.ids
    const siblings = this.siblings
    const stamp = this.stamp
    const epoch = this.epoch
    const h = this.hashes
    const q = this.needle
    const radius = this.radius
    for (; k < end; k++) {
      // The table's own copy of the other half rejects nearly all strangers without
      // reading their hash (a cache miss each).
      if (popcount32(siblings[k]! ^ sibling) > siblingRadius) continue
      const id = ids[k]!
      if (stamp[id] === epoch) continue
      stamp[id] = epoch
      const b = id << 3
      const d =
        popcount32(h[b]! ^ q[0]!) +
        popcount32(h[b + 1]! ^ q[1]!) +
        popcount32(h[b + 2]! ^ q[2]!) +
        popcount32(h[b + 3]! ^ q[3]!) +
        popcount32(h[b + 4]! ^ q[4]!) +
        popcount32(h[b + 5]! ^ q[5]!) +
        popcount32(h[b + 6]! ^ q[6]!) +
        popcount32(h[b + 7]! ^ q[7]!)
      if (d <= radius && this.deleted[id] === 0) this.visit(this.payloads[id]!, d)
    }
  }

  memoryBytes(): number {
    return this.storageBytes() + this.stamp.byteLength + this.starts.byteLength + this.ids.byteLength + this.siblings.byteLength
  }
}

/** Appends to `probes` every bucket of the table at `base` within `bits` (0…3) bits of `value`, for query `q`. */
function addProbes(probes: Uint32Array, at: number, base: number, value: number, bits: number, q: number): number {
  // bucket × 2^12 + q as an int32; the typed array keeps its 32 bits (bucket < 2^20).
  const b = base + value
  probes[at++] = (b << 12) | q
  if (bits === 0) return at
  for (let i1 = 0; i1 < 16; i1++) {
    const b1 = b ^ (1 << i1)
    probes[at++] = (b1 << 12) | q
    if (bits === 1) continue
    for (let i2 = i1 + 1; i2 < 16; i2++) {
      const b2 = b1 ^ (1 << i2)
      probes[at++] = (b2 << 12) | q
      if (bits === 2) continue
      for (let i3 = i2 + 1; i3 < 16; i3++) probes[at++] = ((b2 ^ (1 << i3)) << 12) | q
    }
  }
  return at
}
