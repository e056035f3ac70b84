/**
 * PDQ: Meta's 256-bit perceptual hash for images and video frames, with its quality score.
 *
 * A TypeScript port of the C++ reference implementation in facebook/ThreatExchange
 * (pdq/cpp/hashing/pdqhashing.cpp, pdq/cpp/downscaling/downscaling.cpp,
 * pdq/cpp/hashing/torben.cpp; algorithm described in ThreatExchange's hashing/hashing.pdf),
 * Copyright (c) Meta Platforms, Inc. and affiliates, BSD licence; the median is Torben
 * Mogensen's algorithm as implemented by N. Devillard (public domain). Written anew from
 * reading the reference, not copied.
 *
 * The steps are the reference's: RGB → luma (0.299, 0.587, 0.114); a Jarosz tent filter
 * (two passes of a 1-D box filter along rows then columns, window ⌈size / 128⌉) and
 * decimation to 64×64 at the pixel centres; the quality score from quantised gradients of
 * that 64×64 image; the first 16×16 coefficients of its DCT (D·A·Dᵀ with a 16×64 matrix);
 * one bit per coefficient, set when it is above the median.
 *
 * The reference computes in 32-bit floats, in a fixed order, and the bits of a hash are
 * decided by comparisons against a median: to produce the same bits from the same pixels,
 * every arithmetic step here is rounded to a float (`Math.fround`, or a store into a
 * `Float32Array`) in the reference's order. An operation on two floats done in double and
 * rounded once to float gives exactly the float result, so this is bit for bit, not
 * "close"; tests/reference-vectors.json holds the proof (docs/perceptual-hashes.md).
 *
 * Shared code: runs in the renderer and in Node; no allocation per pixel, and a
 * {@link PdqHasher} keeps its work buffers between frames of one video.
 */

import { HASH256_WORDS, formatHash256 } from './hash256'

export interface PdqHash {
  /** Eight 32-bit words, `hash[0]` holding the first eight hex characters (see hash256.ts). */
  hash: Uint32Array
  /** The reference's 64-hex text form. */
  hex: string
  /** 0 (flat, no usable detail) … 100; the reference suggests discarding hashes ≤ 49. */
  quality: number
}

export interface PdqPixels {
  /** Row-major pixels, 8 bits per channel: RGBA (canvas getImageData, VideoFrame.copyTo as RGBA/RGBX), RGB, or grey. */
  data: Uint8Array | Uint8ClampedArray
  width: number
  height: number
  /** Bytes per pixel: 4 (RGBA/RGBX: alpha is ignored), 3 (RGB) or 1 (grey). Default 4. */
  channels?: 1 | 3 | 4
  /** Bytes from one row to the next, when rows are padded (VideoFrame layouts). Default width × channels. */
  rowStride?: number
}

/** Below this in either dimension the reference does not hash: zero hash, quality 0. */
export const PDQ_MIN_HASHABLE_DIM = 5
/** Refuse frames larger than this many pixels rather than allocate without bound (8K UHD is 33 Mpx). */
export const PDQ_MAX_PIXELS = 64 * 1024 * 1024

const f32 = Math.fround

// Luma coefficients as the reference's `const float`, and each channel's 256 products
// (float × byte, rounded to float) computed once.
const LUMA_R = f32(0.299)
const LUMA_G = f32(0.587)
const LUMA_B = f32(0.114)
const LUMA_R_OF = new Float32Array(256)
const LUMA_G_OF = new Float32Array(256)
const LUMA_B_OF = new Float32Array(256)
for (let v = 0; v < 256; v++) {
  LUMA_R_OF[v] = LUMA_R * v
  LUMA_G_OF[v] = LUMA_G * v
  LUMA_B_OF[v] = LUMA_B * v
}

/**
 * The 16×64 DCT matrix, row-major: float(float(√(2/64)) · cos(π/2/64 · (i+1) · (2j+1))),
 * rows 1…16 of the 64-point DCT-II (row 0, the mean, is not part of the hash).
 */
