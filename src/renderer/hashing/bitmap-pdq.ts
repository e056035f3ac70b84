import type { PdqFrameHash } from '../../shared/frame-hashes'
import { FrameVariantHasher } from '../../shared/pdq/frame-variants'
import type { PdqPixels } from '../../shared/pdq/pdq'
import type { FramePicture } from './frame-source'

/**
 * The hashes of decoded frames: pixels read back, bars trimmed, and the picture hashed whole
 * and as its crops with reused buffers (src/shared/pdq/frame-variants.ts: the same code the
 * Node tests and benches run).
 *
 * Read-back: a VideoFrame is converted to RGBA by its own `copyTo` where the browser can
 * (Chromium 156: ~6 ms a 640×360 frame against ~10 ms for a canvas draw + getImageData, and
 * the same bytes: bench/hashing-decode.bench.ts, and bench:hashing compares the hashes both
 * ways); an ImageBitmap, a frame whose display size is not its picture's (the canvas scales
 * it) or a rotated one, and any browser that refuses the RGBA copy, go through one reused
 * OffscreenCanvas as before. Frames are hashed one at a time, in order, as they share the buffers.
 */
export function makeBitmapHasher(): (bitmap: FramePicture) => Promise<PdqFrameHash[]> {
  const hasher = new FrameVariantHasher()
  let canvas: OffscreenCanvas | null = null
  let rgba = new Uint8Array(0)
  let copyRgba = true
  let previous: Promise<unknown> = Promise.resolve()

  const viaCanvas = (bitmap: FramePicture, width: number, height: number): PdqPixels => {
    if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height)
    const ctx = canvas.getContext('2d', { willReadFrequently: true })
    if (!ctx) throw new Error('no 2D context for an OffscreenCanvas')
    ctx.drawImage(bitmap, 0, 0)
    return { data: ctx.getImageData(0, 0, width, height).data, width, height }
  }

  const viaCopyTo = async (frame: VideoFrame): Promise<PdqPixels | null> => {
    const rect = frame.visibleRect
    const rotated = 'rotation' in frame && (frame as { rotation?: number }).rotation
    if (!copyRgba || !rect || rect.width !== frame.displayWidth || rect.height !== frame.displayHeight || rotated) return null
    const { width, height } = rect
    if (rgba.length < width * height * 4) rgba = new Uint8Array(width * height * 4)
    try {
      const [plane] = await frame.copyTo(rgba, { format: 'RGBA', colorSpace: 'srgb' })
      return { data: rgba.subarray(plane?.offset ?? 0), width, height, rowStride: plane?.stride ?? width * 4 }
    } catch {
      // A browser without RGBA conversion in copyTo (before Chromium 127): the canvas from now on.
      copyRgba = false
      return null
    }
  }

  const hashOne = async (bitmap: FramePicture): Promise<PdqFrameHash[]> => {
    try {
      // A VideoFrame's picture size is its display size (coded sizes are padded to the codec's blocks).
      const isFrame = 'displayWidth' in bitmap
      const width = isFrame ? bitmap.displayWidth : bitmap.width
      const height = isFrame ? bitmap.displayHeight : bitmap.height
      const pixels = (isFrame ? await viaCopyTo(bitmap) : null) ?? viaCanvas(bitmap, width, height)
      return hasher.hash(pixels).hashes.map(({ hex, quality }) => ({ hash: hex, quality }))
    } finally {
      bitmap.close()
    }
  }

  return (bitmap) => {
    const result = previous.then(() => hashOne(bitmap))
    previous = result.catch(() => {})
    return result
  }
}
