/**
 * Robust frame hashing for known-content matching (issue 14; docs/perceptual-hashes.md,
 * "Robustness"). Before PDQ, a frame's letterbox or pillarbox bars are trimmed; then the
 * picture is hashed whole and as three crops. A frame is a small, fixed set of PDQ hashes,
 * and two frames match when any hash of one is within the distance tolerance of any hash
 * of the other (video-match.ts counts frames, not hashes).
 *
 * - Bars. Mirror uploads are often letterboxed (a wide picture padded into a taller frame,
 *   or squashed and padded); PDQ hashes the bars as picture and the hash moves by 100 bits
 *   and more. As ffmpeg's cropdetect does, border rows and columns that are dark (mean
 *   luma ≤ `maxLuma`) and flat (luma spread ≤ `maxSpread`) are bars. Bars come in pairs
 *   (a picture centred in a larger frame): the thinner of the two is trimmed from both
 *   sides, so a dark strip that belongs to the picture on one side only (a title bar, a
 *   night sky) stays, in the original and its copies alike. Bars under `minBarFraction`
 *   of the frame are left (PDQ tolerates them; trimming them only shifts the picture), and
 *   never more than `maxTrimFraction` a side. PDQ resamples to 64×64, so a picture that
 *   was squashed between bars hashes like the original once they are gone.
 * - Crops. A copy cropped by a tenth meets the original's central 90 % with its whole
 *   frame (and the other way round). Captions, handles, tickers and logos sit along the
 *   top or the bottom of a picture: the top 80 % and the bottom 80 % each leave one band
 *   out, so an overlay in it is absent from both sides' hash of that crop.
 *
 * Shared code: runs in the renderer's hash worker and in Node; no Node built-ins, no DOM.
 */
import { checkPixels, PdqHasher, regionView, type PdqHash, type PdqPixels } from './pdq'

export interface BorderTrimOptions {
  /** A border line is dark when its mean luma (0–255) is at most this (ffmpeg cropdetect's default limit is 24). */
  maxLuma: number
  /** … and flat when its luma spread (max − min over the line, 0–255) is at most this. */
  maxSpread: number
  /** Never trim more than this share of the width or of the height from one side (< 0.5). */
  maxTrimFraction: number
  /** Bars thinner than this share of the height (width) are left: a picture's own dark edge, which PDQ tolerates. */
  minBarFraction: number
}

export const BORDER_TRIM_DEFAULTS: Readonly<BorderTrimOptions> = Object.freeze({
  maxLuma: 24,
  maxSpread: 16,
  maxTrimFraction: 0.35,
  minBarFraction: 0.03,
})

/** A rectangle of a frame, in pixels. */
export interface ContentBox {
  x: number
  y: number
  width: number
  height: number
}

/** A part of the content box to hash: left, top, width and height as fractions of the box. */
export type CropSpec = readonly [x: number, y: number, width: number, height: number]

/** The centred crop keeping `fraction` of the width and of the height. */
export const centralCrop = (fraction: number): CropSpec => Object.freeze([(1 - fraction) / 2, (1 - fraction) / 2, fraction, fraction] as const)
/** The full width, the top `fraction` of the height (the bottom band left out). */
export const topCrop = (fraction: number): CropSpec => Object.freeze([0, 0, 1, fraction] as const)
/** The full width, the bottom `fraction` of the height (the top band left out). */
export const bottomCrop = (fraction: number): CropSpec => Object.freeze([0, 1 - fraction, 1, fraction] as const)

export interface FrameVariantOptions {
  /** Bars to trim first; null hashes the frame as it is. */
  trim: Readonly<BorderTrimOptions> | null
  /** The parts of the content box hashed, one PDQ hash each, in this order. */
  crops: readonly CropSpec[]
}

/** The whole picture, its central 90 %, its top 80 % and its bottom 80 % (figures in the doc). */
export const FRAME_VARIANT_CROPS: readonly CropSpec[] = Object.freeze([centralCrop(1), centralCrop(0.9), topCrop(0.8), bottomCrop(0.8)])

export const FRAME_VARIANT_DEFAULTS: Readonly<FrameVariantOptions> = Object.freeze({
  trim: BORDER_TRIM_DEFAULTS,
  crops: FRAME_VARIANT_CROPS,
})

/** The most hashes a frame may carry (the stored format's bound). */
export const MAX_HASHES_PER_FRAME = 8

// Integer luma close to PDQ's (0.299, 0.587, 0.114): for telling bars, not for hashing.
function lumaAt(d: Uint8Array | Uint8ClampedArray, p: number, channels: number): number {
  return channels === 1 ? d[p]! : (77 * d[p]! + 150 * d[p + 1]! + 29 * d[p + 2]!) >> 8
}

/** Whether the `count` pixels from byte `start`, `step` bytes apart, are a bar: dark on average and flat. */
function isBarLine(d: Uint8Array | Uint8ClampedArray, start: number, step: number, count: number, channels: number, o: BorderTrimOptions): boolean {
  let sum = 0
  let min = 255
  let max = 0
  for (let i = 0, p = start; i < count; i++, p += step) {
    const y = lumaAt(d, p, channels)
    sum += y
    if (y < min) min = y
    if (y > max) max = y
    if (max - min > o.maxSpread) return false
  }
  return sum <= o.maxLuma * count
}

