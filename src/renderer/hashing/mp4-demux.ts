import { createFile, MP4BoxBuffer, type Box, type ISOFile, type Movie, type Sample, type VisualSampleEntry } from 'mp4box'
import type { EncodedFrame, StatedColour } from './encoded-video'

/**
 * The video track of an MP4 file, demuxed for WebCodecs (webcodecs-frames.ts) by GPAC's
 * mp4box.js: where each video sample's bytes are, its presentation time as Chromium's
 * element shows it, whether it is a keyframe, and the decoder's codec string and avcC.
 *
 * The file comes from a field pack, so it is hostile until read. mp4box.js is lenient (it
 * logs and carries on) and trusts its tables' counts, so before it sees the file the box
 * tree is walked here: every box inside its parent and the file, every sample table's
 * count against its box's length and the file's (a constant-size stsz of 4 billion
 * samples would otherwise loop on nothing). After it, every sample is checked: inside the
 * file, times finite and in order. A refusal is an `Mp4Error` naming the box and its byte.
 *
 * Only what the element is sure to show the same way is taken: one H.264 (avc1) video
 * track, not fragmented, square pixels, no rotation, at most one edit that only shifts
 * the start (what ffmpeg writes for B-frames), closed GOPs. Anything else is refused and
 * the media element decodes the file instead.
 */

type Track = ReturnType<ISOFile['getTrackById']>

export class Mp4Error extends Error {
  override name = 'Mp4Error'
}

export const MP4_LIMITS = {
  /** The moov box (all sample tables) is read whole. */
  maxMoovBytes: 64 << 20,
  maxTracks: 64,
  /** One compressed video frame. */
  maxFrameBytes: 32 << 20,
  /** Samples of any one track: four hours at 120 a second (an audio track has ~47 a second). */
  maxSamples: 4 * 3600 * 120,
  maxPixels: 8192,
  maxDescriptionBytes: 1 << 16,
} as const

export interface Mp4Video {
  /** The element's duration: the longest of the movie's and its tracks' (ms). */
  durationMs: number
  /** WebCodecs codec string (avc1.PPCCLL) and the avcC box's body, the decoder's description. */
  codec: string
  description: Uint8Array
  width: number
  height: number
  /** The sample entry's colr (nclx) box, null when it has none. */
  colour: StatedColour | null
  /** The video samples in decode (file) order; their times are presentation times, which B-frames put out of order. */
  frames: EncodedFrame[]
}

/** Boxes walked into before mp4box.js parses them; others are only bounded by their parent. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts'])

/** Sample tables: bytes before the entries (after the full box header) and bytes per entry. */
const TABLES: Record<string, { entries: number; perEntry: (version: number) => number }> = {
  stts: { entries: 4, perEntry: () => 8 },
  ctts: { entries: 4, perEntry: () => 8 },
  stss: { entries: 4, perEntry: () => 4 },
  stsc: { entries: 4, perEntry: () => 12 },
  stco: { entries: 4, perEntry: () => 4 },
  co64: { entries: 4, perEntry: () => 8 },
  elst: { entries: 4, perEntry: (v) => (v === 1 ? 20 : 12) },
}

interface RawBox {
  type: string
  start: number
  /** Where its payload starts and where it ends. */
  dataStart: number
  end: number
}

const printable = (type: string) => (/^[\x20-\x7e]{4}$/.test(type) ? type : JSON.stringify(type))

function u32(b: Uint8Array, at: number): number {
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)
}

