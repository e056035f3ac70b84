/**
 * Known-content matching on issue 14's transformed corpus: every demo video (16 distinct)
 * through every change of src/core/hashes/testing/ffmpeg-corpus.ts (7), matched against the
 * 16 originals by vPDQ's rule — plain PDQ (one hash of the frame as decoded) against the
 * robust hashing the renderer does (src/shared/pdq/frame-variants.ts: bars trimmed, the
 * picture whole, central 90 %, top 80 %, bottom 80 %).
 *
 *   npm run bench:known-content
 *   BENCH_KC_CORPUS=/tmp/kc npm run bench:known-content     (keeps the 112 encodes between runs)
 *
 * Prints: recall per change and overall (a copy counts when it matches its original and
 * nothing else); false matches among the distinct originals; the closest frames of distinct
 * videos, and of synthetic random pictures; hashing CPU per frame; bytes per frame; and one
 * clip's match time against a large index (BENCH_KC_INDEX_FRAMES stored frames, 250,000).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { centralCrop, FrameVariantHasher, type FrameVariantOptions } from '../src/shared/pdq/frame-variants'
import { HASH256_WORDS, hammingDistance } from '../src/shared/pdq/hash256'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../src/core/hashes/synthetic'
import { decodeFrames, demoVideos, hashDecoded, makeVariant, VARIANTS, type DecodedFrames } from '../src/core/hashes/testing/ffmpeg-corpus'
import { consideredFrames, VideoMatchIndex, VPDQ_DISTANCE_TOLERANCE, type VideoFrames } from '../src/core/hashes/video-match'
import { fmt, verdict } from './figures'

const ROOT = path.resolve(__dirname, '..')
const INDEX_FRAMES = Number(process.env.BENCH_KC_INDEX_FRAMES ?? 250_000)
/** Bytes a stored hash takes in the frame index (frame-index.ts: hash, payload, flags, 16 tables). */
const INDEX_BYTES_PER_HASH = 134

const SCHEMES: [string, Partial<FrameVariantOptions>][] = [
  ['plain PDQ', { trim: null, crops: [centralCrop(1)] }],
  ['robust (v2)', {}],
]

const videos = demoVideos(path.join(ROOT, 'resources/demo'))
const keep = process.env.BENCH_KC_CORPUS
const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'tinjau-kc-'))

console.log(`known-content bench: ${videos.length} distinct demo videos × ${VARIANTS.length} changes; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`)
let t = performance.now()
const copies = videos.map((v) => VARIANTS.map((variant, n) => makeVariant(v.file, variant, dir, n, keep !== undefined)))
console.log(`corpus: ${videos.length * VARIANTS.length} files in ${dir} (${((performance.now() - t) / 1000).toFixed(0)} s${keep ? ', reused where present' : ''})`)

const hashers = SCHEMES.map(([, o]) => new FrameVariantHasher(o))
const cpuMs = SCHEMES.map(() => 0)
let framesHashed = 0
/** One file decoded once and hashed by every scheme. */
function hashAll(file: string): VideoFrames[] {
  const decoded: DecodedFrames = decodeFrames(file)
  framesHashed += decoded.frames.length
  return hashers.map((h, s) => {
    const before = process.cpuUsage()
    const out = hashDecoded(decoded, h)
    const used = process.cpuUsage(before)
    cpuMs[s]! += (used.user + used.system) / 1000
    return out
  })
}

t = performance.now()
const originals = videos.map((v) => hashAll(v.file))
const copyFrames = copies.map((files) => files.map((f) => hashAll(f)))
console.log(`decoded and hashed ${framesHashed} frames in ${((performance.now() - t) / 1000).toFixed(0)} s\n`)

/** The smallest distance between any considered hash of frame i of a and of frame j of b. */
function frameDistance(a: ReturnType<typeof consideredFrames>, i: number, b: ReturnType<typeof consideredFrames>, j: number): number {
  let best = 256
  for (let x = a.start[i]!; x < a.start[i + 1]!; x++) {
    for (let y = b.start[j]!; y < b.start[j + 1]!; y++) best = Math.min(best, hammingDistance(a.hashes, b.hashes, x * HASH256_WORDS, y * HASH256_WORDS))
  }
  return best
}

