/**
 * Background hashing throughput in Debian's Chromium (issue 14: "seconds of video hashed per
 * second of wall time, goal ≥ 30× real time for 640×360 clips at 1 frame/s").
 *
 *   npm run bench:hashing        (electron-vite build && tsx bench/hashing.bench.ts)
 *
 * 1. Makes BENCH_HASH_CLIPS (4) 640×360 VP9 clips with ffmpeg: the demo pack's 15 VP9 videos
 *    joined end to end without re-encoding (109 s, a keyframe every 2 s as encoded), each
 *    clip starting at another video so every clip is a different file.
 * 2. Imports a pack of them into a fresh temp profile (in this process, as bench:console),
 *    starts the built web host on it, and opens the app in /usr/bin/chromium via Playwright.
 * 3. Times the app's background hasher from the page's navigation until hashes.status (asked
 *    over the host's HTTP API every 200 ms) says every media object is hashed, and prints
 *    video seconds per wall second, wall ms per frame, and the CPU time of the browser's
 *    processes and of the host over the same span (the machine is shared: wall time
 *    includes waiting for a core; CPU time does not).
 * 4. Where the time goes: in the same page, one clip's frames taken as the hasher takes them
 *    (a detached <video>, a seek a second, createImageBitmap), and each bitmap hashed by the
 *    app's own hash worker (its built script), each step timed.
 *
 * Never fails on timings. Optional environment: BENCH_HASH_CLIPS (4), BENCH_HASH_CONTAINER=mp4
 * (the clips re-encoded to H.264 in MP4, hashing-pack.ts), TINJAU_CHROMIUM,
 * BENCH_KEEP=1 (keep the scratch folder).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium } from '@playwright/test'
import { openTinjau } from '../src/core/tinjau'
import { tempDir } from '../src/core/testing/make-pack'
import { CHROMIUM, CHROMIUM_ARGS, startHost } from './console-host'
import { hammingDistance, parseHash256 } from '../src/shared/pdq/hash256'
import { fmt, verdict } from './figures'
import { CLIP_CONTAINER, demoVp9Videos, hashStatus, makeClip, writeHashingPack } from './hashing-pack'
import { treeCpuMs } from './proc-cpu'

const ROOT = path.resolve(__dirname, '..')
const RESOURCES = path.join(ROOT, 'resources')
const CLIPS = Number(process.env.BENCH_HASH_CLIPS ?? 4)
const TARGET_SPEED = 30

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/**
 * In the page: one clip's frames as frame-source.ts takes them and hashed by the app's
 * worker (hash-worker.ts, built), each step timed. Text, not a function: tsx would wrap a
 * function in helpers the page does not have.
 */
const STEPS = `async ({ mediaUrl, workerUrl, frames }) => {
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  video.crossOrigin = 'anonymous'
  const once = (ev) => new Promise((resolve, reject) => {
    video.addEventListener(ev, resolve, { once: true })
    video.addEventListener('error', () => reject(new Error('media error ' + (video.error && video.error.code))), { once: true })
  })
  const worker = new Worker(workerUrl, { type: 'module' })
  let id = 0
  const hash = (picture) => new Promise((resolve, reject) => {
    const my = ++id
    worker.onmessage = ({ data }) => { if (data.id === my) ('error' in data ? reject(new Error(data.error)) : resolve(data.hashes)) }
    worker.postMessage({ id: my, bitmap: picture }, [picture])
  })
  const t0 = performance.now()
  const loaded = once('loadeddata')
  video.src = mediaUrl
  await loaded
  const load = performance.now() - t0
  const seek = [], bitmap = [], readback = [], hashBitmap = [], videoFrame = [], hashVideoFrame = [], idle = [], pairs = [], samePicture = []
  // Pictures still the one before the seek when 'seeked' came (by the VideoFrame's media time).
  let stale = 0
  const canvas = new OffscreenCanvas(640, 360)
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  for (let n = 0; n < frames; n++) {
    if (n > 0) {
      const s = performance.now()
      const seeked = once('seeked')
      video.currentTime = n
      await seeked
      seek.push(performance.now() - s)
      const first = new VideoFrame(video)
      if (first.timestamp < (n - 1) * 1e6) stale++
      first.close()
      // As the hasher does (frame-source.ts grab): wait until the picture sought is shown.
      for (let k = 0; k < 5; k++) {
        const f = new VideoFrame(video)
        const ok = f.timestamp >= (n - 1) * 1e6
        f.close()
        if (ok) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    // The picture as an ImageBitmap (converted on this thread), hashed by the worker.
    let s = performance.now()
    const bm = await createImageBitmap(video)
    bitmap.push(performance.now() - s)
    s = performance.now()
    ctx.drawImage(bm, 0, 0)
    ctx.getImageData(0, 0, 640, 360)
    readback.push(performance.now() - s)
    s = performance.now()
    const a = await hash(bm)
    hashBitmap.push(performance.now() - s)
    // The same picture as a VideoFrame (converted by the worker's canvas).
    s = performance.now()
    const vf = new VideoFrame(video)
    videoFrame.push(performance.now() - s)
    // The same decoded frame through the canvas (as a bitmap of it): the read-back ways compared without the seek's race.
    const twin = await createImageBitmap(vf)
    s = performance.now()
    const b = await hash(vf)
    hashVideoFrame.push(performance.now() - s)
    const c = await hash(twin)
    pairs.push(a.map((h, k) => [h.hash, b[k].hash, h.quality, b[k].quality]))
    samePicture.push(b.map((h, k) => [h.hash, c[k].hash, h.quality, c[k].quality]))
    // The hasher's pause for the console between frames (hash-worker-client.ts whenIdle).
    s = performance.now()
    await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 1000 }))
    idle.push(performance.now() - s)
  }
  worker.terminate()
  video.removeAttribute('src')
  video.load()
  return { load, seek, bitmap, readback, hashBitmap, videoFrame, hashVideoFrame, idle, pairs, samePicture, stale }
}`