/** The boxes in `[start, end)` of `parent`, each checked to lie inside it. */
function* boxes(b: Uint8Array, start: number, end: number, parent: string): Generator<RawBox> {
  let pos = start
  while (pos < end) {
    if (pos + 8 > end) throw new Mp4Error(`truncated box header at byte ${pos} in ${parent}`)
    let size = u32(b, pos)
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!)
    let dataStart = pos + 8
    if (size === 1) {
      if (pos + 16 > end) throw new Mp4Error(`truncated box header of ${printable(type)} at byte ${pos} in ${parent}`)
      size = u32(b, pos + 8) * 0x100000000 + u32(b, pos + 12)
      dataStart = pos + 16
    } else if (size === 0) size = end - pos
    if (size < dataStart - pos) throw new Mp4Error(`box ${printable(type)} at byte ${pos} says ${size} bytes, less than its header`)
    if (pos + size > end) throw new Mp4Error(`box ${printable(type)} at byte ${pos} says ${size} bytes, more than the ${end - pos} left in ${parent}`)
    yield { type, start: pos, dataStart, end: pos + size }
    pos += size
  }
}

/** The moov's tree: sizes nested, sample tables no longer than their boxes, sample counts bounded by the file. */
function checkMoov(b: Uint8Array, box: RawBox): void {
  let tracks = 0
  for (const c of boxes(b, box.dataStart, box.end, `${box.type} at byte ${box.start}`)) {
    const where = `${printable(c.type)} at byte ${c.start}`
    if (c.type === 'mvex' || c.type === 'moof') throw new Mp4Error(`a fragmented MP4 (${where}) is not read here`)
    if (c.type === 'trak' && ++tracks > MP4_LIMITS.maxTracks) throw new Mp4Error(`more than ${MP4_LIMITS.maxTracks} tracks (${where})`)
    if (CONTAINERS.has(c.type)) {
      checkMoov(b, c)
      continue
    }
    const payload = c.end - c.dataStart
    if (c.type === 'stz2') throw new Mp4Error(`compact sample sizes (${where}) are not read here`)
    if (c.type === 'stsz') {
      if (payload < 12) throw new Mp4Error(`${where} is ${payload} bytes, too short for its header`)
      const sampleSize = u32(b, c.dataStart + 4)
      const count = u32(b, c.dataStart + 8)
      if (count > MP4_LIMITS.maxSamples) throw new Mp4Error(`${where} says ${count} samples, more than the ${MP4_LIMITS.maxSamples} allowed`)
      if (sampleSize === 0 && 12 + 4 * count > payload) throw new Mp4Error(`${where} says ${count} samples, more than its ${payload} bytes hold`)
      if (sampleSize * count > b.length) throw new Mp4Error(`${where} says ${count} samples of ${sampleSize} bytes, more than the file's ${b.length} bytes`)
      continue
    }
    const table = TABLES[c.type]
    if (table) {
      if (payload < 4 + table.entries) throw new Mp4Error(`${where} is ${payload} bytes, too short for its header`)
      const version = b[c.dataStart]!
      const count = u32(b, c.dataStart + 4)
      if (4 + table.entries + count * table.perEntry(version) > payload) throw new Mp4Error(`${where} says ${count} entries, more than its ${payload} bytes hold`)
    }
  }
}

/** The only video track of an MP4 file and its samples; throws Mp4Error on anything it cannot vouch for. */
export function demuxMp4Video(bytes: Uint8Array): Mp4Video {
  try {
    return demux(bytes)
  } catch (err) {
    if (err instanceof Mp4Error) throw err
    // mp4box.js leaves a box it could not parse half-filled: a damaged moov ends here, as a refusal.
    throw new Mp4Error(`the moov could not be read: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`)
  }
}

