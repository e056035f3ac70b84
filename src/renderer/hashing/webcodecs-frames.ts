import { FRAME_INTERVAL_MS } from '../../shared/frame-hashes'
import type { EncodedFrame, StatedColour } from './encoded-video'
import { codecString, chooseFramesInDecodeOrder, decodePlan, sampleTimes, type DecodeOrder } from './frame-plan'
import { DecodeError, videoFrames, type Frame } from './frame-source'
import type { Mp4Video } from './mp4-demux'
import { demuxWebmVideo, WebmError } from './webm-demux'

/**
 * A WebM or MP4 video's sample frames decoded by WebCodecs from our own demuxing
 * (webm-demux.ts; mp4-demux.ts, by mp4box.js, for H.264 in MP4):
 * video only (the element also decodes the muted audio: about a third of a seek's CPU,
 * docs/performance.md), each keyframe's run decoded once as far as the last frame wanted
 * in it (frame-plan.ts), no element seeks. The frames are the ones the element shows at the
 * same times (frame-plan.ts says which; bench/hashing-identity.bench.ts compares them and
 * their hashes with the element's), so HASHER_ID is unchanged.
 *
 * `WebCodecsUnavailable`: this file is not for this path (neither WebM nor MP4, a codec the decoder
 * refuses, no WebCodecs) — the caller uses the element; so it does after any other failure.
 */

export class WebCodecsUnavailable extends Error {
  override name = 'WebCodecsUnavailable'
}

/** Larger files go to the element, which streams them, instead of being read into memory whole. */
const MAX_FILE_BYTES = 1 << 30
/** A decode that gives nothing back for this long is a decoder stuck on the file. */
const STEP_TIMEOUT_MS = 20_000
/** Chunks queued in the decoder at once: a keyframe run (15 frames/s, a keyframe every 2 s: 30) in a few goes; what is queued when the reviewer acts is still decoded. */
const MAX_QUEUED_CHUNKS = 8
/** Frames decoded ahead of the reader: the decoder keeps working while a frame is hashed; few, as each holds a decoder buffer. */
const READ_AHEAD = 2

export interface WebCodecsOptions {
  order?: DecodeOrder
  /** Decoded frames kept ready ahead of the reader (READ_AHEAD). */
  readAhead?: number
  /**
   * Awaited before each chunk goes to the decoder: the console's quiet gate (input-quiet.ts),
   * so decoding ahead stops, as the element's seeks do, while the reviewer acts.
   */
  pause?: (signal: AbortSignal) => Promise<void>
}

/** A demuxed file as the decoder takes it: its frames in decode order, its config, the sample times. */
export interface PreparedVideo {
  frames: EncodedFrame[]
  config: VideoDecoderConfig
  times: number[]
}

/** The demuxed file (WebM or MP4, told by its first bytes), its decoder config and the plan; or why WebCodecs will not do this file. */
export async function prepareWebCodecs(bytes: Uint8Array, durationHintMs: number | null): Promise<PreparedVideo> {
  if (typeof VideoDecoder !== 'function' || typeof EncodedVideoChunk !== 'function') throw new WebCodecsUnavailable('no WebCodecs in this browser')
  const isMp4 = bytes.length >= 8 && bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70 // 'ftyp'
  const prepared = isMp4 ? await prepareMp4(bytes) : prepareWebm(bytes, durationHintMs)
  const colorSpace = decoderColourSpace(prepared.colour)
  if (!colorSpace) throw new WebCodecsUnavailable(`a colour WebCodecs cannot state as the element does (${JSON.stringify(prepared.colour)})`)
  const config: VideoDecoderConfig = { ...prepared.config, colorSpace }
  const support = await VideoDecoder.isConfigSupported(config)
  if (!support.supported) throw new WebCodecsUnavailable(`the decoder refuses ${config.codec}`)
  return { frames: prepared.frames, config, times: sampleTimes(prepared.durationMs) }
}

interface Demuxed {
  frames: EncodedFrame[]
  config: VideoDecoderConfig
  colour: StatedColour | null
  durationMs: number
}

function prepareWebm(bytes: Uint8Array, durationHintMs: number | null): Demuxed {
  let video
  try {
    video = demuxWebmVideo(bytes)
  } catch (err) {
    if (err instanceof WebmError) throw new WebCodecsUnavailable(`WebM: ${err.message}`)
    throw err
  }
  // The element takes the container's duration; without one it falls back on the pack's, which only it can reconcile.
  if (video.durationMs === null) throw new WebCodecsUnavailable(`the file has no Duration (the pack says ${durationHintMs ?? 'nothing'})`)
  const first = video.frames[0]!
  const codec = codecString(video.track, bytes.subarray(first.offset, first.offset + first.size))
  if (!codec) throw new WebCodecsUnavailable(`codec ${video.track.codecId.slice(0, 32)} is not decoded here`)
  return { frames: video.frames, config: { codec, codedWidth: video.track.width, codedHeight: video.track.height }, colour: video.track.colour, durationMs: video.durationMs }
}