function checkTrimOptions(o: BorderTrimOptions): void {
  const bad = (v: number, lo: number, hi: number) => typeof v !== 'number' || !(v >= lo && v <= hi)
  if (bad(o.maxLuma, 0, 255) || bad(o.maxSpread, 0, 255) || bad(o.maxTrimFraction, 0, 0.49) || bad(o.minBarFraction, 0, 0.49)) {
    throw new RangeError(`bad border trim options ${JSON.stringify(o)}: luma and spread 0–255, fractions 0–0.49`)
  }
}

/**
 * The content box of a frame: the frame less its letterbox bars (dark, flat rows at the top
 * and the bottom: as many from each as the thinner of the two) and then its pillarbox bars
 * (columns likewise, over the remaining rows). Only the rows and columns of the bars and
 * one more per side are read.
 */
export function findContentBox(pixels: PdqPixels, options: Readonly<BorderTrimOptions> = BORDER_TRIM_DEFAULTS): ContentBox {
  checkPixels(pixels)
  checkTrimOptions(options)
  const { data, width, height } = pixels
  const channels = pixels.channels ?? 4
  const stride = pixels.rowStride ?? width * channels
  const maxRows = Math.floor(height * options.maxTrimFraction)
  const maxCols = Math.floor(width * options.maxTrimFraction)
  let top = 0
  while (top < maxRows && isBarLine(data, top * stride, channels, width, channels, options)) top++
  let bottom = 0
  while (bottom < top && isBarLine(data, (height - 1 - bottom) * stride, channels, width, channels, options)) bottom++
  const y = bottom > 0 && bottom >= height * options.minBarFraction ? bottom : 0
  const rows = height - 2 * y
  let left = 0
  while (left < maxCols && isBarLine(data, y * stride + left * channels, stride, rows, channels, options)) left++
  let right = 0
  while (right < left && isBarLine(data, y * stride + (width - 1 - right) * channels, stride, rows, channels, options)) right++
  const x = right > 0 && right >= width * options.minBarFraction ? right : 0
  return { x, y, width: width - 2 * x, height: rows }
}

/** The part `crop` of `box`, in whole pixels (at least one). */
export function cropBox(box: ContentBox, crop: CropSpec): ContentBox {
  const x0 = box.x + Math.round(box.width * crop[0])
  const y0 = box.y + Math.round(box.height * crop[1])
  const x1 = box.x + Math.round(box.width * (crop[0] + crop[2]))
  const y1 = box.y + Math.round(box.height * (crop[1] + crop[3]))
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) }
}

/** `box` of the frame as pixels PDQ reads, without copying: the same buffer from the box's first pixel, with the frame's row stride. */
export const cropView: (pixels: PdqPixels, box: ContentBox) => PdqPixels = regionView

function checkCrops(crops: readonly CropSpec[]): void {
  const inside = (c: CropSpec) =>
    Array.isArray(c) && c.length === 4 && c.every((f) => typeof f === 'number' && f >= 0 && f <= 1) && c[2] > 0 && c[3] > 0 && c[0] + c[2] <= 1 + 1e-9 && c[1] + c[3] <= 1 + 1e-9
  if (!Array.isArray(crops) || crops.length === 0 || crops.length > MAX_HASHES_PER_FRAME || !crops.every(inside)) {
    throw new RangeError(`crops must be 1 to ${MAX_HASHES_PER_FRAME} [x, y, width, height] fractions inside the picture, got ${JSON.stringify(crops)}`)
  }
}

export interface FrameVariants {
  /** Where the picture is, bars excluded. */
  box: ContentBox
  /** One PDQ hash per crop, in the order of the options' `crops`. */
  hashes: PdqHash[]
}

/** Hashes frames robustly; one per worker or video, as it keeps PdqHasher's buffers between frames. */
export class FrameVariantHasher {
  private readonly pdq = new PdqHasher()
  readonly options: Readonly<FrameVariantOptions>

  constructor(options: Partial<FrameVariantOptions> = {}) {
    this.options = { ...FRAME_VARIANT_DEFAULTS, ...options }
    checkCrops(this.options.crops)
    if (this.options.trim) checkTrimOptions(this.options.trim)
  }

  /** Hashes per frame. */
  get hashesPerFrame(): number {
    return this.options.crops.length
  }

  hash(pixels: PdqPixels): FrameVariants {
    const box = this.options.trim ? findContentBox(pixels, this.options.trim) : (checkPixels(pixels), { x: 0, y: 0, width: pixels.width, height: pixels.height })
    // One luma conversion for all the crops, one first row pass for those of the same columns (bit for bit as one by one).
    const hashes = this.pdq.hashRegions(pixels, this.options.crops.map((c) => cropBox(box, c)))
    return { box, hashes }
  }
}
