/**
 * Frame-hash index benchmark (issue 14: "matching one clip's frames against 1,000,000 stored
 * frame hashes: p95 < 20 ms").
 *
 *   npm run bench:frame-index      (tsx --expose-gc bench/frame-index.bench.ts)
 *
 * 1. 1,000,000 synthetic frame hashes in videos of 30–300 frames, cut into scenes of 5–40
 *    frames in which each frame is the previous one with 2–12 bits flipped (a new scene is a
 *    new random hash); 3 % of frames have a quality under 50.
 * 2. Builds the multi-index-hashing FrameIndex (the chosen structure) and the vPDQ
 *    VideoMatchIndex over it, then the alternatives (linear scan, BK-tree): build time,
 *    bytes per hash (the index's own arrays) and process RSS.
 * 3. Query clips of 60 and 300 frames: 70 % are near-copies of a stored video (a stretch
 *    of one at least 85 % the clip's length, every frame with 4–24 bits flipped, as a
 *    re-encode does; the rest new frames), 30 % are new videos.
 *    One clip = one index query per frame; timed per clip, p50/p95 over BENCH_QUERIES clips
 *    (default 60) for the MIH (the full vPDQ compare, and the bare frame queries at radii
 *    16, 31, 32, and 63 on 10 clips of 60 frames) and for each alternative at radius 31
 *    (BENCH_ALT_QUERIES clips of 60 frames, default 50; BENCH_ALT_QUERIES_300 of 300, 5:
 *    a scan of a million hashes per frame makes more a long wait for a known answer), each
 *    cut short after BENCH_ALT_BUDGET_MS of wall time (120 s; the n printed is what ran).
 *    Wall time and this process's CPU time are both printed: on a shared machine the wall
 *    time includes waiting for a core.
 *
 * Prints figures and whether the target is met; never fails on timings. Optional
 * environment: BENCH_FRAMES (1000000), BENCH_QUERIES (60), BENCH_ALT_QUERIES (50),
 * BENCH_ALT_QUERIES_300 (5), BENCH_ALT_BUDGET_MS (120000), BENCH_SKIP_ALT=1 (MIH only),
 * BENCH_ONLY=bk (skip the MIH and the scan: the BK-tree alone).
 */
import { performance } from 'node:perf_hooks'
import { HASH256_WORDS } from '../src/shared/pdq/hash256'
import { FrameIndex, type FrameHashIndex } from '../src/core/hashes/frame-index'
import { BkTreeIndex, LinearScanIndex } from '../src/core/hashes/frame-index-alternatives'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../src/core/hashes/synthetic'
import { VideoMatchIndex, type VideoFrames } from '../src/core/hashes/video-match'
import { fmt, p, verdict } from './figures'

const FRAMES = Number(process.env.BENCH_FRAMES ?? 1_000_000)
const QUERIES = Number(process.env.BENCH_QUERIES ?? 60)
const ALT_QUERIES = Number(process.env.BENCH_ALT_QUERIES ?? 50)
const ALT_QUERIES_300 = Number(process.env.BENCH_ALT_QUERIES_300 ?? 5)
const ALT_BUDGET_MS = Number(process.env.BENCH_ALT_BUDGET_MS ?? 120_000)
const SKIP_ALT = process.env.BENCH_SKIP_ALT === '1'
const ONLY_BK = process.env.BENCH_ONLY === 'bk'
const TARGET_P95_MS = 20

const gc = (globalThis as { gc?: () => void }).gc
const settle = () => {
  gc?.()
  gc?.()
}
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
const rss = () => process.memoryUsage().rss

/** Wall and CPU milliseconds (this process, all threads; the machine may be shared). */
function timed<T>(fn: () => T): { value: T; ms: number; cpu: number } {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = fn()
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { value, ms, cpu: (c.user + c.system) / 1000 }
}

const cpuFmt = (samples: number[]) => `CPU p50 ${p(samples, 0.5).toFixed(1)} ms  p95 ${p(samples, 0.95).toFixed(1)} ms`

interface Corpus {
  hashes: Uint32Array
  qualities: Uint8Array
  /** Video v is frames [videoStart[v], videoStart[v+1]). */
  videoStart: number[]
}

/** One video's frames appended at `at`: scenes of 5–40 frames, 2–12 bits between neighbours. */
function walkVideo(out: Uint32Array, qualities: Uint8Array, at: number, frames: number, rand: () => number): void {
  let sceneLeft = 0
  for (let i = 0; i < frames; i++) {
    if (sceneLeft === 0) {
      fillRandomHashes(out, at + i, 1, rand)
      sceneLeft = 5 + Math.floor(rand() * 36)
    } else {
      copyWithFlips(out, at + i - 1, out, at + i, 2 + Math.floor(rand() * 11), rand)
    }
    sceneLeft--
    qualities[at + i] = rand() < 0.03 ? Math.floor(rand() * 50) : 50 + Math.floor(rand() * 51)
  }
}

