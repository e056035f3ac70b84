import { FRAME_INTERVAL_MS, MAX_FRAMES_PER_MEDIA } from '../../shared/frame-hashes'
import type { EncodedFrame } from './encoded-video'
import type { WebmVideoTrack } from './webm-demux'

/**
 * Which frames the hasher takes from a demuxed video, and in what order WebCodecs decodes
 * them (webcodecs-frames.ts). Pure, so the choice is tested in Node against the files ffmpeg makes.
 *
 * The times are the media element's (frame-source.ts): 0, then every FRAME_INTERVAL_MS
 * while under the duration. The frame for time t is the one a paused <video> shows after a
 * seek to t: the last frame whose presentation time is ≤ t, or the first frame when t is
 * before it (time 0 of a file whose first frame is at 7 ms; the element shows that frame
 * once loaded). bench/hashing-identity.bench.ts checks this against Chromium's element.
 *
 * Frames are chosen among the frames in presentation order and decoded in decode (file)
 * order: the same for WebM; with an MP4's B-frames a frame is decoded after the later
 * frames it refers to, and is decoded once its run is fed as far as it in decode order
 * (mp4-demux.ts refuses runs that need frames of the run before: open GOPs).
 */

/** The element path's sample times for a duration in ms. */
export function sampleTimes(durationMs: number): number[] {
  const times: number[] = []
  for (let t = 0, n = 0; t < durationMs && n < MAX_FRAMES_PER_MEDIA; t += FRAME_INTERVAL_MS, n++) times.push(t)
  return times
}

/** For each time (ms, ascending), the index of the frame shown then. `frames` are in presentation order. */
export function chooseFrames(frames: readonly Pick<EncodedFrame, 'timestampUs'>[], timesMs: readonly number[]): number[] {
  const chosen: number[] = []
  let i = 0
  for (const t of timesMs) {
    const us = t * 1000
    while (i + 1 < frames.length && frames[i + 1]!.timestampUs <= us) i++
    chosen.push(i)
  }
  return chosen
}

/**
 * The order frames go to the decoder:
 * - 'sequential': through the file once, each keyframe's run only as far as the last frame
 *   wanted before the next keyframe (the rest of the run, and runs with no wanted frame, skipped);
 * - 'seek': as the element does, for each wanted frame its keyframe's run again up to it, then a flush.
 * Each step is a frame index; `flush` after it when the decoder must give out everything it holds.
 */
export type DecodeOrder = 'sequential' | 'seek'
export interface DecodeStep {
  index: number
  flush: boolean
}

/**
 * For each time, the index in `frames` (decode order) of the frame shown then: chosen among
 * the frames sorted by presentation time, which is the identity for WebM.
 */
export function chooseFramesInDecodeOrder(frames: readonly Pick<EncodedFrame, 'timestampUs'>[], timesMs: readonly number[]): number[] {
  const shown = frames.map((_, i) => i).sort((a, b) => frames[a]!.timestampUs - frames[b]!.timestampUs)
  return chooseFrames(
    shown.map((i) => frames[i]!),
    timesMs,
  ).map((k) => shown[k]!)
}

/** `frames` in decode order, `chosen` indices into them. */
export function decodePlan(frames: readonly Pick<EncodedFrame, 'key'>[], chosen: readonly number[], order: DecodeOrder): DecodeStep[] {
  const keyBefore = (i: number) => {
    while (i > 0 && !frames[i]!.key) i--
    return i
  }
  const wanted = [...new Set(chosen)].sort((a, b) => a - b)
  const steps: DecodeStep[] = []
  if (order === 'seek') {
    for (const w of wanted) for (let i = keyBefore(w); i <= w; i++) steps.push({ index: i, flush: i === w })
    return steps
  }
  let fed = -1
  for (let k = 0; k < wanted.length; k++) {
    const w = wanted[k]!
    const key = keyBefore(w)
    // A new keyframe's run starts at the keyframe; within the run already fed, carry on from where it stopped.
    for (let i = key > fed ? key : fed + 1; i <= w; i++) steps.push({ index: i, flush: false })
    fed = w
  }
  if (steps.length > 0) steps[steps.length - 1]!.flush = true
  return steps
}

/**
 * The WebCodecs codec string for a WebM video track, or null for a codec not handled here
 * (the element decodes those). VP9's profile and bit depth come from the first keyframe's
 * header, AV1's from CodecPrivate (its av1C box); levels are not checked by Chromium's
 * software decoders, so the highest common ones are named.
 */
export function codecString(track: Pick<WebmVideoTrack, 'codecId' | 'codecPrivate'>, firstKeyframe: Uint8Array): string | null {
  if (track.codecId === 'V_VP8') return 'vp8'
  if (track.codecId === 'V_VP9') {
    const vp9 = vp9ProfileAndDepth(firstKeyframe)
    if (!vp9) return null
    return `vp09.${pad2(vp9.profile)}.10.${pad2(vp9.bitDepth)}`
  }
  if (track.codecId === 'V_AV1') {
    const c = track.codecPrivate
    // av1C: marker/version 0x81, then seq_profile(3) seq_level_idx_0(5), then seq_tier_0, high_bitdepth, twelve_bit, …
    if (!c || c.length < 4 || c[0] !== 0x81) return null
    const profile = c[1]! >> 5
    const level = c[1]! & 0x1f
    const tier = c[2]! & 0x80 ? 'H' : 'M'
    const bitDepth = c[2]! & 0x40 ? (c[2]! & 0x20 ? 12 : 10) : 8
    return `av01.${profile}.${pad2(level)}${tier}.${pad2(bitDepth)}`
  }
  return null
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** VP9 uncompressed header: frame_marker(2) profile_low profile_high [reserved if 3] show_existing frame_type …, sync code, then the bit depth for profiles 2–3. */
function vp9ProfileAndDepth(b: Uint8Array): { profile: number; bitDepth: number } | null {
  let bit = 0
  const read = (n: number) => {
    let v = 0
    for (let i = 0; i < n; i++, bit++) {
      const byte = b[bit >> 3]
      if (byte === undefined) throw new RangeError('short')
      v = (v << 1) | ((byte >> (7 - (bit & 7))) & 1)
    }
    return v
  }
  try {
    if (read(2) !== 2) return null
    const low = read(1)
    const profile = (read(1) << 1) | low
    if (profile === 3) read(1)
    if (read(1)) return null // show_existing_frame
    if (read(1) !== 0) return null // not a keyframe
    read(2) // show_frame, error_resilient_mode
    if (read(24) !== 0x498342) return null
    const bitDepth = profile >= 2 ? (read(1) ? 12 : 10) : 8
    return { profile, bitDepth }
  } catch {
    return null
  }
}
