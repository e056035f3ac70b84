import { FRAME_INTERVAL_MS, MAX_FRAMES_PER_MEDIA } from '../../shared/frame-hashes'

/**
 * Decoded frames of one media object, by Chromium's own decoders (a detached <video> or
 * <img>): what every host of the renderer has, so nothing is installed for hashing.
 *
 * A video gives a frame every FRAME_INTERVAL_MS from 0 by seeking; an image one frame.
 * Failures name what failed and where (`DecodeError`): the caller records them against
 * the file so it is not tried again.
 */

export class DecodeError extends Error {
  override name = 'DecodeError'
}

/** A seek or a load that takes longer than this is a file the decoder is stuck on. */
const STEP_TIMEOUT_MS = 20_000

/**
 * A decoded picture on its way to the hash worker: a VideoFrame from a video where the
 * browser has WebCodecs (it carries the decoder's picture as it is, and the worker's canvas
 * converts it), else an ImageBitmap (converted on this thread).
 */
export type FramePicture = ImageBitmap | VideoFrame

export interface Frame {
  tMs: number
  bitmap: FramePicture
}

const MEDIA_ERRORS: Record<number, string> = {
  1: 'MEDIA_ERR_ABORTED',
  2: 'MEDIA_ERR_NETWORK',
  3: 'MEDIA_ERR_DECODE',
  4: 'MEDIA_ERR_SRC_NOT_SUPPORTED',
}

function mediaError(video: HTMLVideoElement, where: string): DecodeError {
  const e = video.error
  const code = e ? (MEDIA_ERRORS[e.code] ?? `error ${e.code}`) : 'error'
  return new DecodeError(`${code} ${where}${e?.message ? `: ${e.message}` : ''}`)
}

/** Resolves on `event`, rejects on the element's error or after the timeout; removes its listeners. */
function until(video: HTMLVideoElement, event: string, where: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer)
      video.removeEventListener(event, ok)
      video.removeEventListener('error', bad)
      signal.removeEventListener('abort', stop)
      fn()
    }
    const ok = () => done(resolve)
    const bad = () => done(() => reject(mediaError(video, where)))
    const stop = () => done(() => reject(signal.reason))
    const timer = setTimeout(() => done(() => reject(new DecodeError(`no frame after ${STEP_TIMEOUT_MS / 1000} s ${where}`))), STEP_TIMEOUT_MS)
    video.addEventListener(event, ok)
    video.addEventListener('error', bad)
    signal.addEventListener('abort', stop)
  })
}

/** `fromMs`: the first sample time wanted (after WebCodecs failed midway: webcodecs-frames.ts). */
export async function* videoFrames(url: string, durationHintMs: number | null, signal: AbortSignal, fromMs = 0): AsyncGenerator<Frame> {
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  // Read back through a canvas: a cross-origin source (Electron's media scheme) must allow it, or the canvas is tainted.
  video.crossOrigin = 'anonymous'
  try {
    const loaded = until(video, 'loadeddata', 'while loading', signal)
    video.src = url
    await loaded
    // A file without a duration in its header (some live recordings) says Infinity: the pack's then.
    const durationMs = Number.isFinite(video.duration) ? video.duration * 1000 : (durationHintMs ?? 0)
    if (!(durationMs > 0)) throw new DecodeError('the video has no duration, in the file or the pack')
    for (let t = 0, n = 0; t < durationMs && n < MAX_FRAMES_PER_MEDIA; t += FRAME_INTERVAL_MS, n++) {
      if (t < fromMs) continue
      if (t > 0) {
        const seeked = until(video, 'seeked', `at ${t} ms`, signal)
        video.currentTime = t / 1000
        await seeked
      }
      if (video.videoWidth === 0 || video.videoHeight === 0) throw new DecodeError(`no picture at ${t} ms (audio only?)`)
      yield { tMs: t, bitmap: await grab(video, t, signal) }
    }
  } finally {
    video.removeAttribute('src')
    video.load()
  }
}

/** Times a VideoFrame older than the previous sample is taken again, STALE_WAIT_MS apart. */
const STALE_RETRIES = 5
const STALE_WAIT_MS = 20

/**
 * The video's picture at `tMs`. createImageBitmap converts it to RGB on the main thread
 * (~7 ms a 640×360 frame in Debian's Chromium, bench/hashing.bench.ts), where the console
 * answers keys; a VideoFrame leaves that to the worker (bitmap-pdq.ts: its copyTo RGBA). A VideoFrame also names
 * its media time, which matters: Chromium 156 sometimes sends 'seeked' before the picture
 * sought is shown (once in 15 seeks of a joined demo clip; a bitmap taken then and one taken
 * 40 ms later differed in every pixel), and the picture then is the one before the seek. A frame older than the previous sample is taken again a little later; a
 * video whose frames really are that far apart gets the old one after the retries.
 */
async function grab(video: HTMLVideoElement, tMs: number, signal: AbortSignal): Promise<FramePicture> {
  if (typeof VideoFrame === 'function') {
    for (let attempt = 0; ; attempt++) {
      let frame: VideoFrame
      try {
        frame = new VideoFrame(video)
      } catch {
        // A picture WebCodecs will not wrap: the bitmap path below.
        break
      }
      // VideoFrame timestamps are in microseconds.
      if (frame.timestamp >= (tMs - FRAME_INTERVAL_MS) * 1000 || attempt === STALE_RETRIES || signal.aborted) return frame
      frame.close()
      await new Promise((resolve) => setTimeout(resolve, STALE_WAIT_MS))
    }
  }
  return createImageBitmap(video)
}

export async function imageFrame(url: string, signal: AbortSignal): Promise<Frame> {
  const img = new Image()
  img.crossOrigin = 'anonymous'
  img.decoding = 'async'
  img.src = url
  try {
    await Promise.race([
      img.decode(),
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ])
  } catch (err) {
    if (signal.aborted) throw err
    throw new DecodeError(`the image cannot be decoded${err instanceof Error && err.message ? `: ${err.message}` : ''}`)
  }
  return { tMs: 0, bitmap: await createImageBitmap(img) }
}
