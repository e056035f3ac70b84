/**
 * What `VideoMatchIndex.match`'s second pass costs either way, to calibrate its choice
 * (`prefersPairwise` and the constants beside MIN_PASS_FRAMES in
 * src/core/hashes/video-match.ts):
 *
 * - searching the index for the frames left: `FrameIndex.forEachWithinMany` of 188 query
 *   hashes (47 frames × 4, the default second pass of a 60-frame clip) at several index
 *   sizes, CPU time per query hash;
 * - comparing them pairwise with one video's stored hashes: `forEachWithinPayloads` of the
 *   same 188 hashes against a 2,400-hash video (600 frames × 4) and a 24,000-hash one, CPU
 *   time per hash pair.
 *
 *   npm run bench:match-second-pass
 *   BENCH_SECOND_PASS_SIZES=65536,1048576 BENCH_SECOND_PASS_RUNS=40 npm run bench:match-second-pass
 *
 * Random hashes, radius 31; a third of the query hashes are 20-bit copies of the video's, so
 * both ways visit real hits. The two are timed alternately on the same data. Never fails on
 * timings.
 */
import { cpus, loadavg } from 'node:os'
import { HASH256_WORDS } from '../src/shared/pdq/hash256'
import { FrameIndex } from '../src/core/hashes/frame-index'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../src/core/hashes/synthetic'
import { p } from './figures'

const SIZES = (process.env.BENCH_SECOND_PASS_SIZES ?? '16384,65536,262144,1048576,4194304').split(',').map(Number)
const RUNS = Number(process.env.BENCH_SECOND_PASS_RUNS ?? 30)
const QUERY_HASHES = 47 * 4
const HASHES_PER_FRAME = 4
const VIDEO_HASHES = [600 * HASHES_PER_FRAME, 6000 * HASHES_PER_FRAME]

const cpuNs = (c: NodeJS.CpuUsage) => (c.user + c.system) * 1000
function cpuOf(fn: () => void): number {
  const c0 = process.cpuUsage()
  fn()
  return cpuNs(process.cpuUsage(c0))
}

console.log(`match second pass bench: ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`)
const fit: Array<[number, number]> = []
for (const size of SIZES) {
  const r = seededRandom(11)
  const stored = new Uint32Array(size * HASH256_WORDS)
  fillRandomHashes(stored, 0, size, r)
  // Payloads as VideoMatchIndex gives them: a frame's slot, non-decreasing in entry order.
  const index = FrameIndex.fromPacked(stored, Uint32Array.from({ length: size }, (_, i) => Math.floor(i / HASHES_PER_FRAME)))
  const perHash: number[] = []
  const perPair = new Map<number, number[]>(VIDEO_HASHES.map((n) => [n, []]))
  let sink = 0
  const visit = (q: number, payload: number, d: number) => (sink += q + payload + d)
  for (let run = -3; run < RUNS; run++) {
    const query = new Uint32Array(QUERY_HASHES * HASH256_WORDS)
    fillRandomHashes(query, 0, QUERY_HASHES, r)
    const video = Math.floor(r() * (size - Math.min(size, Math.max(...VIDEO_HASHES)) + 1))
    for (let i = 0; i < QUERY_HASHES; i += 3) copyWithFlips(stored, video + ((i * 7) % VIDEO_HASHES[0]!), query, i, 20, r)
    const searched = cpuOf(() => index.forEachWithinMany(query, 31, visit))
    const paired = VIDEO_HASHES.filter((n) => n <= size).map((n) => {
      const first = Math.floor(video / HASHES_PER_FRAME)
      return [n, cpuOf(() => index.forEachWithinPayloads(query, 31, first, first + n / HASHES_PER_FRAME, visit))] as const
    })
    if (run < 0) continue // warm-up
    perHash.push(searched / QUERY_HASHES)
    for (const [n, ns] of paired) perPair.get(n)!.push(ns / (n * QUERY_HASHES))
  }
  const pairs = [...perPair].filter(([, s]) => s.length > 0)
  console.log(
    `${size.toLocaleString('en')} stored hashes: index search ${p(perHash, 0.5).toFixed(0)} ns a query hash (p95 ${p(perHash, 0.95).toFixed(0)}); ` +
      pairs.map(([n, s]) => `pairwise against ${n.toLocaleString('en')} hashes ${p(s, 0.5).toFixed(2)} ns a pair (p95 ${p(s, 0.95).toFixed(2)})`).join('; ') +
      (sink === 0 ? ' (no hits?)' : ''),
  )
  fit.push([size, p(perHash, 0.5)])
}
// Least squares: ns a query hash ≈ a + b × stored hashes.
if (fit.length >= 2) {
  const n = fit.length
  const mx = fit.reduce((s, [x]) => s + x, 0) / n
  const my = fit.reduce((s, [, y]) => s + y, 0) / n
  const b = fit.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / fit.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  console.log(`index search ≈ ${(my - b * mx).toFixed(0)} ns + ${b.toExponential(3)} ns × stored hashes, a query hash (least squares over ${n} sizes)`)
}
console.log(`load at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