export const PDQ_DCT_MATRIX: Float32Array = (() => {
  const m = new Float32Array(16 * 64)
  const scale = f32(Math.sqrt(2.0 / 64))
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2.0 / 64) * (i + 1) * (2 * j + 1))
  }
  return m
})()

/** The reference's box-filter window for one 1-D pass: ⌈oldSize / (2 · newSize)⌉. */
export function jaroszWindowSize(oldSize: number, newSize = 64): number {
  return Math.floor((oldSize + 2 * newSize - 1) / (2 * newSize))
}

/**
 * Hashes frames, reusing its float buffers between calls (one per worker or per video is
 * the intended use; it is not re-entrant, which JavaScript never asks of it).
 */
export class PdqHasher {
  private buf1 = new Float32Array(0)
  private buf2 = new Float32Array(0)
  private colSums = new Float32Array(0)
  private readonly a64 = new Float32Array(64 * 64)
  private readonly t16x64 = new Float32Array(16 * 64)
  private readonly b16 = new Float32Array(16 * 16)
  private readonly decimateRows = new Int32Array(64)
  private readonly decimateCols = new Int32Array(64)

  hash(pixels: PdqPixels): PdqHash {
    const { width, height } = pixels
    const channels = pixels.channels ?? 4
    checkPixels(pixels, channels)
    const words = new Uint32Array(HASH256_WORDS)
    if (width < PDQ_MIN_HASHABLE_DIM || height < PDQ_MIN_HASHABLE_DIM) {
      return { hash: words, hex: formatHash256(words), quality: 0 }
    }
    const n = width * height
    if (this.buf1.length < n) {
      this.buf1 = new Float32Array(n)
      this.buf2 = new Float32Array(n)
    }
    if (this.colSums.length < width) this.colSums = new Float32Array(width)

    fillLuma(pixels, channels, this.buf1)
    const a64 = this.a64
    if (width === 64 && height === 64) {
      // As the reference: a frame already at 64×64 is used as it is.
      a64.set(this.buf1.subarray(0, 64 * 64))
    } else {
      this.downsample(width, height)
    }
    const quality = qualityMetric(a64)
    dct64To16(a64, this.t16x64, this.b16)
    bitsAboveMedian(this.b16, words)
    return { hash: words, hex: formatHash256(words), quality }
  }

  /** Jarosz filter (rows, columns, rows, columns) in place in buf1, then decimation into a64. */
  private downsample(width: number, height: number): void {
    const windowAlongRows = jaroszWindowSize(width)
    const windowAlongCols = jaroszWindowSize(height)
    for (let rep = 0; rep < 2; rep++) {
      boxAlongRows(this.buf1, this.buf2, height, width, windowAlongRows)
      boxAlongCols(this.buf2, this.buf1, height, width, windowAlongCols, this.colSums)
    }
    const rows = this.decimateRows
    const cols = this.decimateCols
    // Centres, not corners; computed in double as the reference does.
    for (let k = 0; k < 64; k++) {
      rows[k] = Math.trunc(((k + 0.5) * height) / 64)
      cols[k] = Math.trunc(((k + 0.5) * width) / 64)
    }
    const src = this.buf1
    const a64 = this.a64
    for (let i = 0; i < 64; i++) {
      const base = rows[i]! * width
      for (let j = 0; j < 64; j++) a64[i * 64 + j] = src[base + cols[j]!]!
    }
  }
}

let shared: PdqHasher | undefined

/** PDQ hash and quality of one image; see {@link PdqHasher} to hash many frames. */
export function pdqHash(pixels: PdqPixels): PdqHash {
  shared ??= new PdqHasher()
  return shared.hash(pixels)
}

