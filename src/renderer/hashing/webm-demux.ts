/**
 * The video track of a WebM (Matroska) file, demuxed for WebCodecs (webcodecs-frames.ts):
 * where each video frame's bytes are, its presentation time and whether it is a keyframe.
 * Only what the hasher needs: Segment, Info (TimecodeScale, Duration), Tracks (codec,
 * CodecPrivate, size, colour), Clusters (Timecode, SimpleBlock, BlockGroup/Block); every
 * other element is skipped by its size. Audio blocks are skipped unread.
 *
 * The file comes from a field pack, so it is hostile until read: every size is checked
 * against its parent's and against a bound, every loop moves forward by at least one
 * element header, and a refusal is a `WebmError` naming the element and its byte offset.
 * Lacing of video frames, compressed or encrypted tracks and frames out of presentation
 * order are refused (the caller then decodes with the media element instead).
 */

import type { EncodedFrame, StatedColour } from './encoded-video'

export class WebmError extends Error {
  override name = 'WebmError'
}

/** Element IDs (with their length marker bits, as Matroska writes them). */
export const WEBM_IDS = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  ContentEncodings: 0x6d80,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Colour: 0x55b0,
  MatrixCoefficients: 0x55b1,
  Range: 0x55b9,
  TransferCharacteristics: 0x55ba,
  Primaries: 0x55bb,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b,
  Tags: 0x1254c367,
  Chapters: 0x1043a770,
  Attachments: 0x1941a469,
  SeekHead: 0x114d9b74,
} as const
const ID = WEBM_IDS

/** Elements that end a Cluster of unknown size (a live recording's): the Segment's own children. */
const SEGMENT_LEVEL = new Set<number>([ID.Cluster, ID.Cues, ID.Tags, ID.Chapters, ID.Attachments, ID.SeekHead, ID.Info, ID.Tracks])

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(ID).map(([k, v]) => [v, k]))
const nameOf = (id: number) => NAMES[id] ?? `element 0x${id.toString(16)}`

/** Bounds: far above what an encoder writes, low enough that a hostile header cannot make us allocate or loop much. */
export const WEBM_LIMITS = {
  /** Info, Tracks or a TrackEntry: metadata, read whole. */
  maxHeaderElementBytes: 1 << 20,
  maxCodecPrivateBytes: 1 << 16,
  maxTracks: 64,
  /** One compressed video frame. */
  maxFrameBytes: 32 << 20,
  /** Four hours at 120 frames a second. */
  maxFrames: 4 * 3600 * 120,
  maxPixels: 8192,
} as const

export interface WebmVideoTrack {
  number: number
  codecId: string
  codecPrivate: Uint8Array | null
  width: number
  height: number
  /** The track's Colour element, where it has one (Matroska's ISO/IEC 23091-4 codes). */
  colour: StatedColour | null
}

export interface WebmVideo {
  /** Info/Duration in milliseconds (null: the file does not say). */
  durationMs: number | null
  track: WebmVideoTrack
  /** The video track's frames, in file (decode) order, which is presentation order here. */
  frames: EncodedFrame[]
}

interface Header {
  id: number
  /** Where the element starts (its ID) and where its data starts. */
  start: number
  dataStart: number
  /** Data size; null: unknown (all ones), allowed for Segment and Cluster only. */
  size: number | null
}

class Reader {
  constructor(readonly bytes: Uint8Array) {}

