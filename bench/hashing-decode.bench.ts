/**
 * Issue 14, where the background hasher's decoding and read-back could be cheaper: one of
 * bench:hashing's 640×360 VP9 clips (the demo's videos joined, a keyframe every 2 s) in
 * Debian's Chromium, served by a plain HTTP server (range requests), no app.
 *
 *   npm run bench:hashing-decode      (BENCH_DECODE_FRAMES: frames a way, 60)
 *
 * 1. A frame a second taken as frame-source.ts does (a seek a second, a VideoFrame of the
 *    picture shown) against playing the video at 4× and 16× and taking, with
 *    requestVideoFrameCallback, the first frame shown at or after each second: Chromium's
 *    CPU time (all its processes, /proc) and wall time, twice (the first round includes
 *    the browser's start), and whether playing gives the very frames the seeks give (their
 *    media times), which identical hashes need.
 * 2. Read-back of a VideoFrame: canvas drawImage + getImageData against
 *    VideoFrame.copyTo({ format: 'RGBA' }): time and whether the bytes are the same.
 * 3. The seeks again on the same clip without its audio track (ffmpeg -an -c copy): what the
 *    muted element's Opus decoding costs.
 * Never fails on timings.
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { chromium } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS } from './console-host'
import { demoVp9Videos, makeClip } from './hashing-pack'
import { treeCpuMs } from './proc-cpu'
import { tempDir } from '../src/core/testing/make-pack'

async function main(): Promise<void> {
const FRAMES = Number(process.env.BENCH_DECODE_FRAMES ?? 60)
const scratch = tempDir('hp-exp-')
const clip = makeClip(scratch, demoVp9Videos(), 0)
// The same clip without its Opus track: what the muted element's audio costs a seek.
const silent = clip.file.replace(/\.webm$/, '-video-only.webm')
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip.file, '-an', '-c', 'copy', silent])
const files: Record<string, Buffer> = { '/clip.webm': readFileSync(clip.file), '/video-only.webm': readFileSync(silent) }
const server = createServer((req, res) => {
  if (req.url === '/') { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>x</title>'); return }
  const data = files[req.url ?? ''] ?? files['/clip.webm']!
  const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '')
  res.setHeader('content-type', 'video/webm'); res.setHeader('accept-ranges', 'bytes')
  if (m) { const a = Number(m[1]), b = m[2] ? Number(m[2]) : data.length - 1; res.statusCode = 206; res.setHeader('content-range', `bytes ${a}-${b}/${data.length}`); res.end(data.subarray(a, b + 1)) }
  else res.end(data)
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
const port = (server.address() as { port: number }).port
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`hashing-decode bench: ${FRAMES} frames a way, ${os.cpus().length} CPUs, load ${load()}`)
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
const page = await browser.newPage()
await page.goto(`http://127.0.0.1:${port}/`)
const cpu = () => treeCpuMs(process.pid).total

const SEEK = `async (frames, src = '/clip.webm') => {
  const v = document.createElement('video'); v.muted = true; v.preload = 'auto'; v.src = src
  await new Promise((r) => v.addEventListener('loadeddata', r, { once: true }))
  const ts = []
  for (let n = 0; n < frames && n < v.duration; n++) {
    if (n > 0) { const s = new Promise((r) => v.addEventListener('seeked', r, { once: true })); v.currentTime = n; await s }
    for (let k = 0; ; k++) { const f = new VideoFrame(v); const t = f.timestamp; f.close(); if (t >= (n - 1) * 1e6 || k === 5) { ts.push(t); break } await new Promise((r) => setTimeout(r, 20)) }
  }
  v.removeAttribute('src'); v.load(); return ts
}`
const PLAY = `async ({ frames, rate }) => {
  const v = document.createElement('video'); v.muted = true; v.preload = 'auto'; v.src = '/clip.webm'
  await new Promise((r) => v.addEventListener('loadeddata', r, { once: true }))
  const ts = []; let seen = 0; let next = 0; const end = Math.min(frames, Math.ceil(v.duration))
  v.playbackRate = rate
  await new Promise((resolve) => {
    const cb = (_now, meta) => {
      seen++
      const f = new VideoFrame(v); const t = f.timestamp; f.close()
      while (next < end && t >= next * 1e6) { ts.push(t); next++ }
      if (next >= end) { v.pause(); resolve() } else v.requestVideoFrameCallback(cb)
    }
    v.requestVideoFrameCallback(cb)
    v.addEventListener('ended', resolve, { once: true })
    v.play()
  })
  v.removeAttribute('src'); v.load(); return { ts, seen }
}`
const READ = `async (frames) => {
  const v = document.createElement('video'); v.muted = true; v.preload = 'auto'; v.src = '/clip.webm'
  await new Promise((r) => v.addEventListener('loadeddata', r, { once: true }))
  const canvas = new OffscreenCanvas(640, 360); const ctx = canvas.getContext('2d', { willReadFrequently: true })
  let tCanvas = 0, tCopy = 0, same = 0, diffBytes = 0, maxDiff = 0, n = 0, copyErr = ''
  for (let k = 0; k < frames && k < v.duration; k += 1) {
    if (k > 0) { const s = new Promise((r) => v.addEventListener('seeked', r, { once: true })); v.currentTime = k; await s }
    const f = new VideoFrame(v)
    let s = performance.now(); ctx.drawImage(f, 0, 0); const a = ctx.getImageData(0, 0, 640, 360).data; tCanvas += performance.now() - s
    s = performance.now(); const b = new Uint8Array(640 * 360 * 4)
    try { await f.copyTo(b, { format: 'RGBA', colorSpace: 'srgb' }) } catch (e) { copyErr = String(e) }
    tCopy += performance.now() - s
    f.close(); n++
    let d = 0; for (let i = 0; i < a.length; i++) { if ((i & 3) === 3) continue; const x = Math.abs(a[i] - b[i]); if (x) { d++; if (x > maxDiff) maxDiff = x } }
    if (d === 0) same++; diffBytes += d
  }
  return { n, canvasMs: tCanvas / n, copyToMs: tCopy / n, identicalFrames: same, diffBytes, maxDiff, copyErr }
}`

for (let round = 0; round < 2; round++) {
  let c = cpu(), t = performance.now(), l = load()
  const seekTs = (await page.evaluate(`(${SEEK})(${FRAMES})`)) as number[]
  console.log(`seek a second: ${seekTs.length} frames, wall ${(performance.now() - t).toFixed(0)} ms, Chromium CPU ${(cpu() - c).toFixed(0)} ms = ${((cpu() - c) / seekTs.length).toFixed(1)} ms a frame; load ${l} → ${load()}`)
  c = cpu(); t = performance.now(); l = load()
  const silentTs = (await page.evaluate(`(${SEEK})(${FRAMES}, '/video-only.webm')`)) as number[]
  console.log(`the same without the audio track: ${silentTs.length} frames (the same frames, by media time from the first: ${silentTs.every((x, i) => x - silentTs[0]! === seekTs[i]! - seekTs[0]!)}), wall ${(performance.now() - t).toFixed(0)} ms, Chromium CPU ${(cpu() - c).toFixed(0)} ms = ${((cpu() - c) / silentTs.length).toFixed(1)} ms a frame; load ${l} → ${load()}`)
  for (const rate of [4, 16]) {
    c = cpu(); t = performance.now(); l = load()
    const play = (await page.evaluate(`(${PLAY})(${JSON.stringify({ frames: FRAMES, rate })})`)) as { ts: number[]; seen: number }
    const same = play.ts.filter((x, i) => x === seekTs[i]).length
    const wrong = play.ts.flatMap((x, i) => (x === seekTs[i] ? [] : [`${i} s: ${seekTs[i]! / 1000} / ${x / 1000} ms`])).slice(0, 3)
    console.log(`play ×${rate} + rVFC: ${play.ts.length} frames (${play.seen} callbacks), the seek's frame: ${same} (first others, seek / play: ${wrong.join(', ')}); wall ${(performance.now() - t).toFixed(0)} ms, Chromium CPU ${(cpu() - c).toFixed(0)} ms = ${((cpu() - c) / play.ts.length).toFixed(1)} ms a frame; load ${l} → ${load()}`)
  }
}
const r = (await page.evaluate(`(${READ})(${FRAMES})`)) as Record<string, number | string>
  console.log(`read-back of ${r.n} VideoFrames (wall, mean): canvas drawImage + getImageData ${Number(r.canvasMs).toFixed(1)} ms, copyTo RGBA ${Number(r.copyToMs).toFixed(1)} ms; frames with the same RGB bytes both ways: ${r.identicalFrames} of ${r.n} (differing bytes ${r.diffBytes}, largest difference ${r.maxDiff})${r.copyErr ? `; copyTo refused: ${r.copyErr}` : ''}`)
  console.log(`load ${load()}`)
await browser.close(); server.close(); rmSync(scratch, { recursive: true, force: true })

}
main().catch((e) => { console.error(e); process.exit(1) })