function checkPixels(pixels: PdqPixels, channels: number): void {
  const { data, width, height } = pixels
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`PDQ: image size must be positive integers, got ${String(width)}×${String(height)}`)
  }
  if (width * height > PDQ_MAX_PIXELS) {
    throw new RangeError(`PDQ: image of ${width}×${height} pixels is larger than the ${PDQ_MAX_PIXELS}-pixel limit`)
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`PDQ: channels must be 1, 3 or 4, got ${String(channels)}`)
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new TypeError('PDQ: pixel data must be a Uint8Array or Uint8ClampedArray')
  }
  const rowStride = pixels.rowStride ?? width * channels
  if (!Number.isInteger(rowStride) || rowStride < width * channels) {
    throw new RangeError(`PDQ: row stride ${String(rowStride)} is shorter than a row of ${width} pixels × ${channels} bytes`)
  }
  const needed = (height - 1) * rowStride + width * channels
  if (data.length < needed) {
    throw new RangeError(`PDQ: pixel buffer too short: ${width}×${height}×${channels} needs ${needed} bytes, got ${data.length}`)
  }
}

/** Luma as the reference: float(float(R·0.299 + G·0.587) + B·0.114), each product a float. */
function fillLuma(pixels: PdqPixels, channels: number, luma: Float32Array): void {
  const { data, width, height } = pixels
  const rowStride = pixels.rowStride ?? width * channels
  let o = 0
  if (channels === 1) {
    for (let i = 0; i < height; i++) {
      let p = i * rowStride
      for (let j = 0; j < width; j++) luma[o++] = data[p++]!
    }
    return
  }
  for (let i = 0; i < height; i++) {
    let p = i * rowStride
    for (let j = 0; j < width; j++, p += channels) {
      luma[o++] = f32(LUMA_R_OF[data[p]!]! + LUMA_G_OF[data[p + 1]!]!) + LUMA_B_OF[data[p + 2]!]!
    }
  }
}

/**
 * The reference's 1-D box filter along each row: a running float sum over a window centred
 * on each output (shorter, and divided by its own length, near the ends). The running sum
 * carries rounding from the start of the row, so it is kept exactly as the reference keeps it.
 */
function boxAlongRows(input: Float32Array, out: Float32Array, numRows: number, numCols: number, window: number): void {
  const half = Math.floor((window + 2) / 2)
  const phase1 = half - 1
  const phase2 = window - half + 1
  const phase3 = numCols - window
  const phase4 = half - 1
  for (let r = 0; r < numRows; r++) {
    const base = r * numCols
    let li = base
    let ri = base
    let oi = base
    let sum = 0
    let count = 0
    for (let k = 0; k < phase1; k++) {
      sum = f32(sum + input[ri++]!)
      count++
    }
    for (let k = 0; k < phase2; k++) {
      sum = f32(sum + input[ri++]!)
      count++
      out[oi++] = sum / count
    }
    for (let k = 0; k < phase3; k++) {
      sum = f32(sum + input[ri++]!)
      sum = f32(sum - input[li++]!)
      out[oi++] = sum / count
    }
    for (let k = 0; k < phase4; k++) {
      sum = f32(sum - input[li++]!)
      count--
      out[oi++] = sum / count
    }
  }
}

/**
 * The same filter down each column. Every column goes through the same phases, so all of
 * them advance together one row at a time (one running sum per column, in a Float32Array
 * so each update rounds to float as the reference's does): the same arithmetic in the same
 * order per column, read row by row instead of with a stride.
 */