function makeCorpus(total: number, seed: number): Corpus {
  const rand = seededRandom(seed)
  const hashes = new Uint32Array(total * HASH256_WORDS)
  const qualities = new Uint8Array(total)
  const videoStart = [0]
  let at = 0
  while (at < total) {
    const frames = Math.min(total - at, 30 + Math.floor(rand() * 271))
    walkVideo(hashes, qualities, at, frames, rand)
    at += frames
    videoStart.push(at)
  }
  return { hashes, qualities, videoStart }
}

interface Clip extends VideoFrames {
  /** The stored video it copies, or -1 for a new video. */
  source: number
}

function makeClips(corpus: Corpus, count: number, length: number, seed: number): Clip[] {
  const rand = seededRandom(seed)
  const videos = corpus.videoStart.length - 1
  const clips: Clip[] = []
  for (let c = 0; c < count; c++) {
    const hashes = new Uint32Array(length * HASH256_WORDS)
    const qualities = new Uint8Array(length)
    if (rand() < 0.7) {
      // A near-copy: a stretch of up to `length` frames of a stored video at least 85 % as
      // long as the clip, each frame re-encoded (4–24 bits), padded with new frames if the
      // video is shorter (so at least 85 % of the clip is the copy: over the 80 % rule).
      let v = Math.floor(rand() * videos)
      while (corpus.videoStart[v + 1]! - corpus.videoStart[v]! < Math.ceil(0.85 * length)) v = Math.floor(rand() * videos)
      const start = corpus.videoStart[v]!
      const frames = corpus.videoStart[v + 1]! - start
      const take = Math.min(frames, length)
      const skip = Math.floor(rand() * (frames - take + 1))
      for (let i = 0; i < take; i++) {
        copyWithFlips(corpus.hashes, start + skip + i, hashes, i, 4 + Math.floor(rand() * 21), rand)
        qualities[i] = corpus.qualities[start + skip + i]!
      }
      if (take < length) walkVideo(hashes, qualities, take, length - take, rand)
      clips.push({ hashes, qualities, source: v })
    } else {
      walkVideo(hashes, qualities, 0, length, rand)
      clips.push({ hashes, qualities, source: -1 })
    }
  }
  return clips
}

/** Per-clip times of one index query per frame (a counting visitor, as the matcher's). */
function timeFrameQueries(index: FrameHashIndex, clips: Clip[], radius: number, budgetMs = Infinity): string {
  const samples: number[] = []
  const cpu: number[] = []
  let hits = 0
  let frames = 0
  const visit = () => {
    hits++
  }
  const started = performance.now()
  for (const clip of clips) {
    if (samples.length > 0 && performance.now() - started > budgetMs) break
    const n = clip.hashes.length / HASH256_WORDS
    const t = timed(() => {
      for (let i = 0; i < n; i++) index.forEachWithin(clip.hashes, radius, visit, i * HASH256_WORDS)
    })
    samples.push(t.ms)
    cpu.push(t.cpu)
    frames += n
  }
  return `${fmt(samples)}; ${cpuFmt(cpu)}  (${(hits / frames).toFixed(1)} hits/frame)`
}