async function prepareMp4(bytes: Uint8Array): Promise<Demuxed> {
  // mp4box.js (a 189 kB chunk) is loaded with the first MP4 hashed, not with the console.
  const { demuxMp4Video, Mp4Error } = await import('./mp4-demux')
  let video: Mp4Video
  try {
    video = demuxMp4Video(bytes)
  } catch (err) {
    if (err instanceof Mp4Error) throw new WebCodecsUnavailable(`MP4: ${err.message}`)
    throw err
  }
  return { frames: video.frames, config: { codec: video.codec, description: video.description, codedWidth: video.width, codedHeight: video.height }, colour: video.colour, durationMs: video.durationMs }
}

export async function* webCodecsFrames(url: string, durationHintMs: number | null, signal: AbortSignal, options: WebCodecsOptions = {}): AsyncGenerator<Frame> {
  if (typeof VideoDecoder !== 'function') throw new WebCodecsUnavailable('no WebCodecs in this browser')
  const res = await fetch(url, { signal })
  if (!res.ok) throw new DecodeError(`the media file could not be read: HTTP ${res.status}`)
  const declared = Number(res.headers.get('Content-Length'))
  if (declared > MAX_FILE_BYTES) {
    await res.body?.cancel()
    throw new WebCodecsUnavailable(`${declared} bytes, read by the element instead`)
  }
  const bytes = new Uint8Array(await res.arrayBuffer())
  const { frames, config, times } = await prepareWebCodecs(bytes, durationHintMs)
  yield* decodeChosen(bytes, frames, config, times, signal, options.order ?? 'sequential', Math.max(1, options.readAhead ?? READ_AHEAD), options.pause)
}

async function* decodeChosen(
  bytes: Uint8Array,
  frames: EncodedFrame[],
  config: VideoDecoderConfig,
  times: number[],
  signal: AbortSignal,
  order: DecodeOrder,
  readAhead: number,
  pause: WebCodecsOptions['pause'],
): AsyncGenerator<Frame> {
  const chosen = chooseFramesInDecodeOrder(frames, times)
  // A frame's presentation time → the sample times it is shown at (several when frames are further apart than a second).
  const wantedAt = new Map<number, number[]>()
  chosen.forEach((index, k) => {
    const ts = frames[index]!.timestampUs
    const list = wantedAt.get(ts)
    if (list) list.push(times[k]!)
    else wantedAt.set(ts, [times[k]!])
  })
  const steps = decodePlan(frames, chosen, order)
  const ready: Frame[] = []
  let failure: Error | null = null
  const failed = (err: unknown) => (failure ??= new DecodeError(`the video decoder failed: ${err instanceof Error ? err.message : String(err)}`))
  // Anything that may unblock the feeder or the reader: a frame out, a chunk taken, a frame taken, an error.
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const w of waiters) w()
    waiters.clear()
  }
  const changed = () => new Promise<void>((resolve) => waiters.add(resolve))
  const decoder = new VideoDecoder({
    output: (frame) => {
      const at = wantedAt.get(frame.timestamp)
      // Each frame not kept is closed at once: a decoder whose frames are held stops giving more.
      if (!at || signal.aborted) return frame.close()
      wantedAt.delete(frame.timestamp)
      at.forEach((tMs, i) => ready.push({ tMs, bitmap: i === at.length - 1 ? frame : frame.clone() }))
      notify()
    },
    error: (e) => {
      failed(e)
      notify()
    },
  })
  decoder.addEventListener('dequeue', notify)

  // The feeder runs ahead of the reader by up to `readAhead` frames, so the decoder works while
  // the frame before is hashed and while the hasher waits for the reviewer to be still.
  let stopped = false
  let fed = 0
  let feederDone = false
  // While the reviewer acts nothing is fed, and no frame coming is not the decoder's fault.
  let paused = false
  const feed = async () => {
    try {
      while (!stopped && !failure && fed < steps.length) {
        if (ready.length >= readAhead || decoder.decodeQueueSize >= MAX_QUEUED_CHUNKS) {
          await changed()
          continue
        }
        if (pause) {
          paused = true
          await pause(signal)
          paused = false
          if (stopped || failure) break
        }
        const { index, flush } = steps[fed++]!
        const f = frames[index]!
        decoder.decode(new EncodedVideoChunk({ type: f.key ? 'key' : 'delta', timestamp: f.timestampUs, data: bytes.subarray(f.offset, f.offset + f.size) }))
        // Everything the decoder holds comes out (the output callback) before its flush resolves.
        if (flush) await decoder.flush()
      }
    } catch (err) {
      if (!stopped) failed(err)
    } finally {
      feederDone = true
      notify()
    }
  }
  const nextChange = (what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop)
        // Paused by the console's gate: look again (the reader loops), not a stuck decoder.
        if (paused) resolve()
        else reject(new DecodeError(`no frame from the decoder after ${STEP_TIMEOUT_MS / 1000} s ${what}`))
      }, STEP_TIMEOUT_MS)
      const stop = () => reject(signal.reason)
      signal.addEventListener('abort', stop, { once: true })
      void changed().then(() => {
        clearTimeout(timer)
        signal.removeEventListener('abort', stop)
        resolve()
      })
    })
  let emitted = 0
  try {
    decoder.configure(config)
    void feed()
    while (emitted < times.length) {
      if (signal.aborted) throw signal.reason
      const frame = ready.shift()
      if (frame) {
        emitted++
        notify()
        yield frame
        continue
      }
      if (failure) throw failure
      if (feederDone) {
        const missing = [...wantedAt.keys()].slice(0, 3).map((us) => `${us} µs`).join(', ')
        throw new DecodeError(`the decoder gave no frame at ${missing}`)
      }
      await nextChange(`at chunk ${fed} of ${steps.length}`)
    }
  } finally {
    stopped = true
    notify()
    for (const f of ready.splice(0)) f.bitmap.close()
    if (decoder.state !== 'closed') decoder.close()
  }
}