  /** An element header at `pos`, its data inside `[pos, end)` unless its size is unknown. */
  header(pos: number, end: number, parent: string): Header {
    const first = this.bytes[pos]
    if (first === undefined || pos >= end) throw new WebmError(`truncated element header at byte ${pos} in ${parent}`)
    const idLen = vintLength(first)
    if (idLen === 0 || idLen > 4) throw new WebmError(`bad element ID at byte ${pos} in ${parent}`)
    if (pos + idLen > end) throw new WebmError(`truncated element ID at byte ${pos} in ${parent}`)
    let id = 0
    for (let i = 0; i < idLen; i++) id = id * 256 + this.bytes[pos + i]!
    const sizePos = pos + idLen
    const sizeFirst = this.bytes[sizePos]
    if (sizeFirst === undefined || sizePos >= end) throw new WebmError(`truncated size of ${nameOf(id)} at byte ${pos}`)
    const sizeLen = vintLength(sizeFirst)
    if (sizeLen === 0) throw new WebmError(`bad size of ${nameOf(id)} at byte ${pos}`)
    if (sizePos + sizeLen > end) throw new WebmError(`truncated size of ${nameOf(id)} at byte ${pos}`)
    let size = sizeFirst & (0xff >> sizeLen)
    let allOnes = size === 0xff >> sizeLen
    for (let i = 1; i < sizeLen; i++) {
      const b = this.bytes[sizePos + i]!
      if (b !== 0xff) allOnes = false
      size = size * 256 + b
    }
    const dataStart = sizePos + sizeLen
    if (allOnes) return { id, start: pos, dataStart, size: null }
    if (!Number.isSafeInteger(size) || dataStart + size > end) {
      throw new WebmError(`${nameOf(id)} at byte ${pos} says ${size} bytes, more than the ${Math.max(0, end - dataStart)} left in ${parent}`)
    }
    return { id, start: pos, dataStart, size }
  }

  uint(h: Header): number {
    const size = h.size!
    if (size > 6) throw new WebmError(`${nameOf(h.id)} at byte ${h.start} is a ${size}-byte integer (at most 6 read)`)
    let v = 0
    for (let i = 0; i < size; i++) v = v * 256 + this.bytes[h.dataStart + i]!
    return v
  }

  float(h: Header): number {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + h.dataStart, h.size!)
    if (h.size === 4) return view.getFloat32(0)
    if (h.size === 8) return view.getFloat64(0)
    if (h.size === 0) return 0
    throw new WebmError(`${nameOf(h.id)} at byte ${h.start} is a ${h.size}-byte float (4 or 8)`)
  }

  string(h: Header): string {
    let s = ''
    for (let i = 0; i < h.size!; i++) {
      const c = this.bytes[h.dataStart + i]!
      if (c === 0) break
      s += String.fromCharCode(c)
    }
    return s
  }

  /** The children of a known-size element, each header checked against it. */
  *children(h: Header): Generator<Header> {
    const end = h.dataStart + h.size!
    let pos = h.dataStart
    while (pos < end) {
      const c = this.header(pos, end, `${nameOf(h.id)} at byte ${h.start}`)
      if (c.size === null) throw new WebmError(`${nameOf(c.id)} at byte ${c.start} has an unknown size inside ${nameOf(h.id)}`)
      yield c
      pos = c.dataStart + c.size
    }
  }
}

/** Length in bytes of a variable-size integer from its first byte (0: invalid, a zero byte). */
function vintLength(first: number): number {
  for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1
  return 0
}

function bounded(h: Header, max: number): Header {
  if (h.size !== null && h.size > max) throw new WebmError(`${nameOf(h.id)} at byte ${h.start} is ${h.size} bytes, more than the ${max} allowed`)
  return h
}

