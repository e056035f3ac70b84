import type { PdqFrameHash } from '../../shared/frame-hashes'
import { FrameVariantHasher } from '../../shared/pdq/frame-variants'
import type { FramePicture } from './frame-source'

/**
 * The hashes of decoded frames: pixels read back through one reused OffscreenCanvas, bars
 * trimmed, and the picture hashed whole and as its crops with reused buffers
 * (src/shared/pdq/frame-variants.ts: the same code the Node tests and benches run).
 */
export function makeBitmapHasher(): (bitmap: FramePicture) => PdqFrameHash[] {
  const hasher = new FrameVariantHasher()
  let canvas: OffscreenCanvas | null = null
  return (bitmap) => {
    try {
      // A VideoFrame's picture size is its display size (coded sizes are padded to the codec's blocks).
      const width = 'displayWidth' in bitmap ? bitmap.displayWidth : bitmap.width
      const height = 'displayHeight' in bitmap ? bitmap.displayHeight : bitmap.height
      if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height)
      const ctx = canvas.getContext('2d', { willReadFrequently: true })
      if (!ctx) throw new Error('no 2D context for an OffscreenCanvas')
      ctx.drawImage(bitmap, 0, 0)
      const { data } = ctx.getImageData(0, 0, width, height)
      return hasher.hash({ data, width, height }).hashes.map(({ hex, quality }) => ({ hash: hex, quality }))
    } finally {
      bitmap.close()
    }
  }
}