function demux(bytes: Uint8Array): Mp4Video {
  if (bytes.length < 8 || String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!) !== 'ftyp') throw new Mp4Error('not an MP4 file: no ftyp box at byte 0')
  let moov: RawBox | null = null
  let ftyp: RawBox | null = null
  for (const box of boxes(bytes, 0, bytes.length, 'the file')) {
    ftyp ??= box
    if (box.type === 'moof' || box.type === 'mfra' || box.type === 'sidx') throw new Mp4Error(`a fragmented MP4 (${box.type} at byte ${box.start}) is not read here`)
    if (box.type !== 'moov') continue
    if (moov) throw new Mp4Error(`a second moov at byte ${box.start}`)
    if (box.end - box.start > MP4_LIMITS.maxMoovBytes) throw new Mp4Error(`moov at byte ${box.start} is ${box.end - box.start} bytes, more than the ${MP4_LIMITS.maxMoovBytes} allowed`)
    moov = box
  }
  if (!moov) throw new Mp4Error('no moov box')
  checkMoov(bytes, moov)

  if (ftyp!.end - ftyp!.start > 4096) throw new Mp4Error(`ftyp at byte 0 is ${ftyp!.end} bytes`)
  const file = parseWithMp4box(bytes, ftyp!, moov)
  const info = file.getInfo()
  if (info.isFragmented) throw new Mp4Error('a fragmented MP4 is not read here')
  // By handler and by sample entry: a track the element may take for video must be the one read.
  const videoHandlers = file.moov.traks.filter((t) => t.mdia?.hdlr?.handler === 'vide').length
  if (info.videoTracks.length !== 1 || videoHandlers !== 1) throw new Mp4Error(`${Math.max(info.videoTracks.length, videoHandlers)} video tracks (one is read here)`)
  const trak = file.getTrackById(info.videoTracks[0]!.id)
  // mp4box.js saw the ftyp followed by the moov: its positions → the file's.
  const ftypBytes = ftyp!.end
  const fileByte = (box: Box) => (box.start ?? 0) - ftypBytes + moov.start
  const where = `the video track (trak at byte ${fileByte(trak)})`
  const entries = trak.mdia.minf.stbl.stsd.entries
  if (entries.length !== 1) throw new Mp4Error(`${where} has ${entries.length} sample descriptions (one is read here)`)
  const entry = entries[0]! as VisualSampleEntry
  if (entry.type !== 'avc1') throw new Mp4Error(`${where} is ${printable(entry.type)}; only H.264 (avc1) is decoded here`)
  const avcC = entry.avcC
  if (!avcC || avcC.start === undefined || avcC.hdr_size === undefined) throw new Mp4Error(`${where} has no avcC box`)
  if (avcC.size - avcC.hdr_size > MP4_LIMITS.maxDescriptionBytes) throw new Mp4Error(`avcC at byte ${fileByte(avcC)} is ${avcC.size} bytes, more than the ${MP4_LIMITS.maxDescriptionBytes} allowed`)
  const description = bytes.slice(fileByte(avcC) + avcC.hdr_size, fileByte(avcC) + avcC.size)
  const { width, height } = entry
  if (!(width > 0 && height > 0 && width <= MP4_LIMITS.maxPixels && height <= MP4_LIMITS.maxPixels)) throw new Mp4Error(`${where} is ${width}×${height} (1 to ${MP4_LIMITS.maxPixels} a side)`)
  const hex = (n: number) => n.toString(16).padStart(2, '0')
  const codec = `avc1.${hex(avcC.AVCProfileIndication)}${hex(avcC.profile_compatibility)}${hex(avcC.AVCLevelIndication)}`

  let colour: StatedColour | null = null
  for (const box of entry.boxes ?? []) {
    const at = `${printable(box.type)} at byte ${fileByte(box)}`
    if (box.type === 'pasp') {
      const p = box as Box & { hSpacing: number; vSpacing: number }
      if (p.hSpacing !== p.vSpacing) throw new Mp4Error(`non-square pixels (${at}: ${p.hSpacing}:${p.vSpacing}) are left to the element`)
    } else if (box.type === 'clap') throw new Mp4Error(`a clean aperture (${at}) is left to the element`)
    else if (box.type === 'colr') {
      const c = box as Box & { colour_type: string; colour_primaries: number; transfer_characteristics: number; matrix_coefficients: number; full_range_flag: number }
      if (c.colour_type !== 'nclx') throw new Mp4Error(`a ${printable(c.colour_type)} colour profile (${at}) is left to the element`)
      colour = { primaries: c.colour_primaries, transfer: c.transfer_characteristics, matrix: c.matrix_coefficients, range: c.full_range_flag ? 2 : 1 }
    }
  }
  const identity = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000]
  if (!identity.every((v, i) => trak.tkhd.matrix[i] === v)) throw new Mp4Error(`${where} is rotated or transformed (tkhd matrix), left to the element`)

  const timescale = trak.mdia.mdhd.timescale
  if (!(timescale > 0)) throw new Mp4Error(`${where} has a timescale of ${timescale}`)
  const shift = editShift(trak, info, timescale, where)
  const frames = videoFrames(trak.samples, bytes.length, timescale, shift, where)
  return { durationMs: elementDurationMs(file, info), codec, description, width, height, colour, frames }
}

