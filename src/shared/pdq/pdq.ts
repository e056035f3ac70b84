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
 * "close"; reference-vectors.json beside this file holds the proof (docs/perceptual-hashes.md).
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
/** hashRegions shares work through two float planes of the regions' rectangle up to this size (4K UHD: 2 × 33 MB); larger, it hashes region by region. */
export const PDQ_SHARED_MAX_PIXELS = 3840 * 2160

/** Rows box-filtered together (see PdqHasher.downsample). */
const BLOCK = 4

// Luma coefficients as the reference's `const float`, and each channel's 256 products
// (float × byte, rounded to float) computed once.
const LUMA_R = Math.fround(0.299)
const LUMA_G = Math.fround(0.587)
const LUMA_B = Math.fround(0.114)
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
  const scale = Math.fround(Math.sqrt(2.0 / 64))
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
  /** Luma of the frame's regions' bounding rectangle (hashRegions), and the first row pass shared by regions with the same columns. */
  private plane = new Float32Array(0)
  private rowPlane = new Float32Array(0)
  /** Where downsample's rows come from: the frame's bytes (hash), or `plane` at `planeAt`, `planeStride` floats a row (hashRegions). */
  private source: { pixels: PdqPixels; channels: number } | null = null
  private planeAt = 0
  private planeStride = 0
  /** Set when the first row pass of the region is already in `rowPlane` (row r at rowPlaneAt + r · width). */
  private rowPlaneAt = -1
  private lumaBlock = new Float32Array(0)
  private ring = new Float32Array(0)
  private colOutBlock = new Float32Array(0)
  private narrow1 = new Float32Array(0)
  private narrow2 = new Float32Array(0)
  private colSums = new Float32Array(0)
  private readonly blockOffsets = new Int32Array(BLOCK)
  private readonly ringOffsets = new Int32Array(BLOCK)
  private readonly narrowOffsets = new Int32Array(BLOCK)
  private readonly a64 = new Float32Array(64 * 64)
  private readonly t16x64 = new Float32Array(16 * 64)
  private readonly b16 = new Float32Array(16 * 16)
  private readonly decimateRows = new Int32Array(64)
  private readonly decimateCols = new Int32Array(65)
  /** Rows of the first row pass made so far, and output rows of the first column pass waiting for the second row pass. */
  private produced = 0
  private pending = 0

  hash(pixels: PdqPixels): PdqHash {
    const { width, height } = pixels
    const channels = pixels.channels ?? 4
    checkPixels(pixels, channels)
    const words = new Uint32Array(HASH256_WORDS)
    if (width < PDQ_MIN_HASHABLE_DIM || height < PDQ_MIN_HASHABLE_DIM) {
      return { hash: words, hex: formatHash256(words), quality: 0 }
    }
    this.ensureBuffers(width, height)
    const a64 = this.a64
    if (width === 64 && height === 64) {
      // As the reference: a frame already at 64×64 is used as it is.
      for (let r = 0; r < 64; r++) fillLumaRow(pixels, channels, r, 0, 64, a64, r * 64)
    } else {
      this.source = { pixels, channels }
      this.rowPlaneAt = -1
      try {
        this.downsample(width, height)
      } finally {
        this.source = null
      }
    }
    return this.finish(words)
  }

  /**
   * The hashes of several regions of one frame, each exactly as {@link hash} of that region
   * alone (a view of its pixels) would give, with the work the regions have in common done
   * once: the RGB → luma conversion of their bounding rectangle, and, for regions spanning
   * the same columns, the first row pass of the Jarosz filter (a row's box filter depends
   * only on the row's luma between those columns). Every float is computed by the same
   * operations in the same order as in {@link hash}, so the bits are the same
   * (frame-variants.test.ts compares them region by region). Regions whose rectangle has
   * more than {@link PDQ_SHARED_MAX_PIXELS} pixels are hashed one by one instead, to bound
   * the two float planes this keeps.
   */
  hashRegions(pixels: PdqPixels, regions: readonly PdqRegion[]): PdqHash[] {
    const channels = pixels.channels ?? 4
    checkPixels(pixels, channels)
    for (const r of regions) checkRegion(pixels, r)
    if (regions.length === 0) return []
    const x0 = Math.min(...regions.map((r) => r.x))
    const y0 = Math.min(...regions.map((r) => r.y))
    const x1 = Math.max(...regions.map((r) => r.x + r.width))
    const y1 = Math.max(...regions.map((r) => r.y + r.height))
    const stride = x1 - x0
    if (regions.length === 1 || stride * (y1 - y0) > PDQ_SHARED_MAX_PIXELS) return regions.map((r) => this.hash(regionView(pixels, r)))
    if (this.plane.length < stride * (y1 - y0)) this.plane = new Float32Array(stride * (y1 - y0))
    const plane = this.plane
    for (let y = y0; y < y1; y++) fillLumaRow(pixels, channels, y, x0, stride, plane, (y - y0) * stride)

    const out: PdqHash[] = new Array<PdqHash>(regions.length)
    const done = new Array<boolean>(regions.length).fill(false)
    for (let i = 0; i < regions.length; i++) {
      if (done[i]) continue
      const r = regions[i]!
      // Regions sharing r's columns, r included: one first row pass over the rows they cover.
      const group = regions.flatMap((o, k) => (!done[k] && o.x === r.x && o.width === r.width ? [k] : []))
      const downsampled = r.width >= PDQ_MIN_HASHABLE_DIM && !(r.width === 64 && r.height === 64)
      let top = -1
      if (group.length > 1 && downsampled) {
        top = Math.min(...group.map((k) => regions[k]!.y))
        const bottom = Math.max(...group.map((k) => regions[k]!.y + regions[k]!.height))
        if (this.rowPlane.length < r.width * (bottom - top)) this.rowPlane = new Float32Array(r.width * (bottom - top))
        this.rowPass(plane, (top - y0) * stride + (r.x - x0), stride, r.width, bottom - top)
      }
      for (const k of group) {
        const g = regions[k]!
        done[k] = true
        out[k] = this.hashFromPlane(plane, (g.y - y0) * stride + (g.x - x0), stride, g, top < 0 ? -1 : (g.y - top) * g.width)
      }
    }
    return out
  }

  /** One region's hash from the luma plane (row r at `at + r · stride`); `rowPlaneAt` ≥ 0 when its first row pass is in rowPlane. */
  private hashFromPlane(plane: Float32Array, at: number, stride: number, region: PdqRegion, rowPlaneAt: number): PdqHash {
    const { width, height } = region
    const words = new Uint32Array(HASH256_WORDS)
    if (width < PDQ_MIN_HASHABLE_DIM || height < PDQ_MIN_HASHABLE_DIM) {
      return { hash: words, hex: formatHash256(words), quality: 0 }
    }
    this.ensureBuffers(width, height)
    if (width === 64 && height === 64) {
      for (let r = 0; r < 64; r++) this.a64.set(plane.subarray(at + r * stride, at + r * stride + 64), r * 64)
    } else {
      this.planeAt = at
      this.planeStride = stride
      this.rowPlaneAt = rowPlaneAt
      this.downsample(width, height)
    }
    return this.finish(words)
  }

  /** The first row pass (boxRows4) over `rows` rows of `width` luma values from plane[at], `stride` apart, into rowPlane. */
  private rowPass(plane: Float32Array, at: number, stride: number, width: number, rows: number): void {
    const inAt = this.blockOffsets
    const outAt = this.ringOffsets
    const window = jaroszWindowSize(width)
    for (let r = 0; r < rows; r += BLOCK) {
      for (let k = 0; k < BLOCK; k++) {
        const row = r + (k < rows - r ? k : 0) // fewer rows: repeat the first
        inAt[k] = at + row * stride
        outAt[k] = row * width
      }
      boxRows4(plane, inAt, this.rowPlane, outAt, width, window)
    }
  }

  private finish(words: Uint32Array): PdqHash {
    const a64 = this.a64
    const quality = qualityMetric(a64)
    dct64To16(a64, this.t16x64, this.b16)
    bitsAboveMedian(this.b16, words)
    return { hash: words, hex: formatHash256(words), quality }
  }

  private ensureBuffers(width: number, height: number): void {
    const ringSize = (jaroszWindowSize(height) + BLOCK) * width
    if (this.ring.length < ringSize) this.ring = new Float32Array(ringSize)
    if (this.narrow1.length < height * 64) {
      this.narrow1 = new Float32Array(height * 64)
      this.narrow2 = new Float32Array(height * 64)
    }
    if (this.lumaBlock.length < BLOCK * width) {
      this.lumaBlock = new Float32Array(BLOCK * width)
      this.colOutBlock = new Float32Array(BLOCK * width)
      this.colSums = new Float32Array(Math.max(width, 64))
    }
  }

  /**
   * The reference's Jarosz filter (box filter along rows, then columns, twice) and
   * decimation to the 64×64 pixel centres, streamed so that no full-frame buffer is needed
   * and only what the decimation reads is computed:
   * - luma is made a block of rows at a time and box-filtered along the rows into a ring
   *   holding the rows the first column pass still reads;
   * - the first column pass keeps one running sum per column and hands its output rows, a
   *   block at a time, to the second row pass;
   * - the second row pass keeps its running sums over whole rows (their rounding carries
   *   along) but divides and stores only at the 64 sampled columns;
   * - the second column pass runs over those 64 columns alone.
   * Every value that is kept is computed by the same float operations in the same order as
   * in the reference (downscaling.cpp jaroszFilterFloat, box1DFloat, decimateFloat), so the
   * 64×64 result is the same to the bit; it is just not computed where nobody reads it.
   * Rows go through the row filter four at a time (see boxRows4).
   */
  private downsample(width: number, height: number): void {
    const windowAlongCols = jaroszWindowSize(height)
    const rows = this.decimateRows
    const cols = this.decimateCols
    // Centres, not corners; computed in double as the reference does.
    for (let k = 0; k < 64; k++) {
      rows[k] = Math.trunc(((k + 0.5) * height) / 64)
      cols[k] = Math.trunc(((k + 0.5) * width) / 64)
    }
    cols[64] = -1 // sentinel: no more columns to sample
    this.produced = 0
    this.pending = 0

    // The first column pass, phase by phase as box1DFloat, every column at once.
    const sums = this.colSums
    const ring = this.rowPlaneAt >= 0 ? this.rowPlane : this.ring
    const half = Math.floor((windowAlongCols + 2) / 2)
    const phase1 = half - 1
    const phase2 = windowAlongCols - half + 1
    const phase3 = height - windowAlongCols
    const phase4 = half - 1
    sums.fill(0, 0, width)
    let ri = 0
    let li = 0
    let oi = 0
    let count = 0
    for (let k = 0; k < phase1; k++) {
      addRow(sums, ring, this.rowAt(width, height, ri++), width)
      count++
    }
    for (let k = 0; k < phase2; k++) {
      addRow(sums, ring, this.rowAt(width, height, ri++), width)
      count++
      this.emit(width, height, oi++, count)
    }
    for (let k = 0; k < phase3; k++) {
      const added = this.rowAt(width, height, ri++)
      addSubRow(sums, ring, added, this.rowAt(width, height, li++), width)
      this.emit(width, height, oi++, count)
    }
    for (let k = 0; k < phase4; k++) {
      subRow(sums, ring, this.rowAt(width, height, li++), width)
      count--
      this.emit(width, height, oi++, count)
    }

    const narrow2 = this.narrow2
    boxAlongCols(this.narrow1, narrow2, height, 64, windowAlongCols, sums)
    const a64 = this.a64
    for (let i = 0; i < 64; i++) a64.set(narrow2.subarray(rows[i]! * 64, rows[i]! * 64 + 64), i * 64)
  }

  /**
   * Offset in the ring of row `r` of the first row pass's output, making the next block
   * of rows when `r` is first asked for. Rows are asked for in order, and the oldest row
   * still read is `windowAlongCols` behind the newest, so a block never overwrites it.
   */
  private rowAt(width: number, height: number, r: number): number {
    if (this.rowPlaneAt >= 0) return this.rowPlaneAt + r * width
    const ringRows = jaroszWindowSize(height) + BLOCK
    if (r === this.produced) {
      const lines = Math.min(BLOCK, height - r)
      const blockOffsets = this.blockOffsets
      const ringOffsets = this.ringOffsets
      const source = this.source
      for (let k = 0; k < BLOCK; k++) {
        const row = k < lines ? k : 0 // fewer rows: repeat the first
        if (source) {
          if (k < lines) fillLumaRow(source.pixels, source.channels, r + k, 0, width, this.lumaBlock, k * width)
          blockOffsets[k] = row * width
        } else {
          blockOffsets[k] = this.planeAt + (r + row) * this.planeStride
        }
        ringOffsets[k] = ((r + row) % ringRows) * width
      }
      boxRows4(source ? this.lumaBlock : this.plane, blockOffsets, this.ring, ringOffsets, width, jaroszWindowSize(width))
      this.produced += lines
    }
    return (r % ringRows) * width
  }

  /** Output row `outRow` of the first column pass; every BLOCK rows (and at the end) they go through the second row pass. */
  private emit(width: number, height: number, outRow: number, count: number): void {
    divideRow(this.colOutBlock, this.pending * width, this.colSums, count, width)
    this.pending++
    if (this.pending === BLOCK || outRow === height - 1) {
      const firstRow = outRow - this.pending + 1
      const blockOffsets = this.blockOffsets
      const narrowOffsets = this.narrowOffsets
      for (let k = 0; k < BLOCK; k++) {
        const row = k < this.pending ? k : 0 // fewer rows: repeat the first
        blockOffsets[k] = row * width
        narrowOffsets[k] = (firstRow + row) * 64
      }
      boxRows4Sampled(this.colOutBlock, blockOffsets, width, jaroszWindowSize(width), this.decimateCols, this.narrow1, narrowOffsets)
      this.pending = 0
    }
  }
}