/** The chosen structure: multi-index hashing, bare and under the vPDQ matcher. */
function chosen(corpus: Corpus, clips60: Clip[], clips300: Clip[], payloads: Uint32Array): void {
  const videos = corpus.videoStart.length - 1
  settle()
  let before = rss()
  // Warm the build code once on a small input, then the timed build at full size.
  FrameIndex.fromPacked(corpus.hashes.subarray(0, 80_000), payloads.subarray(0, 10_000))
  const mihBuild = timed(() => FrameIndex.fromPacked(corpus.hashes, payloads))
  const mih = mihBuild.value
  settle()
  console.log(
    `\nMIH (16 × 16-bit chunks, sibling-half filter), FrameIndex.fromPacked: build ${mihBuild.ms.toFixed(0)} ms (CPU ${mihBuild.cpu.toFixed(0)} ms); ` +
      `${(mih.memoryBytes() / FRAMES).toFixed(1)} bytes/hash (${mb(mih.memoryBytes())}); RSS ${mb(rss())} (+${mb(rss() - before)})`,
  )
  const rebuild = timed(() => mih.rebuild())
  console.log(`  rebuild in place (as after a tail fills or removals): ${rebuild.ms.toFixed(0)} ms (CPU ${rebuild.cpu.toFixed(0)} ms)`)
  for (const radius of [16, 31, 32, 63]) {
    for (const [name, clips] of [['60-frame clip', clips60], ['300-frame clip', clips300]] as const) {
      // Radius 63 is exact but slow: 10 clips of 60 frames tell enough.
      if (radius === 63 && name !== '60-frame clip') continue
      console.log(`  frame queries, radius ${radius}, ${name}: ${timeFrameQueries(mih, radius === 63 ? clips.slice(0, 10) : clips, radius)}`)
    }
  }

  // The matcher: VideoMatchIndex (its own FrameIndex, payload = stored frame slot).
  settle()
  before = rss()
  const videoBuild = timed(() => {
    const vmi = new VideoMatchIndex()
    vmi.addVideos(
      Array.from({ length: videos }, (_, v) => {
        const a = corpus.videoStart[v]!
        const b = corpus.videoStart[v + 1]!
        return { video: v, frames: { hashes: corpus.hashes.subarray(a * HASH256_WORDS, b * HASH256_WORDS), qualities: corpus.qualities.subarray(a, b) } }
      }),
    )
    return vmi
  })
  const vmi = videoBuild.value
  settle()
  console.log(
    `\nvPDQ VideoMatchIndex (quality ≥ 50, exact duplicates once): ${vmi.frameCount.toLocaleString('en')} considered frames of ${videos} videos; ` +
      `build ${videoBuild.ms.toFixed(0)} ms (CPU ${videoBuild.cpu.toFixed(0)} ms); ${(vmi.memoryBytes() / vmi.frameCount).toFixed(1)} bytes/frame (${mb(vmi.memoryBytes())}); RSS ${mb(rss())} (+${mb(rss() - before)})`,
  )
  let allP95 = 0
  for (const [name, clips] of [['60-frame clip', clips60], ['300-frame clip', clips300]] as const) {
    const samples: number[] = []
    const cpu: number[] = []
    let found = 0
    let copies = 0
    let falseMatches = 0
    vmi.compare(clips[0]!) // warm
    for (const clip of clips) {
      const t = timed(() => vmi.match(clip))
      samples.push(t.ms)
      cpu.push(t.cpu)
      if (clip.source >= 0) {
        copies++
        if (t.value.some((m) => m.video === clip.source)) found++
      }
      falseMatches += t.value.filter((m) => m.video !== clip.source).length
    }
    allP95 = Math.max(allP95, p(samples, 0.95))
    console.log(`  match one ${name} (radius 31, default thresholds): ${fmt(samples)}; ${cpuFmt(cpu)}  — copies found ${found}/${copies}, other matches ${falseMatches}`)
  }
  const removal = timed(() => vmi.removeVideos(Array.from({ length: 100 }, (_, i) => i * 7)))
  console.log(`  remove 100 videos: ${removal.ms.toFixed(0)} ms`)
  const readd = timed(() => {
    const a = corpus.videoStart[7]!
    const b = corpus.videoStart[8]!
    vmi.addVideo(7, { hashes: corpus.hashes.subarray(a * HASH256_WORDS, b * HASH256_WORDS), qualities: corpus.qualities.subarray(a, b) })
  })
  console.log(`  add one video back (tail, no rebuild): ${readd.ms.toFixed(1)} ms`)
  console.log(`  target: one clip against ${FRAMES.toLocaleString('en')} frame hashes p95 < ${TARGET_P95_MS} ms (wall): ${verdict(allP95 < TARGET_P95_MS)} (worst p95 ${allP95.toFixed(1)} ms)`)

}

function main(): void {
  console.log(`frame-index bench: ${FRAMES.toLocaleString('en')} stored frame hashes, clips of 60 and 300 frames`)
  const rss0 = rss()
  const generated = timed(() => makeCorpus(FRAMES, 14))
  const corpus = generated.value
  const videos = corpus.videoStart.length - 1
  console.log(`  corpus: ${videos} videos, generated in ${generated.ms.toFixed(0)} ms (RSS ${mb(rss())}, +${mb(rss() - rss0)} for the packed input)`)
  const clips60 = makeClips(corpus, QUERIES, 60, 60)
  const clips300 = makeClips(corpus, QUERIES, 300, 300)
  const payloads = Uint32Array.from({ length: FRAMES }, (_, i) => i)

  if (!ONLY_BK) chosen(corpus, clips60, clips300, payloads)
  if (SKIP_ALT) return
  // 2. The alternatives at radius 31, the same frames, the same clips.
  for (const [name, build] of [
    ['linear scan', () => LinearScanIndex.fromPacked(corpus.hashes, payloads)],
    ['BK-tree', () => BkTreeIndex.fromPacked(corpus.hashes, payloads)],
  ] as const) {
    if (ONLY_BK && name !== 'BK-tree') continue
    settle()
    const before = rss()
    const built = timed(build)
    const index: FrameHashIndex = built.value
    settle()
    console.log(`\n${name}: build ${built.ms.toFixed(0)} ms (CPU ${built.cpu.toFixed(0)} ms); ${(index.memoryBytes() / FRAMES).toFixed(1)} bytes/hash (${mb(index.memoryBytes())}); RSS ${mb(rss())} (+${mb(rss() - before)})`)
    for (const [clipName, clips, n] of [['60-frame clip', clips60, ALT_QUERIES], ['300-frame clip', clips300, ALT_QUERIES_300]] as const) {
      console.log(`  frame queries, radius 31, ${clipName}: ${timeFrameQueries(index, clips.slice(0, n), 31, ALT_BUDGET_MS)}`)
    }
  }
}

main()