function parseWithMp4box(bytes: Uint8Array, ftyp: RawBox, moov: RawBox): ISOFile {
  const file = createFile(false)
  const errors: string[] = []
  file.onError = (module, message) => errors.push(`${module}: ${message}`)
  let ready = false
  file.onReady = () => {
    ready = true
  }
  // The ftyp and the moov alone (the samples are read from `bytes`), so the media data is not
  // copied: mp4box.js's box positions are in this buffer, sample offsets (stco) the file's.
  const head = new Uint8Array(ftyp.end + (moov.end - moov.start))
  head.set(bytes.subarray(0, ftyp.end))
  head.set(bytes.subarray(moov.start, moov.end), ftyp.end)
  const buffer = MP4BoxBuffer.fromArrayBuffer(head.buffer, 0)
  try {
    file.appendBuffer(buffer, true)
    file.flush()
  } catch (err) {
    throw new Mp4Error(`mp4box.js could not read the moov at byte ${moov.start}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (errors.length > 0) throw new Mp4Error(`mp4box.js could not read the moov at byte ${moov.start}: ${errors[0]!.slice(0, 200)}`)
  if (!ready) throw new Mp4Error(`the moov at byte ${moov.start} is incomplete`)
  return file
}

/**
 * The media time shown at presentation time 0: an edit list of one edit at normal speed,
 * starting at `media_time` (ffmpeg's for B-frames: the first frame's composition offset),
 * as the element's demuxer (FFmpeg's mov.c) applies it. Empty edits (a delayed start),
 * several edits and other rates are refused.
 */
function editShift(trak: Track, info: Movie, timescale: number, where: string): { mediaTime: number; endTicks: number } {
  const edits = trak.edts?.elst?.entries ?? []
  if ((trak.edtss?.length ?? 0) > 1 || (trak.edts?.elsts?.length ?? 0) > 1) throw new Mp4Error(`${where} has several edit lists`)
  if (edits.length === 0) return { mediaTime: 0, endTicks: Infinity }
  const elst = `the edit list of ${where}`
  if (edits.length > 1) throw new Mp4Error(`${elst} has ${edits.length} edits (one is read here)`)
  const e = edits[0]!
  if (e.media_rate_integer !== 1 || e.media_rate_fraction !== 0) throw new Mp4Error(`${elst} plays at rate ${e.media_rate_integer}.${e.media_rate_fraction}`)
  if (!(e.media_time >= 0) || !Number.isSafeInteger(e.media_time)) throw new Mp4Error(`${elst} starts at media time ${e.media_time} (an empty edit)`)
  // Its length is in the movie's timescale; 0 (and all ones) mean "to the end" in files ffmpeg reads.
  const endTicks = e.segment_duration > 0 && info.timescale > 0 ? e.media_time + (e.segment_duration * timescale) / info.timescale : Infinity
  return { mediaTime: e.media_time, endTicks }
}

function videoFrames(samples: Sample[], fileLength: number, timescale: number, shift: { mediaTime: number; endTicks: number }, where: string): EncodedFrame[] {
  if (samples.length === 0) throw new Mp4Error(`${where} has no samples`)
  const frames: EncodedFrame[] = []
  for (const s of samples) {
    const at = `sample ${s.number + 1} of ${where}`
    if (!Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.size) || !Number.isSafeInteger(s.cts) || !Number.isSafeInteger(s.dts)) {
      throw new Mp4Error(`${at} has no place or time in the sample tables (tables shorter than stsz)`)
    }
    if (s.size === 0 || s.size > MP4_LIMITS.maxFrameBytes) throw new Mp4Error(`${at} is ${s.size} bytes (1 to ${MP4_LIMITS.maxFrameBytes})`)
    if (s.offset < 0 || s.offset + s.size > fileLength) throw new Mp4Error(`${at} is at bytes ${s.offset}–${s.offset + s.size}, past the file's ${fileLength} bytes`)
    const ticks = s.cts - shift.mediaTime
    // Before the edit: FFmpeg marks these discarded, which the element drops; after its end, trimmed.
    if (ticks < 0) throw new Mp4Error(`${at} is shown before the edit list's start (${s.cts} < ${shift.mediaTime}): a trimmed start is left to the element`)
    if (s.cts >= shift.endTicks) throw new Mp4Error(`${at} is shown after the edit list's end: a trimmed end is left to the element`)
    // Ticks → µs, rounded to the nearest as FFmpeg's av_rescale_q (Chromium's demuxer) does.
    frames.push({ offset: s.offset, size: s.size, timestampUs: Math.round((ticks * 1e6) / timescale), key: s.is_sync })
  }
  if (!frames[0]!.key) throw new Mp4Error(`the first sample of ${where} is not a keyframe`)
  // The element then maps its time 0 to the first frame's time, not to the media's 0 (an MP4
  // without an edit list for its B-frames, first shown at 133 ms, came out 133 ms apart: bench:hashing-identity).
  const first = frames.reduce((min, f) => Math.min(min, f.timestampUs), Infinity)
  if (first !== 0) throw new Mp4Error(`the first frame of ${where} is shown at ${first} µs, not 0: a shifted start is left to the element`)
  checkClosedRuns(frames, where)
  return frames
}

/**
 * Each keyframe's run (the samples from it to the next keyframe, in decode order) must
 * show its keyframe first and all its frames before the next run's: then any frame is
 * decoded from its run alone, as frame-plan.ts plans. Open GOPs (frames after a keyframe
 * shown before it, needing the previous run) and repeated times are refused.
 */
function checkClosedRuns(frames: EncodedFrame[], where: string): void {
  let runStart = 0
  let previousRunMax = -Infinity
  const seen = new Set<number>()
  for (let i = 0; i <= frames.length; i++) {
    if (i < frames.length && (i === 0 || !frames[i]!.key)) continue
    const run = frames.slice(runStart, i)
    const key = run[0]!.timestampUs
    let max = key
    for (const f of run) {
      if (seen.has(f.timestampUs)) throw new Mp4Error(`two samples of ${where} are shown at ${f.timestampUs} µs`)
      seen.add(f.timestampUs)
      if (f.timestampUs < key) throw new Mp4Error(`a sample of ${where} decoded after the keyframe at ${key} µs is shown before it (an open GOP, left to the element)`)
      max = Math.max(max, f.timestampUs)
    }
    if (key <= previousRunMax) throw new Mp4Error(`the keyframe at ${key} µs of ${where} is shown before frames of the run before it`)
    previousRunMax = max
    runStart = i
  }
}

/**
 * The duration the element reports: Chromium takes the longest of FFmpeg's format duration
 * (the movie header's) and each stream's (the edit list's length, else the media header's).
 */
function elementDurationMs(file: ISOFile, info: Movie): number {
  let ms = info.timescale > 0 ? (info.duration / info.timescale) * 1000 : 0
  for (const t of file.moov.traks) {
    const elst = t.edts?.elst?.entries ?? []
    const trackMs =
      elst.length > 0 && info.timescale > 0
        ? (elst.reduce((sum, e) => sum + e.segment_duration, 0) / info.timescale) * 1000
        : t.mdia.mdhd.timescale > 0
          ? (t.mdia.mdhd.duration / t.mdia.mdhd.timescale) * 1000
          : 0
    if (Number.isFinite(trackMs)) ms = Math.max(ms, trackMs)
  }
  if (!(ms > 0) || !Number.isFinite(ms)) throw new Mp4Error('the movie has no duration')
  return ms
}