/** Frame pairs of different pictures within the tolerance, and the closest pair. */
function strangers(sets: VideoFrames[][]): { pairs: number; within: number; closest: number } {
  let pairs = 0
  let within = 0
  let closest = 256
  const c = sets.map((frames) => frames.map((f) => consideredFrames(f)))
  for (let a = 0; a < c.length; a++) {
    for (let b = a + 1; b < c.length; b++) {
      for (const va of c[a]!) {
        for (const vb of c[b]!) {
          for (let i = 0; i < va.count; i++) {
            for (let j = 0; j < vb.count; j++) {
              const d = frameDistance(va, i, vb, j)
              pairs++
              if (d <= VPDQ_DISTANCE_TOLERANCE) within++
              closest = Math.min(closest, d)
            }
          }
        }
      }
    }
  }
  return { pairs, within, closest }
}

// Synthetic random pictures: flat backgrounds with boxes and a bar of "text", like the demo's look.
function randomPicture(r: () => number, width = 320, height = 180): DecodedFrames {
  const data = new Uint8Array(width * height * 3)
  const colour = () => [Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256)]
  const fill = (x0: number, y0: number, w: number, h: number, c: number[]) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) data.set(c, (y * width + x) * 3)
  }
  fill(0, 0, width, height, colour())
  for (let k = 0, n = 3 + Math.floor(r() * 6); k < n; k++) fill(Math.floor(r() * width), Math.floor(r() * height), 10 + Math.floor(r() * 120), 10 + Math.floor(r() * 80), colour())
  const ty = Math.floor(r() * (height - 12))
  const tc = colour()
  for (let x = 10 + Math.floor(r() * 40); x < width - 20; x += 4 + Math.floor(r() * 6)) fill(x, ty, 2, 10, tc)
  return { width, height, frames: [data] }
}
const RANDOM_PICTURES = 300
const rand = seededRandom(14)
const pictures = Array.from({ length: RANDOM_PICTURES }, () => randomPicture(rand))

/** P(distance ≤ t) for two independent uniform 256-bit hashes. */
function chanceWithin(t: number): number {
  let c = 1n
  let sum = 0n
  for (let k = 0; k <= t; k++) {
    sum += c
    c = (c * BigInt(256 - k)) / BigInt(k + 1)
  }
  return Number((sum * 10n ** 40n) / 2n ** 256n) / 1e40
}