function boxAlongCols(
  input: Float32Array,
  out: Float32Array,
  numRows: number,
  numCols: number,
  window: number,
  sums: Float32Array,
): void {
  const half = Math.floor((window + 2) / 2)
  const phase1 = half - 1
  const phase2 = window - half + 1
  const phase3 = numRows - window
  const phase4 = half - 1
  sums.fill(0, 0, numCols)
  let ri = 0
  let li = 0
  let oi = 0
  let count = 0
  for (let k = 0; k < phase1; k++, ri += numCols) {
    for (let j = 0; j < numCols; j++) sums[j] = sums[j]! + input[ri + j]!
    count++
  }
  for (let k = 0; k < phase2; k++, ri += numCols, oi += numCols) {
    count++
    for (let j = 0; j < numCols; j++) {
      const s = f32(sums[j]! + input[ri + j]!)
      sums[j] = s
      out[oi + j] = s / count
    }
  }
  for (let k = 0; k < phase3; k++, ri += numCols, li += numCols, oi += numCols) {
    for (let j = 0; j < numCols; j++) {
      const s = f32(f32(sums[j]! + input[ri + j]!) - input[li + j]!)
      sums[j] = s
      out[oi + j] = s / count
    }
  }
  for (let k = 0; k < phase4; k++, li += numCols, oi += numCols) {
    count--
    for (let j = 0; j < numCols; j++) {
      const s = f32(sums[j]! - input[li + j]!)
      sums[j] = s
      out[oi + j] = s / count
    }
  }
}

/**
 * The reference's quality score: the sum over neighbouring pixels of the 64×64 image of
 * |int((u − v) · 100 / 255)| (in floats, truncated), divided by 90, at most 100.
 */
function qualityMetric(a: Float32Array): number {
  let gradientSum = 0
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = Math.trunc(f32(f32(f32(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255))
      gradientSum += Math.abs(d)
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(f32(f32(f32(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255))
      gradientSum += Math.abs(d)
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90))
}

/** B = D·A·Dᵀ, T = D·A first, each dot product summed in order k = 0…63 in floats. */
function dct64To16(a: Float32Array, t: Float32Array, b: Float32Array): void {
  const d = PDQ_DCT_MATRIX
  for (let i = 0; i < 16; i++) {
    const di = i * 64
    for (let j = 0; j < 64; j++) {
      let sum = 0
      for (let k = 0; k < 64; k++) sum = f32(sum + f32(d[di + k]! * a[k * 64 + j]!))
      t[di + j] = sum
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64
    for (let j = 0; j < 16; j++) {
      const dj = j * 64
      let sum = 0
      for (let k = 0; k < 64; k++) sum = f32(sum + f32(t[ti + k]! * d[dj + k]!))
      b[i * 16 + j] = sum
    }
  }
}

/**
 * Torben's median of the 256 coefficients, exactly as the reference computes it (for an even
 * count it settles on one of the two middle values, and the midpoint guesses are float).
 */
function torbenMedian(m: Float32Array): number {
  const n = m.length
  const half = Math.floor((n + 1) / 2)
  let min = m[0]!
  let max = m[0]!
  for (let i = 1; i < n; i++) {
    const v = m[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  let guess = 0
  let less = 0
  let greater = 0
  let equal = 0
  let maxLtGuess = min
  let minGtGuess = max
  for (;;) {
    guess = f32(f32(min + max) / 2)
    less = 0
    greater = 0
    equal = 0
    maxLtGuess = min
    minGtGuess = max
    for (let i = 0; i < n; i++) {
      const v = m[i]!
      if (v < guess) {
        less++
        if (v > maxLtGuess) maxLtGuess = v
      } else if (v > guess) {
        greater++
        if (v < minGtGuess) minGtGuess = v
      } else {
        equal++
      }
    }
    if (less <= half && greater <= half) break
    if (less > greater) max = maxLtGuess
    else min = minGtGuess
  }
  if (less >= half) return maxLtGuess
  if (less + equal >= half) return guess
  return minGtGuess
}

/**
 * Bit k = 16·i + j is set when coefficient (i, j) is above the median. The reference keeps
 * bit k in 16-bit word k >> 4 and prints word 15 first, so its hex is the 256-bit number
 * Σ 2^k: bit k lands in our word 7 − (k >> 5), bit k & 31.
 */
function bitsAboveMedian(b: Float32Array, words: Uint32Array): void {
  const median = torbenMedian(b)
  words.fill(0)
  for (let k = 0; k < 256; k++) {
    if (b[k]! > median) words[7 - (k >>> 5)]! |= 1 << (k & 31)
  }
}