/** The first video track of a WebM file and its frames; throws WebmError on anything it cannot vouch for. */
export function demuxWebmVideo(bytes: Uint8Array): WebmVideo {
  const r = new Reader(bytes)
  const fileEnd = bytes.length
  if (bytes[0] !== 0x1a || bytes[1] !== 0x45 || bytes[2] !== 0xdf || bytes[3] !== 0xa3) throw new WebmError('not a WebM file: no EBML header at byte 0')
  const ebml = r.header(0, fileEnd, 'the file')
  if (ebml.size === null) throw new WebmError('not a WebM file: no EBML header at byte 0')
  for (const c of r.children(ebml)) {
    if (c.id === ID.DocType) {
      const docType = r.string(c)
      if (docType !== 'webm' && docType !== 'matroska') throw new WebmError(`DocType at byte ${c.start} is "${docType.slice(0, 32)}", not webm or matroska`)
    }
  }
  const segment = r.header(ebml.dataStart + ebml.size, fileEnd, 'the file')
  if (segment.id !== ID.Segment) throw new WebmError(`expected a Segment at byte ${segment.start}, found ${nameOf(segment.id)}`)
  const segmentEnd = segment.size === null ? fileEnd : segment.dataStart + segment.size

  let timecodeScale = 1_000_000
  let durationTicks: number | null = null
  let track: WebmVideoTrack | null = null
  const frames: EncodedFrame[] = []

  const addBlock = (h: Header, clusterTimecode: number, keyFromGroup: boolean | null) => {
    // Block header: track number (a vint), a signed 16-bit timecode relative to the cluster, flags.
    const p = h.dataStart
    const end = h.dataStart + h.size!
    const first = bytes[p]
    if (first === undefined || p >= end) throw new WebmError(`empty ${nameOf(h.id)} at byte ${h.start}`)
    const len = vintLength(first)
    if (len === 0 || len > 8 || p + len + 3 > end) throw new WebmError(`bad track number in ${nameOf(h.id)} at byte ${h.start}`)
    let trackNumber = first & (0xff >> len)
    for (let i = 1; i < len; i++) trackNumber = trackNumber * 256 + bytes[p + i]!
    if (!track) throw new WebmError(`${nameOf(h.id)} at byte ${h.start} before the Tracks`)
    if (trackNumber !== track.number) return
    const rel = ((bytes[p + len]! << 24) >> 16) | bytes[p + len + 1]!
    const flags = bytes[p + len + 2]!
    if (flags & 0x06) throw new WebmError(`laced video frames in ${nameOf(h.id)} at byte ${h.start} (not supported)`)
    const offset = p + len + 3
    const size = end - offset
    if (size === 0) throw new WebmError(`empty video frame in ${nameOf(h.id)} at byte ${h.start}`)
    if (size > WEBM_LIMITS.maxFrameBytes) throw new WebmError(`video frame of ${size} bytes in ${nameOf(h.id)} at byte ${h.start}, more than the ${WEBM_LIMITS.maxFrameBytes} allowed`)
    if (frames.length >= WEBM_LIMITS.maxFrames) throw new WebmError(`more than ${WEBM_LIMITS.maxFrames} video frames (at byte ${h.start})`)
    const ticks = clusterTimecode + rel
    // ns → µs, rounded to the nearest as ffmpeg's av_rescale_q (Chromium's demuxer) does.
    const timestampUs = Math.round((ticks * timecodeScale) / 1000)
    if (!Number.isSafeInteger(timestampUs)) throw new WebmError(`timestamp out of range in ${nameOf(h.id)} at byte ${h.start}`)
    const previous = frames[frames.length - 1]
    if (previous && timestampUs <= previous.timestampUs) {
      throw new WebmError(`video frame at byte ${h.start} is not after the one before (${timestampUs} µs after ${previous.timestampUs} µs): frames out of presentation order are not supported`)
    }
    const key = keyFromGroup ?? (flags & 0x80) !== 0
    frames.push({ offset, size, timestampUs, key })
  }

  const readCluster = (cluster: Header): number => {
    // A cluster of unknown size (live recordings) ends at the next Segment-level element or the Segment's end.
    const end = cluster.size === null ? segmentEnd : cluster.dataStart + cluster.size
    const where = `Cluster at byte ${cluster.start}`
    let timecode: number | null = null
    let pos = cluster.dataStart
    while (pos < end) {
      const c = r.header(pos, end, where)
      if (cluster.size === null && SEGMENT_LEVEL.has(c.id)) return c.start
      if (c.size === null) throw new WebmError(`${nameOf(c.id)} at byte ${c.start} has an unknown size inside the ${where}`)
      if (c.id === ID.Timecode) timecode = r.uint(bounded(c, 8))
      else if (c.id === ID.SimpleBlock || c.id === ID.BlockGroup) {
        if (timecode === null) throw new WebmError(`${nameOf(c.id)} at byte ${c.start} before the ${where}'s Timecode`)
        if (c.id === ID.SimpleBlock) addBlock(c, timecode, null)
        else {
          let block: Header | null = null
          let referenced = false
          for (const g of r.children(c)) {
            if (g.id === ID.Block) block = g
            else if (g.id === ID.ReferenceBlock) referenced = true
          }
          if (!block) throw new WebmError(`BlockGroup at byte ${c.start} without a Block`)
          addBlock(block, timecode, !referenced)
        }
      }
      pos = c.dataStart + c.size
    }
    return end
  }

  let pos = segment.dataStart
  while (pos < segmentEnd) {
    const h = r.header(pos, segmentEnd, `Segment at byte ${segment.start}`)
    if (h.id === ID.Cluster) {
      if (!track) throw new WebmError(`Cluster at byte ${h.start} before the Tracks`)
      pos = readCluster(h)
      continue
    }
    if (h.size === null) throw new WebmError(`${nameOf(h.id)} at byte ${h.start} has an unknown size (only Segment and Cluster may)`)
    if (h.id === ID.Info) {
      bounded(h, WEBM_LIMITS.maxHeaderElementBytes)
      for (const c of r.children(h)) {
        if (c.id === ID.TimecodeScale) {
          timecodeScale = r.uint(c)
          if (!(timecodeScale > 0)) throw new WebmError(`TimecodeScale at byte ${c.start} is 0`)
        } else if (c.id === ID.Duration) {
          const d = r.float(c)
          if (!Number.isFinite(d) || d < 0) throw new WebmError(`Duration at byte ${c.start} is ${d}`)
          durationTicks = d
        }
      }
    } else if (h.id === ID.Tracks) {
      if (track) throw new WebmError(`a second Tracks at byte ${h.start}`)
      track = readTracks(r, bounded(h, WEBM_LIMITS.maxHeaderElementBytes))
    }
    pos = h.dataStart + h.size
  }
  if (!track) throw new WebmError('no video track')
  if (frames.length === 0) throw new WebmError('the video track has no frames')
  if (!frames[0]!.key) throw new WebmError(`the first video frame (byte ${frames[0]!.offset}) is not a keyframe`)
  return { durationMs: durationTicks === null ? null : (durationTicks * timecodeScale) / 1e6, track, frames }
}

