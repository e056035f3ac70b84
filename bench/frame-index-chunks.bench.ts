/**
 * Which chunk length at 4,000,000 stored hashes (issue 14's second reading)? A model of the
 * frame index's memory traffic, not the index: multi-index hashing's rule of thumb
 * (log₂ N ≈ 22-bit chunks at 4M) weighs probes against candidates checked on all 256 bits,
 * but `FrameIndex` rejects nearly all of a bucket's entries with a 16-bit copy of the other
 * half of their word, read in sequence, so what a clip costs is the buckets it reads from
 * scattered places (a cache and TLB miss each) against the entries it filters (cheap, in
 * sequence). Each layout below is built for real (4,000,000 random keys a table, counting
 * sort, bucket starts and a 16-bit filter value per entry) and a clip's probes (240 query
 * hashes × the layout's probes per hash at radius 31, random buckets, sorted by bucket as
 * `forEachWithinMany` does) read and filter their buckets; CPU time per clip, the reads
 * only (making and sorting the probes is not timed: it grows with the probes, so it only
 * widens the gaps below).
 *
 *   npx tsx bench/frame-index-chunks.bench.ts
 *
 * Layouts (pigeonhole at r = 31, as in the file comment of src/core/hashes/frame-index.ts):
 * - 8 words × two 16-bit halves (today's): every word within 3 bits, so its high or its low
 *   half within 1: 16 tables × 17 buckets = 272 probes, 61 entries a bucket.
 * - 9 chunks of 28–29 bits, halves of 14–15: 31 = 9·3 + 4, five chunks within 3 (2 × ~16
 *   probes) and four within 2 (one half within 1, the other exact: ~17): ~214 probes.
 * - 7 chunks of 36–37 bits, halves of 18: 31 = 7·4 + 3, four chunks within 4 (one half
 *   within 2: 172, or the other within 1: 19) and three within 3 (2 × 19): 878 probes.
 * - 12 chunks of 21–22 bits, no halves (MIH's ~22 bits): 31 = 12·2 + 7, eight chunks within
 *   2 (232–254 buckets each) and four within 1 (22–23): ~1,950 probes, ~2 entries a bucket.
 */
import { loadavg } from 'node:os'
import { seededRandom } from '../src/core/hashes/synthetic'
import { p } from './figures'

const N = 4_000_000
const QUERIES = 240
const CLIPS = Number(process.env.BENCH_CHUNK_CLIPS ?? 20)
const BITS16 = new Uint8Array(1 << 16)
for (let v = 1; v < 1 << 16; v++) BITS16[v] = (v & 1) + BITS16[v >>> 1]!

interface Layout {
  name: string
  tables: number
  keyBits: number
  probesPerQuery: number
}

const LAYOUTS: Layout[] = [
  { name: '16 tables of 16-bit halves (today)', tables: 16, keyBits: 16, probesPerQuery: 272 },
  { name: '18 tables of 14/15-bit halves', tables: 18, keyBits: 14.5, probesPerQuery: 214 },
  { name: '14 tables of 18-bit halves', tables: 14, keyBits: 18, probesPerQuery: 878 },
  { name: '12 tables of 21/22-bit chunks', tables: 12, keyBits: 21.33, probesPerQuery: 1950 },
]

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000

function build(layout: Layout, r: () => number) {
  const buckets = Math.round(2 ** layout.keyBits)
  const total = buckets * layout.tables
  const starts = new Uint32Array(total + 1)
  const keys = new Uint32Array(N)
  const filter = new Uint16Array(N * layout.tables)
  for (let t = 0; t < layout.tables; t++) {
    const base = t * buckets
    for (let i = 0; i < N; i++) {
      keys[i] = base + Math.floor(r() * buckets)
      starts[keys[i]! + 1]!++
    }
  }
  for (let b = 1; b <= total; b++) starts[b]! += starts[b - 1]!
  for (let i = 0; i < filter.length; i++) filter[i] = (r() * 65536) >>> 0
  return { starts, filter, total }
}

/** A clip's probes: random buckets, sorted (`forEachWithinMany` sorts with a counting sort; not timed here). */
function probesOf(layout: Layout, index: ReturnType<typeof build>, r: () => number): Float64Array {
  const probes = new Float64Array(QUERIES * layout.probesPerQuery)
  for (let i = 0; i < probes.length; i++) probes[i] = Math.floor(r() * index.total)
  return probes.sort()
}

/** Reads and filters every probed bucket, as step 3 of `forEachWithinMany`. */
function readBuckets(probes: Float64Array, index: ReturnType<typeof build>): { entries: number; passed: number } {
  const { starts, filter } = index
  const bits16 = BITS16
  let entries = 0
  let passed = 0
  for (let i = 0; i < probes.length; i++) {
    const b = probes[i]!
    const end = starts[b + 1]!
    const sibling = (i * 40503) & 0xffff
    for (let k = starts[b]!; k < end; k++) if (bits16[filter[k]! ^ sibling]! <= 2) passed++
    entries += end - starts[b]!
  }
  return { entries, passed }
}

console.log(`frame index chunk lengths at ${N.toLocaleString('en')} hashes (a model; see the file comment), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
for (const layout of LAYOUTS) {
  const r = seededRandom(11)
  const index = build(layout, r)
  for (let w = 0; w < 3; w++) readBuckets(probesOf(layout, index, r), index)
  const cpu: number[] = []
  let last = { entries: 0, passed: 0 }
  let probes = 0
  for (let c = 0; c < CLIPS; c++) {
    const clip = probesOf(layout, index, r)
    probes = clip.length
    const c0 = process.cpuUsage()
    last = readBuckets(clip, index)
    cpu.push(cpuMs(process.cpuUsage(c0)))
  }
  const bytes = index.starts.byteLength + index.filter.byteLength
  console.log(
    `  ${layout.name}: ${probes.toLocaleString('en')} buckets read a clip, ${last.entries.toLocaleString('en')} entries filtered; ` +
      `CPU p50 ${p(cpu, 0.5).toFixed(1)} / p95 ${p(cpu, 0.95).toFixed(1)} ms (n=${CLIPS}); starts + filter ${(bytes / 2 ** 20).toFixed(0)} MiB`,
  )
}
console.log(`load at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