async function main(): Promise<void> {
  console.log(`hashing bench: ${CLIPS} clips, node ${process.version}, ${os.cpus().length} CPUs, load ${load()}`)
  const scratch = tempDir('tinjau-hashing-bench-')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  let host: Awaited<ReturnType<typeof startHost>> | null = null
  try {
    const vp9 = demoVp9Videos()
    const made = Array.from({ length: CLIPS }, (_, i) => makeClip(scratch, vp9, (i * 4) % vp9.length, CLIP_CONTAINER))
    const videoSeconds = made.reduce((s, m) => s + m.durationMs, 0) / 1000
    const frames = made.reduce((s, m) => s + Math.ceil(m.durationMs / 1000), 0)
    console.log(`setup: ${CLIPS} clips of ${made.map((m) => (m.durationMs / 1000).toFixed(1)).join(', ')} s (640×360 ${CLIP_CONTAINER === 'mp4' ? 'H.264 MP4' : 'VP9'}, ${videoSeconds.toFixed(0)} s of video, ${frames} frames at 1 a second)`)

    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    writeHashingPack(packDir, made)
    const dataDir = path.join(scratch, 'profile')
    const t = openTinjau({ dataDir, resourcesDir: RESOURCES, host: 'web', version: 'bench' })
    const summary = await t.handlers['pack.importDirectory']({ path: packDir })
    const before = t.handlers['hashes.status']({})
    t.close()
    console.log(`setup: imported ${summary.added} clips; hashes.status ${JSON.stringify(before)} (videos and posters)`)

    host = await startHost(dataDir)
    // Chromium is a child of this process, as the host is: this process's tree without the host and itself.
    const hostPid = host.child.pid!
    const chromiumCpu = () => treeCpuMs(process.pid, [hostPid, process.pid])
    const page = await browser.newPage()
    const cpu0 = { browser: chromiumCpu(), host: treeCpuMs(hostPid) }
    const load0 = load()
    const t0 = performance.now()
    await page.goto(host.url)
    let status = await hashStatus(host.url)
    let firstHashedMs = NaN
    const deadline = t0 + 600_000
    while (status.waiting > 0) {
      if (performance.now() > deadline) throw new Error(`not all hashed after 10 minutes: ${JSON.stringify(status)}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
      status = await hashStatus(host.url)
      if (status.hashed > before.hashed && Number.isNaN(firstHashedMs)) firstHashedMs = performance.now() - t0
    }
    const wallMs = performance.now() - t0
    const cpu1 = { browser: chromiumCpu(), host: treeCpuMs(hostPid) }
    const browserCpu = cpu0.browser && cpu1.browser ? cpu1.browser.total - cpu0.browser.total : NaN
    const hostCpu = cpu1.host.total - cpu0.host.total
    const speed = videoSeconds / (wallMs / 1000)
    console.log(`\n1. background hashing, page opened to all hashed: ${(wallMs / 1000).toFixed(1)} s wall for ${videoSeconds.toFixed(0)} s of video (${status.hashed} hashed, ${status.failed} failed; first file done at ${(firstHashedMs / 1000).toFixed(1)} s)`)
    console.log(`   speed: ${speed.toFixed(1)}× real time (target ≥ ${TARGET_SPEED}×: ${verdict(speed >= TARGET_SPEED)}); ${(wallMs / frames).toFixed(1)} ms wall a frame`)
    if (cpu0.browser && cpu1.browser) {
      const parts = [...cpu1.browser.byName].map(([name, ms]) => `${name} ${((ms - (cpu0.browser!.byName.get(name) ?? 0)) / 1000).toFixed(1)} s`).join(', ')
      console.log(`   CPU: Chromium ${(browserCpu / 1000).toFixed(1)} s (${parts}), host ${(hostCpu / 1000).toFixed(1)} s; ${((browserCpu + hostCpu) / frames).toFixed(1)} ms CPU a frame, so ${(videoSeconds / ((browserCpu + hostCpu) / 1000)).toFixed(1)} s of video per CPU second`)
    }
    console.log(`   load: ${load0} at the start, ${load()} at the end`)

    // 4. Where the time goes, on the first clip, with the app's built hash worker.
    const assets = readdirSync(path.join(ROOT, 'out', 'renderer', 'assets'))
    const workerFile = assets.find((f) => /^hash-worker-.*\.js$/.test(f))
    if (!workerFile) console.log('\n2. steps: no hash-worker-*.js in out/renderer/assets (run the build)')
    else {
      const u = new URL(host.url)
      const steps = (await page.evaluate(`(${STEPS})(${JSON.stringify({
        mediaUrl: `/media/${made[0]!.sha256}?k=${u.searchParams.get('k')}`,
        workerUrl: `/assets/${workerFile}`,
        frames: Math.min(60, Math.ceil(made[0]!.durationMs / 1000)),
      })})`)) as Record<'seek' | 'bitmap' | 'readback' | 'hashBitmap' | 'videoFrame' | 'hashVideoFrame' | 'idle', number[]> & { load: number; stale: number; pairs: [string, string, number, number][][]; samePicture: [string, string, number, number][][] }
      const compared = steps.pairs.flatMap((frame) => frame.map(([a, b, qa, qb]) => ({ bits: hammingDistance(parseHash256(a), parseHash256(b)), quality: Math.min(qa, qb) })))
      const bits = compared.map((c) => c.bits)
      // PDQ quality under 50 is ignored by the matcher (vPDQ); a flat picture's hash moves most.
      const considered = compared.filter((c) => c.quality >= 50).map((c) => c.bits)
      console.log(`\n2. where a frame's time goes (the first clip, ${steps.bitmap.length} frames, one step at a time, in the page):`)
      console.log(`   load to first frame ${steps.load.toFixed(0)} ms`)
      console.log(`   seek 1 s on:                                     ${fmt(steps.seek)}`)
      console.log(`   pictures still the one before the seek when 'seeked' came: ${steps.stale} of ${steps.seek.length}`)
      console.log(`   createImageBitmap(video), main thread:           ${fmt(steps.bitmap)}`)
      console.log(`   canvas draw + getImageData of it, main thread:   ${fmt(steps.readback)}`)
      console.log(`   hash worker, ImageBitmap (transfer, read-back, trim, 4 PDQ, reply): ${fmt(steps.hashBitmap)}`)
      console.log(`   new VideoFrame(video), main thread (the hasher's way): ${fmt(steps.videoFrame)}`)
      console.log(`   hash worker, VideoFrame (the same, VideoFrame.copyTo RGBA): ${fmt(steps.hashVideoFrame)}`)
      console.log(`   requestIdleCallback (the hasher's pause for the console): ${fmt(steps.idle)}`)
      console.log(
        `   the two ways' hashes of the same picture: ${bits.filter((b) => b === 0).length} of ${bits.length} identical, largest distance ${Math.max(...bits)} bits; ` +
          `of quality ≥ 50 (the ones matched): ${considered.filter((b) => b === 0).length} of ${considered.length} identical, largest ${Math.max(0, ...considered)} bits; ` +
          `differing: ${compared.filter((c) => c.bits > 0).map((c) => `${c.bits} bits at quality ${c.quality}`).join(', ')}`,
      )
      const same = steps.samePicture.flat().map(([a, b]) => hammingDistance(parseHash256(a), parseHash256(b)))
      console.log(`   one VideoFrame read back both ways (copyTo RGBA in the worker, and a bitmap of it through the canvas): ${same.filter((b) => b === 0).length} of ${same.length} hashes identical, largest distance ${Math.max(...same)} bits`)
    }
  } finally {
    await browser.close()
    if (host && host.child.exitCode === null) host.child.kill('SIGTERM')
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