// The first column pass's steps over a whole row of running sums (one per column).
function addRow(sums: Float32Array, ring: Float32Array, a: number, width: number): void {
  for (let j = 0; j < width; j++) sums[j] = sums[j]! + ring[a + j]!
}
function addSubRow(sums: Float32Array, ring: Float32Array, a: number, s: number, width: number): void {
  for (let j = 0; j < width; j++) sums[j] = Math.fround(sums[j]! + ring[a + j]!) - ring[s + j]!
}
function subRow(sums: Float32Array, ring: Float32Array, s: number, width: number): void {
  for (let j = 0; j < width; j++) sums[j] = sums[j]! - ring[s + j]!
}
function divideRow(out: Float32Array, at: number, sums: Float32Array, count: number, width: number): void {
  for (let j = 0; j < width; j++) out[at + j] = sums[j]! / count
}

let shared: PdqHasher | undefined

/** PDQ hash and quality of one image; see {@link PdqHasher} to hash many frames. */
export function pdqHash(pixels: PdqPixels): PdqHash {
  shared ??= new PdqHasher()
  return shared.hash(pixels)
}

/** Throws unless `pixels` is a frame PDQ can read (size, channels, buffer length, row stride). */
export function checkPixels(pixels: PdqPixels, channels: number = pixels.channels ?? 4): void {
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

/** A rectangle of a frame, in pixels. */
export interface PdqRegion {
  x: number
  y: number
  width: number
  height: number
}

function checkRegion(pixels: PdqPixels, r: PdqRegion): void {
  const ok = [r.x, r.y, r.width, r.height].every(Number.isInteger)
  if (!ok || r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > pixels.width || r.y + r.height > pixels.height) {
    throw new RangeError(`box ${JSON.stringify(r)} is not inside the ${pixels.width}×${pixels.height} frame`)
  }
}

/** `region` of the frame as pixels PDQ reads, without copying: the same buffer from the region's first pixel, with the frame's row stride. */
export function regionView(pixels: PdqPixels, region: PdqRegion): PdqPixels {
  checkRegion(pixels, region)
  const channels = pixels.channels ?? 4
  const stride = pixels.rowStride ?? pixels.width * channels
  const start = region.y * stride + region.x * channels
  const end = (region.y + region.height - 1) * stride + (region.x + region.width) * channels
  return { data: pixels.data.subarray(start, end), width: region.width, height: region.height, channels, rowStride: stride }
}

/** Luma as the reference, float(float(R·0.299 + G·0.587) + B·0.114) with each product a float, of `count` pixels of `row` from column `x`. */
function fillLumaRow(pixels: PdqPixels, channels: number, row: number, x: number, count: number, luma: Float32Array, at: number): void {
  const data = pixels.data
  let p = row * (pixels.rowStride ?? pixels.width * channels) + x * channels
  if (channels === 1) {
    for (let j = 0; j < count; j++) luma[at + j] = data[p++]!
    return
  }
  for (let j = 0; j < count; j++, p += channels) {
    luma[at + j] = Math.fround(LUMA_R_OF[data[p]!]! + LUMA_G_OF[data[p + 1]!]!) + LUMA_B_OF[data[p + 2]!]!
  }
}

/**
 * The reference's 1-D box filter (downscaling.cpp box1DFloat) along four rows of `n`
 * values at once: row k is read from `input[inAt[k] …]` and written to `out[outAt[k] …]`.
 * Each row keeps a running float sum over a window centred on each output, shorter and
 * divided by its own length near the ends; the sum carries its rounding from the start of
 * the row, so it is updated exactly as the reference updates it. Four independent sums
 * interleave, so the processor overlaps their chains of roundings (about three times
 * faster than one row at a time). Fewer rows: repeat one (its writes are the same).
 */
function boxRows4(input: Float32Array, inAt: Int32Array, out: Float32Array, outAt: Int32Array, n: number, window: number): void {
  const half = Math.floor((window + 2) / 2)
  const phase1 = half - 1
  const phase2 = window - half + 1
  const phase3 = n - window
  const phase4 = half - 1
  const i0 = inAt[0]!, i1 = inAt[1]!, i2 = inAt[2]!, i3 = inAt[3]!
  const o0 = outAt[0]!, o1 = outAt[1]!, o2 = outAt[2]!, o3 = outAt[3]!
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  let ri = 0
  let li = 0
  let oi = 0
  let count = 0
  for (let k = 0; k < phase1; k++, ri++) {
    s0 = Math.fround(s0 + input[i0 + ri]!)
    s1 = Math.fround(s1 + input[i1 + ri]!)
    s2 = Math.fround(s2 + input[i2 + ri]!)
    s3 = Math.fround(s3 + input[i3 + ri]!)
    count++
  }
  for (let k = 0; k < phase2; k++, ri++, oi++) {
    count++
    s0 = Math.fround(s0 + input[i0 + ri]!)
    s1 = Math.fround(s1 + input[i1 + ri]!)
    s2 = Math.fround(s2 + input[i2 + ri]!)
    s3 = Math.fround(s3 + input[i3 + ri]!)
    out[o0 + oi] = s0 / count
    out[o1 + oi] = s1 / count
    out[o2 + oi] = s2 / count
    out[o3 + oi] = s3 / count
  }
  for (let k = 0; k < phase3; k++, ri++, li++, oi++) {
    s0 = Math.fround(Math.fround(s0 + input[i0 + ri]!) - input[i0 + li]!)
    s1 = Math.fround(Math.fround(s1 + input[i1 + ri]!) - input[i1 + li]!)
    s2 = Math.fround(Math.fround(s2 + input[i2 + ri]!) - input[i2 + li]!)
    s3 = Math.fround(Math.fround(s3 + input[i3 + ri]!) - input[i3 + li]!)
    out[o0 + oi] = s0 / count
    out[o1 + oi] = s1 / count
    out[o2 + oi] = s2 / count
    out[o3 + oi] = s3 / count
  }
  for (let k = 0; k < phase4; k++, li++, oi++) {
    count--
    s0 = Math.fround(s0 - input[i0 + li]!)
    s1 = Math.fround(s1 - input[i1 + li]!)
    s2 = Math.fround(s2 - input[i2 + li]!)
    s3 = Math.fround(s3 - input[i3 + li]!)
    out[o0 + oi] = s0 / count
    out[o1 + oi] = s1 / count
    out[o2 + oi] = s2 / count
    out[o3 + oi] = s3 / count
  }
}

/**
 * {@link boxRows4}, keeping only the outputs at the sampled columns `cols[0…63]`
 * (ascending, possibly repeated, ended by −1): row k's go to `out[outAt[k] + slot]`. The
 * running sums still go over whole rows.
 */
function boxRows4Sampled(input: Float32Array, inAt: Int32Array, n: number, window: number, cols: Int32Array, out: Float32Array, outAt: Int32Array): void {
  const half = Math.floor((window + 2) / 2)
  const phase1 = half - 1
  const phase2 = window - half + 1
  const phase3 = n - window
  const phase4 = half - 1
  const i0 = inAt[0]!, i1 = inAt[1]!, i2 = inAt[2]!, i3 = inAt[3]!
  const o0 = outAt[0]!, o1 = outAt[1]!, o2 = outAt[2]!, o3 = outAt[3]!
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  let ri = 0
  let li = 0
  let pos = 0 // output column
  let slot = 0
  let next = cols[0]!
  let count = 0
  for (let k = 0; k < phase1; k++, ri++) {
    s0 = Math.fround(s0 + input[i0 + ri]!)
    s1 = Math.fround(s1 + input[i1 + ri]!)
    s2 = Math.fround(s2 + input[i2 + ri]!)
    s3 = Math.fround(s3 + input[i3 + ri]!)
    count++
  }
  for (let k = 0; k < phase2; k++, ri++, pos++) {
    count++
    s0 = Math.fround(s0 + input[i0 + ri]!)
    s1 = Math.fround(s1 + input[i1 + ri]!)
    s2 = Math.fround(s2 + input[i2 + ri]!)
    s3 = Math.fround(s3 + input[i3 + ri]!)
    if (pos === next) {
      // Write sum / count to every slot sampling this column (no closure: the sums stay in registers).
      const v0 = s0 / count, v1 = s1 / count, v2 = s2 / count, v3 = s3 / count
      do {
        out[o0 + slot] = v0
        out[o1 + slot] = v1
        out[o2 + slot] = v2
        out[o3 + slot] = v3
        slot++
      } while ((next = cols[slot]!) === pos)
    }
  }
  for (let k = 0; k < phase3; k++, ri++, li++, pos++) {
    s0 = Math.fround(Math.fround(s0 + input[i0 + ri]!) - input[i0 + li]!)
    s1 = Math.fround(Math.fround(s1 + input[i1 + ri]!) - input[i1 + li]!)
    s2 = Math.fround(Math.fround(s2 + input[i2 + ri]!) - input[i2 + li]!)
    s3 = Math.fround(Math.fround(s3 + input[i3 + ri]!) - input[i3 + li]!)
    if (pos === next) {
      // Write sum / count to every slot sampling this column (no closure: the sums stay in registers).
      const v0 = s0 / count, v1 = s1 / count, v2 = s2 / count, v3 = s3 / count
      do {
        out[o0 + slot] = v0
        out[o1 + slot] = v1
        out[o2 + slot] = v2
        out[o3 + slot] = v3
        slot++
      } while ((next = cols[slot]!) === pos)
    }
  }
  for (let k = 0; k < phase4; k++, li++, pos++) {
    count--
    s0 = Math.fround(s0 - input[i0 + li]!)
    s1 = Math.fround(s1 - input[i1 + li]!)
    s2 = Math.fround(s2 - input[i2 + li]!)
    s3 = Math.fround(s3 - input[i3 + li]!)
    if (pos === next) {
      // Write sum / count to every slot sampling this column (no closure: the sums stay in registers).
      const v0 = s0 / count, v1 = s1 / count, v2 = s2 / count, v3 = s3 / count
      do {
        out[o0 + slot] = v0
        out[o1 + slot] = v1
        out[o2 + slot] = v2
        out[o3 + slot] = v3
        slot++
      } while ((next = cols[slot]!) === pos)
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
      const s = Math.fround(sums[j]! + input[ri + j]!)
      sums[j] = s
      out[oi + j] = s / count
    }
  }
  for (let k = 0; k < phase3; k++, ri += numCols, li += numCols, oi += numCols) {
    for (let j = 0; j < numCols; j++) {
      const s = Math.fround(Math.fround(sums[j]! + input[ri + j]!) - input[li + j]!)
      sums[j] = s
      out[oi + j] = s / count
    }
  }
  for (let k = 0; k < phase4; k++, li += numCols, oi += numCols) {
    count--
    for (let j = 0; j < numCols; j++) {
      const s = Math.fround(sums[j]! - input[li + j]!)
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
      const d = Math.trunc(Math.fround(Math.fround(Math.fround(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255))
      gradientSum += Math.abs(d)
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(Math.fround(Math.fround(Math.fround(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255))
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
      for (let k = 0; k < 64; k++) sum = Math.fround(sum + Math.fround(d[di + k]! * a[k * 64 + j]!))
      t[di + j] = sum
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64
    for (let j = 0; j < 16; j++) {
      const dj = j * 64
      let sum = 0
      for (let k = 0; k < 64; k++) sum = Math.fround(sum + Math.fround(t[ti + k]! * d[dj + k]!))
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
    guess = Math.fround(Math.fround(min + max) / 2)
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