/**
 * The decoder's colour space: the container's, as the element's demuxer passes it on. None
 * stated must stay none: left out of the config, Chromium's VideoDecoder labels the frames
 * BT.709 while the element's are unlabelled, and their RGB (copyTo, so the hashes) differs.
 * A colour WebCodecs cannot name in full (a transfer such as BT.470BG's gamma 2.8) would be
 * dropped whole by the decoder, while the element keeps what it can: such files go to the
 * element (null), and so do full range without the rest. Codes: ISO/IEC 23091-4 (Matroska's
 * Colour, MP4's colr), 2 is "unspecified"; range as Matroska's (1 limited, 2 full). bench/hashing-identity.bench.ts checks these against the element.
 */
export function decoderColourSpace(c: StatedColour | null): VideoColorSpaceInit | null {
  if (!c) return {}
  // Names newer than TypeScript's DOM types (bt2020, pq, hlg, …) are Chromium's all the same.
  const matrix: Record<number, string> = { 0: 'rgb', 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m', 9: 'bt2020-ncl' }
  const transfer: Record<number, string> = { 1: 'bt709', 6: 'smpte170m', 8: 'linear', 13: 'iec61966-2-1', 16: 'pq', 18: 'hlg' }
  const primaries: Record<number, string> = { 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m', 9: 'bt2020', 12: 'smpte432' }
  const stated = (v: number | undefined) => v !== undefined && v !== 2
  // Limited range alone (what ffmpeg writes for most YUV video) is what an unlabelled frame is taken to be.
  if (!stated(c.matrix) && !stated(c.transfer) && !stated(c.primaries)) return c.range === 2 ? null : {}
  const m = matrix[c.matrix ?? -1]
  const t = transfer[c.transfer ?? -1]
  const p = primaries[c.primaries ?? -1]
  if (!m || !t || !p) return null
  return { matrix: m, transfer: t, primaries: p, fullRange: c.range === 2 } as VideoColorSpaceInit
}

/**
 * A video's frames by WebCodecs where it can, else by the element: from the start when
 * WebCodecs will not take the file, or from the next sample time when it fails midway (the
 * frames already given are the element's too). A file neither can decode fails with the
 * element's DecodeError, as before.
 */
export async function* videoFramesPreferringWebCodecs(url: string, durationHintMs: number | null, signal: AbortSignal, options: WebCodecsOptions = {}): AsyncGenerator<Frame> {
  let nextMs = 0
  try {
    for await (const frame of webCodecsFrames(url, durationHintMs, signal, options)) {
      nextMs = frame.tMs + FRAME_INTERVAL_MS
      yield frame
    }
    return
  } catch (err) {
    if (signal.aborted) throw err
    if (!(err instanceof WebCodecsUnavailable)) console.warn(`hashing: WebCodecs failed on ${url}, the media element takes over at ${nextMs} ms:`, err)
  }
  yield* videoFrames(url, durationHintMs, signal, nextMs)
}
