import { PdqHasher } from '../../shared/pdq/pdq'

/** PDQ of decoded frames: read back through one reused OffscreenCanvas, hashed with reused buffers. */
export function makeBitmapHasher(): (bitmap: ImageBitmap) => { hex: string; quality: number } {
  const hasher = new PdqHasher()
  let canvas: OffscreenCanvas | null = null
  return (bitmap) => {
    try {
      const { width, height } = bitmap
      if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height)
      const ctx = canvas.getContext('2d', { willReadFrequently: true })
      if (!ctx) throw new Error('no 2D context for an OffscreenCanvas')
      ctx.drawImage(bitmap, 0, 0)
      const { data } = ctx.getImageData(0, 0, width, height)
      const { hex, quality } = hasher.hash({ data, width, height })
      return { hex, quality }
    } finally {
      bitmap.close()
    }
  }
}