const summary: string[] = []
for (const [s, [name]] of SCHEMES.entries()) {
  const perFrame = hashers[s]!.hashesPerFrame
  const index = new VideoMatchIndex()
  index.addVideos(originals.map((o, i) => ({ video: i, frames: o[s]! })))
  console.log(`== ${name}: ${perFrame} hash${perFrame > 1 ? 'es' : ''} a frame`)
  let total = 0
  for (const [n, variant] of VARIANTS.entries()) {
    let ok = 0
    const misses: string[] = []
    const pct: number[] = []
    for (const [i, v] of videos.entries()) {
      const query = copyFrames[i]![n]![s]!
      const found = index.match(query).map((m) => m.video)
      const own = index.compare(query).find((c) => c.video === i)
      pct.push(own?.queryMatchPercent ?? 0)
      if (found.length === 1 && found[0] === i) ok++
      else misses.push(`${v.id}${found.some((f) => f !== i) ? ' (FALSE MATCH)' : ''}`)
    }
    total += ok
    console.log(`  ${variant.name.padEnd(28)} ${String(ok).padStart(2)}/16   own query match % min ${Math.min(...pct).toFixed(0).padStart(3)}${misses.length ? `   missed: ${misses.join(', ')}` : ''}`)
  }
  const recall = (total * 100) / (videos.length * VARIANTS.length)
  let falseMatches = 0
  for (const [i] of videos.entries()) falseMatches += index.match(originals[i]![s]!).filter((m) => m.video !== i).length
  const demo = strangers(originals.map((o) => [o[s]!]))
  const synth = strangers(pictures.map((pic) => [hashDecoded(pic, hashers[s]!)]))
  const msPerFrame = cpuMs[s]! / framesHashed
  console.log(`  recall ${total}/${videos.length * VARIANTS.length} = ${recall.toFixed(1)} %   (goal ≥ 95 %: ${verdict(recall >= 95)})`)
  console.log(`  false matches among the ${videos.length} distinct videos: ${falseMatches} of ${videos.length * (videos.length - 1)} ordered pairs   (goal 0: ${verdict(falseMatches === 0)})`)
  console.log(`  frames of distinct demo videos: ${demo.within} of ${demo.pairs} pairs within ${VPDQ_DISTANCE_TOLERANCE}, closest ${demo.closest} bits`)
  console.log(`  synthetic random pictures (${RANDOM_PICTURES}): ${synth.within} of ${synth.pairs} pairs within ${VPDQ_DISTANCE_TOLERANCE}, closest ${synth.closest} bits`)
  console.log(
    `  random 256-bit hashes: P(frame pair within ${VPDQ_DISTANCE_TOLERANCE}) ≤ ${perFrame * perFrame} × ${chanceWithin(VPDQ_DISTANCE_TOLERANCE).toExponential(1)} = ${(perFrame * perFrame * chanceWithin(VPDQ_DISTANCE_TOLERANCE)).toExponential(1)}`,
  )
  console.log(`  hashing CPU per 640×360 frame (decoded; trim + ${perFrame} PDQ): ${msPerFrame.toFixed(1)} ms`)
  console.log(`  bytes per frame: stored ${perFrame * 33 + 4} (hashes, qualities, time), in the match index ≈ ${perFrame * INDEX_BYTES_PER_HASH}\n`)
  summary.push(`${name}: recall ${recall.toFixed(1)} %, false matches ${falseMatches}, ${msPerFrame.toFixed(1)} ms CPU a frame`)
}

// One 60-frame clip against a large index: INDEX_FRAMES random frames, each with the scheme's hashes.
console.log(`== match time: a 60-frame clip against ${INDEX_FRAMES.toLocaleString('en')} stored frames`)
for (const [s, [name]] of SCHEMES.entries()) {
  const k = hashers[s]!.hashesPerFrame
  const r = seededRandom(3)
  const index = new VideoMatchIndex()
  const perVideo = 600
  const hashes = new Uint32Array(INDEX_FRAMES * k * HASH256_WORDS)
  fillRandomHashes(hashes, 0, INDEX_FRAMES * k, r)
  const built = performance.now()
  const batch = []
  for (let v = 0; v * perVideo < INDEX_FRAMES; v++) {
    const n = Math.min(perVideo, INDEX_FRAMES - v * perVideo)
    const from = v * perVideo * k * HASH256_WORDS
    batch.push({ video: v, frames: { hashes: hashes.subarray(from, from + n * k * HASH256_WORDS), qualities: new Uint8Array(n * k).fill(90), hashesPerFrame: k } })
  }
  index.addVideos(batch)
  const buildMs = performance.now() - built
  const times: number[] = []
  for (let q = 0; q < 40; q++) {
    // Half the clip's frames are noisy copies of stored frames (a known clip), half new.
    const query = new Uint32Array(60 * k * HASH256_WORDS)
    fillRandomHashes(query, 0, 60 * k, r)
    const base = Math.floor(r() * (INDEX_FRAMES - 60)) * k
    for (let i = 0; i < 30 * k; i++) copyWithFlips(hashes, base + i, query, i, 20, r)
    const start = performance.now()
    index.compare({ hashes: query, qualities: new Uint8Array(60 * k).fill(90), hashesPerFrame: k })
    times.push(performance.now() - start)
  }
  console.log(`  ${name.padEnd(12)} ${(INDEX_FRAMES * k).toLocaleString('en')} hashes, built in ${(buildMs / 1000).toFixed(1)} s, ${(index.memoryBytes() / 2 ** 20).toFixed(0)} MiB: ${fmt(times)}`)
}

console.log(`\n${summary.join('\n')}`)
if (!keep) rmSync(dir, { recursive: true, force: true })
