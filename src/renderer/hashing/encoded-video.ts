/**
 * A video track as a demuxer (webm-demux.ts, mp4-demux.ts) hands it to the frame planner
 * (frame-plan.ts) and to WebCodecs (webcodecs-frames.ts), whatever the container.
 */

export interface EncodedFrame {
  /** Byte offset and length of the frame's data in the file. */
  offset: number
  size: number
  /** Presentation time in microseconds, as Chromium's demuxer gives it (rounded to the nearest µs). */
  timestampUs: number
  key: boolean
}

/** Colour as ISO/IEC 23091-4 codes (Matroska's Colour element, MP4's colr nclx box). */
export interface StatedColour {
  matrix?: number
  transfer?: number
  primaries?: number
  range?: number
}