function readTracks(r: Reader, tracks: Header): WebmVideoTrack {
  let count = 0
  let video: WebmVideoTrack | null = null
  for (const entry of r.children(tracks)) {
    if (entry.id !== ID.TrackEntry) continue
    if (++count > WEBM_LIMITS.maxTracks) throw new WebmError(`more than ${WEBM_LIMITS.maxTracks} tracks (TrackEntry at byte ${entry.start})`)
    let number = 0
    let type = 0
    let codecId = ''
    let codecPrivate: Uint8Array | null = null
    let width = 0
    let height = 0
    let colour: WebmVideoTrack['colour'] = null
    let encoded = false
    for (const c of r.children(entry)) {
      if (c.id === ID.TrackNumber) number = r.uint(c)
      else if (c.id === ID.TrackType) type = r.uint(c)
      else if (c.id === ID.CodecID) codecId = r.string(bounded(c, 64))
      else if (c.id === ID.CodecPrivate) codecPrivate = r.bytes.subarray(c.dataStart, c.dataStart + bounded(c, WEBM_LIMITS.maxCodecPrivateBytes).size!)
      else if (c.id === ID.ContentEncodings) encoded = true
      else if (c.id === ID.Video) {
        for (const v of r.children(c)) {
          if (v.id === ID.PixelWidth) width = r.uint(v)
          else if (v.id === ID.PixelHeight) height = r.uint(v)
          else if (v.id === ID.Colour) {
            colour = {}
            for (const k of r.children(v)) {
              if (k.id === ID.MatrixCoefficients) colour.matrix = r.uint(k)
              else if (k.id === ID.TransferCharacteristics) colour.transfer = r.uint(k)
              else if (k.id === ID.Primaries) colour.primaries = r.uint(k)
              else if (k.id === ID.Range) colour.range = r.uint(k)
            }
          }
        }
      }
    }
    if (type !== 1 || video) continue
    if (encoded) throw new WebmError(`the video track (TrackEntry at byte ${entry.start}) is compressed or encrypted (ContentEncodings)`)
    if (number === 0) throw new WebmError(`the video track (TrackEntry at byte ${entry.start}) has no TrackNumber`)
    if (!(width > 0 && height > 0 && width <= WEBM_LIMITS.maxPixels && height <= WEBM_LIMITS.maxPixels)) {
      throw new WebmError(`the video track (TrackEntry at byte ${entry.start}) is ${width}×${height} (1 to ${WEBM_LIMITS.maxPixels} a side)`)
    }
    video = { number, codecId, codecPrivate, width, height, colour }
  }
  if (!video) throw new WebmError(`no video track in the Tracks at byte ${tracks.start}`)
  return video
}
