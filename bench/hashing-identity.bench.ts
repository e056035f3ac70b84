/**
 * Issue 14: the WebCodecs frame source (src/renderer/hashing/webcodecs-frames.ts) against
 * the media element's (frame-source.ts) in Debian's Chromium, with the app's own code
 * (bundled by esbuild from bench/hashing-page-entry.ts into a bare page on a plain HTTP server).
 *
 *   npm run bench:hashing-identity   (BENCH_IDENTITY_SKIP=1: costs only; BENCH_IDENTITY_COST=decode,decodeAndHash,paced,pacedTask)
 *
 * 1. Identity: for bench:hashing's joined 640×360 clips (VP9 WebM, or H.264 MP4 with
 *    BENCH_HASH_CONTAINER=mp4), every demo video (15 VP9 WebM, 1 H.264 MP4) and demo videos
 *    re-encoded to VP8, AV1, VP9 with BT.709 stated and VP8 with BT.470BG / gamma 2.8
 *    stated, and to H.264 in MP4: Baseline (no B-frames, moov first), Main and High (B-frames,
 *    so an edit list shifting the start), High with B-pyramid and 3 B-frames, High without
 *    the edit list (the first frame shown at 133 ms), BT.709 stated (in colr and the stream, and
 *    in the stream only), open GOPs, and a stream-copied
 *    cut (an edit list starting after its keyframe, which mp4-demux.ts leaves to the element);
 *    each sample taken both ways: the same sample times, the same frame (its media time, µs)
 *    and the same four hashes, frame by frame. Both WebCodecs orders are checked; a file
 *    WebCodecs will not take through the fallback (videoFramesPreferringWebCodecs) against
 *    the element.
 * 2. Cost: on the joined clips, the element against WebCodecs in file order ('sequential')
 *    and seek by seek ('seek'): decoding only ('decode'), decoding + hashing on the page's
 *    thread ('decodeAndHash'), and that paced as the app paces it, by idle callbacks
 *    ('paced') or background-priority tasks ('pacedTask'); Chromium's CPU time (/proc)
 *    beside the wall time and the load.
 * Never fails on timings; exits 1 when a frame or hash differs.
 * Optional: BENCH_HASH_CLIPS (4), BENCH_IDENTITY_ROUNDS (2), BENCH_KEEP=1.
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { build } from 'esbuild'
import { chromium } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS } from './console-host'
import { CLIP_CONTAINER, demoVp9Videos, makeClip } from './hashing-pack'
import { treeCpuMs } from './proc-cpu'
import { tempDir } from '../src/core/testing/make-pack'

const CLIPS = Number(process.env.BENCH_HASH_CLIPS ?? 4)
const ROUNDS = Number(process.env.BENCH_IDENTITY_ROUNDS ?? 2)
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ')

type Sample = { tMs: number; ts: number | null; hashes: string[] }

async function main(): Promise<void> {
  console.log(`hashing-identity bench: node ${process.version}, ${os.cpus().length} CPUs, load ${load()}`)
  const scratch = tempDir('tinjau-hashing-identity-')
  const bundle = await build({ entryPoints: [path.join(__dirname, 'hashing-page-entry.ts')], bundle: true, format: 'iife', write: false, target: 'chrome120' })
  const script = bundle.outputFiles[0]!.text

  const demoDir = path.resolve(__dirname, '..', 'resources', 'demo', 'media')
  const demo = readdirSync(demoDir).filter((d) => d !== 'posters').flatMap((d) => readdirSync(path.join(demoDir, d)).map((f) => path.join(demoDir, d, f))).sort()
  const vp9 = demoVp9Videos()
  const clips = Array.from({ length: CLIPS }, (_, i) => makeClip(scratch, vp9, (i * 4) % vp9.length, CLIP_CONTAINER).file)
  const vp8 = path.join(scratch, 'demo-vp8.webm')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vp9[0]!, '-c:v', 'libvpx', '-b:v', '600k', '-g', '30', '-c:a', 'libopus', vp8])
  const av1 = path.join(scratch, 'demo-av1.webm')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vp9[1]!, '-c:v', 'libaom-av1', '-cpu-used', '8', '-b:v', '400k', '-g', '30', '-c:a', 'copy', av1])
  // Colour stated in the container (and, for VP9, in the stream): the decoder must be told what the element is.
  const vp9Colour = path.join(scratch, 'demo-vp9-bt709.webm')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vp9[2]!, '-c:v', 'libvpx-vp9', '-b:v', '500k', '-g', '30', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv', '-c:a', 'copy', vp9Colour])
  const vp8Colour = path.join(scratch, 'demo-vp8-bt470bg.webm')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vp9[3]!, '-c:v', 'libvpx', '-b:v', '600k', '-g', '30', '-colorspace', 'bt470bg', '-color_primaries', 'bt470bg', '-color_trc', 'gamma28', '-color_range', 'tv', '-c:a', 'copy', vp8Colour])
  // H.264 in MP4, 640×360, 15 frames/s, a keyframe every 2 s, AAC sound, as a phone or OBS writes it.
  const h264 = (name: string, input: string, video: string[], mux: string[] = []) => {
    const out = path.join(scratch, name)
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', input, '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '400k', '-r', '15', '-g', '30', '-pix_fmt', 'yuv420p', ...video, '-c:a', 'aac', '-b:a', '48k', ...mux, out])
    return out
  }
  const mp4s = [
    h264('h264-baseline-faststart.mp4', vp9[4]!, ['-profile:v', 'baseline'], ['-movflags', '+faststart']),
    h264('h264-main.mp4', vp9[5]!, ['-profile:v', 'main']),
    h264('h264-high.mp4', vp9[6]!, ['-profile:v', 'high']),
    h264('h264-high-bpyramid-3b.mp4', vp9[7]!, ['-profile:v', 'high', '-bf', '3', '-x264-params', 'b-pyramid=normal']),
    h264('h264-high-no-editlist.mp4', vp9[8]!, ['-profile:v', 'high'], ['-use_editlist', '0']),
    h264('h264-bt709.mp4', vp9[9]!, ['-profile:v', 'high', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv']),
    // Keyframes that are not IDR, with B-frames before them shown first: left to the element.
    h264('h264-open-gop.mp4', vp9[10]!, ['-profile:v', 'high', '-x264-params', 'open-gop=1']),
  ]
  // BT.709 stated in the H.264 stream only (SPS VUI), its colr box renamed 'free' as some muxers leave it out.
  const vuiOnly = path.join(scratch, 'h264-bt709-vui-only.mp4')
  const withColr = readFileSync(mp4s[5]!)
  const colrAt = withColr.indexOf('colr', withColr.indexOf('avcC') - 200)
  if (colrAt < 0) throw new Error('no colr box in h264-bt709.mp4')
  withColr.write('free', colrAt, 'latin1')
  writeFileSync(vuiOnly, withColr)
  mp4s.push(vuiOnly)
  // A cut by stream copy: the edit list starts at 1.5 s, after the keyframe at 1.33 s the cut needs.
  const cut = path.join(scratch, 'h264-cut-editlist.mp4')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '1.5', '-i', mp4s[2]!, '-c', 'copy', cut])
  const files = new Map<string, string>()
  for (const f of [...clips, ...demo, vp8, av1, vp9Colour, vp8Colour, ...mp4s, cut]) files.set(`/${files.size}${path.extname(f)}`, f)

  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><title>hashing identity</title><script>${script.replace(/<\/script/g, '<\\/script')}</script>`)
      return
    }
    const file = files.get(req.url ?? '')
    if (!file) {
      res.statusCode = 404
      res.end()
      return
    }
    const data = readFileSync(file)
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '')
    res.setHeader('content-type', file.endsWith('.mp4') ? 'video/mp4' : 'video/webm')
    res.setHeader('accept-ranges', 'bytes')
    if (m) {
      const a = Number(m[1])
      const b = m[2] ? Number(m[2]) : data.length - 1
      res.statusCode = 206
      res.setHeader('content-range', `bytes ${a}-${b}/${data.length}`)
      res.end(data.subarray(a, b + 1))
    } else res.end(data)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  let differences = 0
  try {
    const page = await browser.newPage()
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') console.log(`   page ${m.type()}: ${m.text().slice(0, 300)}`)
    })
    await page.goto(`http://127.0.0.1:${port}/`)
    const run = (fn: string, url: string, way: string) => page.evaluate(`(hashingBench[${JSON.stringify(fn)}] ?? globalThis[${JSON.stringify(fn)}])(${JSON.stringify(url)}, ${JSON.stringify(way)})`)

    console.log(`\n1. identity, element against WebCodecs (load ${load()}):`)
    for (const [url, file] of process.env.BENCH_IDENTITY_SKIP === '1' ? [] : files) {
      const name = file.startsWith(scratch) ? path.basename(file) : path.relative(demoDir, file)
      const failure = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160)
      let element: Sample[]
      try {
        element = (await run('hashes', url, 'element')) as Sample[]
      } catch (err) {
        // A file the element cannot decode must fail the fallback too (the hasher marks it, as before).
        const elementError = failure(err)
        const preferring = await run('hashes', url, 'preferring').then(
          (got) => `gave ${(got as Sample[]).length} samples`,
          (e: unknown) => `failed too: ${failure(e)}`,
        )
        const ok = preferring.startsWith('failed')
        if (!ok) differences++
        console.log(`   ${name}: the element fails (${elementError}); WebCodecs preferring the element ${preferring} ${ok ? 'SAME' : 'DIFFERENT'}`)
        continue
      }
      const ways = ['sequential', 'seek']
      for (let k = 0; k < ways.length; k++) {
        const way = ways[k]!
        const got = (await run('hashes', url, way)) as Sample[] | { unavailable: string }
        if (!Array.isArray(got)) {
          console.log(`   ${name} (${way}): not for WebCodecs (${got.unavailable}); the element's instead:`)
          if (!ways.includes('preferring')) ways.push('preferring')
          continue
        }
        const compare = (reference: Sample[], other: Sample[]) => {
          const sameTimes = reference.length === other.length && reference.every((s, i) => s.tMs === other[i]!.tMs)
          const sameFrames = reference.filter((s, i) => other[i] && s.ts === other[i]!.ts).length
          const sameHashes = reference.filter((s, i) => other[i] && s.hashes.join() === other[i]!.hashes.join()).length
          const firstDiff = reference.findIndex((s, i) => !other[i] || s.ts !== other[i]!.ts || s.hashes.join() !== other[i]!.hashes.join())
          const ok = sameTimes && sameFrames === reference.length && sameHashes === reference.length
          const diff = firstDiff < 0 ? '' : `; first difference at ${reference[firstDiff]!.tMs} ms: element frame ${reference[firstDiff]!.ts} µs, ${way} ${other[firstDiff]?.ts} µs`
          return { ok, text: `${reference.length} / ${other.length} samples, same times ${sameTimes}, same frame ${sameFrames}, same 4 hashes ${sameHashes}${diff}` }
        }
        let result = compare(element, got)
        // Under load the element sometimes shows the picture from before the seek when 'seeked'
        // comes (frame-source.ts grab): a difference is checked against a second run of the element.
        if (!result.ok) {
          const again = (await run('hashes', url, 'element')) as Sample[]
          const elementSelf = compare(element, again).ok
          const second = compare(again, got)
          console.log(`   ${name} (${way}): ${result.text}; the element again: ${elementSelf ? 'the same as its first run' : 'not the same as its first run'}, against ${way}: ${second.text}`)
          result = second
        }
        if (!result.ok) differences++
        console.log(`   ${name} (${way}): ${result.text} ${result.ok ? 'IDENTICAL' : 'DIFFERENT'}`)
      }
    }

    console.log(`\n2. cost on the ${clips.length} joined clips (Chromium CPU from /proc, all its processes):`)
    const cpu = () => treeCpuMs(process.pid).total
    const clipUrls = [...files.keys()].slice(0, clips.length)
    for (let round = 0; round < ROUNDS; round++) {
      for (const fn of (process.env.BENCH_IDENTITY_COST ?? 'decode,decodeAndHash,paced,pacedTask').split(',')) {
        for (const way of ['element', 'sequential', 'seek']) {
          const l0 = load()
          const c0 = cpu()
          const t0 = performance.now()
          let n = 0
          const notes: string[] = []
          for (const url of clipUrls) {
            let got: number | string
            try {
              got = (await run(fn, url, way)) as number | string
            } catch (err) {
              notes.push(`${url} failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 120)}`)
              continue
            }
            if (typeof got === 'number') n += got
            else {
              n += Number(got.split(' ')[0])
              notes.push(got)
            }
          }
          const wall = performance.now() - t0
          const c = cpu() - c0
          console.log(`   round ${round + 1} ${fn.padEnd(13)} ${way.padEnd(10)}: ${n} frames, wall ${(wall / 1000).toFixed(1)} s (${(n / (wall / 1000)).toFixed(1)} s of video a s), CPU ${(c / 1000).toFixed(1)} s = ${(c / n).toFixed(1)} ms a frame; load ${l0} → ${load()}${notes.length ? ` (${notes.join('; ')})` : ''}`)
        }
      }
    }
  } finally {
    await browser.close()
    server.close()
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
  console.log(`\n${differences === 0 ? 'every file identical both ways' : `${differences} file/way pairs differ`}`)
  if (differences > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
