import { WEBM_IDS } from '../webm-demux'

/**
 * WebM bytes written by hand for the demuxer's tests: the shapes ffmpeg does not write
 * (BlockGroups, clusters of unknown size, lacing) and hostile ones.
 */

export type Bytes = Uint8Array | number[]

const concat = (parts: Bytes[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** An element: its ID as Matroska writes it (marker bits included), an 8-byte size unless `size` says otherwise. */
export function el(id: number, ...children: Bytes[]): Uint8Array {
  const data = concat(children)
  return concat([idBytes(id), sizeBytes(data.length), data])
}

export function idBytes(id: number): number[] {
  const out: number[] = []
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256)
  return out
}

/** An 8-byte EBML size. */
export function sizeBytes(n: number): number[] {
  const out = [0x01]
  for (let i = 6; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) % 256)
  return out
}

/** The "unknown size" marker (all ones), for Segment and Cluster. */
export const UNKNOWN_SIZE = [0xff]

export function uint(id: number, v: number): Uint8Array {
  const bytes: number[] = []
  for (let x = v; x > 0 || bytes.length === 0; x = Math.floor(x / 256)) bytes.unshift(x % 256)
  return el(id, bytes)
}

export function str(id: number, s: string): Uint8Array {
  return el(id, [...s].map((c) => c.charCodeAt(0)))
}

export function float64(id: number, v: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, v)
  return el(id, b)
}

export const raw = (...parts: Bytes[]) => concat(parts)

/** A SimpleBlock's or Block's data: track 1-byte vint, signed 16-bit relative timecode, flags, frame bytes. */
export function block(track: number, rel: number, flags: number, frame: Bytes): Uint8Array {
  return concat([[0x80 | track, (rel >> 8) & 0xff, rel & 0xff, flags], frame])
}

/** The demuxer's own IDs (the demuxer is also checked against ffmpeg's files), and Void for padding. */
export const ids = { ...WEBM_IDS, Void: 0xec } as const

export const header = () => el(ids.EBML, str(ids.DocType, 'webm'))
export const info = (durationMs = 3000, scale = 1_000_000) => el(ids.Info, uint(ids.TimecodeScale, scale), float64(ids.Duration, (durationMs * 1e6) / scale))
export const videoTrack = (n = 1, codec = 'V_VP8', w = 64, h = 48) =>
  el(ids.TrackEntry, uint(ids.TrackNumber, n), uint(ids.TrackType, 1), str(ids.CodecID, codec), el(ids.Video, uint(ids.PixelWidth, w), uint(ids.PixelHeight, h)))
export const audioTrack = (n = 2) => el(ids.TrackEntry, uint(ids.TrackNumber, n), uint(ids.TrackType, 2), str(ids.CodecID, 'A_OPUS'))

/** A file: header, a known-size Segment of the given children. */
export const webm = (...segmentChildren: Bytes[]) => raw(header(), el(ids.Segment, ...segmentChildren))
