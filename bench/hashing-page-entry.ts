/**
 * The hasher's own frame sources and hashing, bundled by esbuild for a bare page
 * (bench/hashing-identity.bench.ts): the element path, the WebCodecs path (both decode
 * orders) and the fallback between them, each frame hashed as the hash worker does.
 */
import { makeBitmapHasher } from '../src/renderer/hashing/bitmap-pdq'
import { videoFrames, type Frame } from '../src/renderer/hashing/frame-source'
import { videoFramesPreferringWebCodecs, WebCodecsUnavailable, webCodecsFrames } from '../src/renderer/hashing/webcodecs-frames'
import type { DecodeOrder } from '../src/renderer/hashing/frame-plan'

type Way = 'element' | 'sequential' | 'seek' | 'preferring'

function frames(url: string, way: Way, signal: AbortSignal): AsyncGenerator<Frame> {
  if (way === 'element') return videoFrames(url, null, signal)
  if (way === 'preferring') return videoFramesPreferringWebCodecs(url, null, signal)
  return webCodecsFrames(url, null, signal, { order: way as DecodeOrder })
}

const api = {
  /** Every sample: its time, the media time of the frame taken, its four hashes. */
  async hashes(url: string, way: Way) {
    const hash = makeBitmapHasher()
    const out: { tMs: number; ts: number | null; hashes: string[] }[] = []
    try {
      for await (const f of frames(url, way, new AbortController().signal)) {
        const ts = 'timestamp' in f.bitmap ? f.bitmap.timestamp : null
        const hs = await hash(f.bitmap)
        out.push({ tMs: f.tMs, ts, hashes: hs.map((h) => `${h.hash}:${h.quality}`) })
      }
    } catch (err) {
      if (err instanceof WebCodecsUnavailable) return { unavailable: err.message }
      throw err
    }
    return out
  },
  /** The frames only, closed as they come: decoding cost. */
  async decode(url: string, way: Way) {
    let n = 0
    for await (const f of frames(url, way, new AbortController().signal)) {
      f.bitmap.close()
      n++
    }
    return n
  },
  /** Decode and hash, frame after frame, on this thread. */
  async decodeAndHash(url: string, way: Way) {
    const hash = makeBitmapHasher()
    let n = 0
    for await (const f of frames(url, way, new AbortController().signal)) {
      await hash(f.bitmap)
      n++
    }
    return n
  },
}

;(globalThis as unknown as { hashingBench: typeof api }).hashingBench = api

;(globalThis as unknown as { frameInfo: unknown }).frameInfo = async (url: string, way: Way) => {
  for await (const f of frames(url, way, new AbortController().signal)) {
    const v = f.bitmap as VideoFrame
    const info = { format: v.format, colorSpace: v.colorSpace.toJSON(), coded: [v.codedWidth, v.codedHeight], visible: v.visibleRect?.toJSON(), display: [v.displayWidth, v.displayHeight] }
    v.close()
    return info
  }
  return null
}


/** Hashes every frame on this thread, waiting for `pause` before and after each, as the background hasher paces itself. */
async function pacedBy(url: string, way: Way, pause: () => Promise<unknown>): Promise<string> {
  const hash = makeBitmapHasher()
  let n = 0
  let idleMs = 0
  const wait = async () => {
    const s = performance.now()
    await pause()
    idleMs += performance.now() - s
  }
  for await (const f of frames(url, way, new AbortController().signal)) {
    await wait()
    await hash(f.bitmap)
    await wait()
    n++
  }
  return `${n} frames, idle waits ${idleMs.toFixed(0)} ms`
}

/** Paced by idle callbacks (as hash-worker-client.ts once did with whenIdle). */
;(globalThis as unknown as { paced: unknown }).paced = (url: string, way: Way) => pacedBy(url, way, () => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 1000 })))

/** Paced by background-priority tasks (scheduler.postTask), as the hasher is now. */
;(globalThis as unknown as { pacedTask: unknown }).pacedTask = (url: string, way: Way) => {
  const sched = (globalThis as unknown as { scheduler: { postTask(cb: () => void, o: { priority: string }): Promise<void> } }).scheduler
  return pacedBy(url, way, () => sched.postTask(() => {}, { priority: 'background' }))
}
