import { beforeAll, describe, expect, it } from 'vitest'
import {
  BORDER_TRIM_DEFAULTS,
  bottomCrop,
  centralCrop,
  cropBox,
  cropView,
  findContentBox,
  FRAME_VARIANT_CROPS,
  FrameVariantHasher,
  topCrop,
} from './frame-variants'
import { hammingDistance } from './hash256'
import { PdqHasher } from './pdq'
import { bytesFromDataUrl, decodePng, type RgbImage } from './testing/decode-png'

// Demo-pack frames (640×360) from the PDQ fixtures; no Node built-ins, as the module itself.
const pngUrls = import.meta.glob<string>('./fixtures/demo-*.png', { query: '?inline', import: 'default', eager: true })
let frames: RgbImage[] = []
beforeAll(async () => {
  frames = await Promise.all(['demo-8222-t3', 'demo-9241-t3', 'demo-9380-t5', 'demo-ce39-t2', 'demo-f899-t4'].map((n) => decodePng(bytesFromDataUrl(pngUrls[`./fixtures/${n}.png`]!))))
})

const pixels = (img: RgbImage) => ({ data: img.rgb, width: img.width, height: img.height, channels: 3 as const })

/** A `width`×`height` RGB frame of one colour, with `paint(x, y)` overriding pixels. */
function canvas(width: number, height: number, rgb: [number, number, number], paint?: (x: number, y: number) => [number, number, number] | undefined): RgbImage {
  const out = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = paint?.(x, y) ?? rgb
      out.set(c, (y * width + x) * 3)
    }
  }
  return { width, height, rgb: out }
}

/** `img` squashed (nearest neighbour) into the middle `share` of a frame of the same size, black around: letterboxed, or pillarboxed. */
function boxed(img: RgbImage, share: number, axis: 'rows' | 'cols'): RgbImage {
  const { width: w, height: h } = img
  const inner = Math.round((axis === 'rows' ? h : w) * share)
  const off = Math.floor(((axis === 'rows' ? h : w) - inner) / 2)
  return canvas(w, h, [0, 0, 0], (x, y) => {
    const t = axis === 'rows' ? y - off : x - off
    if (t < 0 || t >= inner) return undefined
    const sx = axis === 'cols' ? Math.floor((t * w) / inner) : x
    const sy = axis === 'rows' ? Math.floor((t * h) / inner) : y
    const p = (sy * w + sx) * 3
    return [img.rgb[p]!, img.rgb[p + 1]!, img.rgb[p + 2]!]
  })
}

/** The pixels of `box` of `img`, copied. */
function copyBox(img: RgbImage, box: { x: number; y: number; width: number; height: number }): RgbImage {
  const out = new Uint8Array(box.width * box.height * 3)
  for (let y = 0; y < box.height; y++) out.set(img.rgb.subarray(((box.y + y) * img.width + box.x) * 3, ((box.y + y) * img.width + box.x + box.width) * 3), y * box.width * 3)
  return { width: box.width, height: box.height, rgb: out }
}

/** `img` with a filled rectangle drawn over it (an overlay: a caption band, a logo). */
function overlay(img: RgbImage, x0: number, y0: number, w: number, h: number, rgb: [number, number, number]): RgbImage {
  const out = Uint8Array.from(img.rgb)
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out.set(rgb, (y * img.width + x) * 3)
  return { ...img, rgb: out }
}

describe('letterbox and pillarbox bars', () => {
  it('finds the picture between symmetric black bars, top and bottom or left and right', () => {
    const pic = canvas(200, 100, [200, 40, 40], (x) => (x % 20 < 10 ? [40, 200, 40] : undefined))
    expect(findContentBox(pixels(pic))).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    const letter = canvas(200, 100, [0, 0, 0], (x, y) => (y >= 12 && y < 88 ? (x % 20 < 10 ? [40, 200, 40] : [200, 40, 40]) : undefined))
    expect(findContentBox(pixels(letter))).toEqual({ x: 0, y: 12, width: 200, height: 76 })
    const pillar = canvas(200, 100, [0, 0, 0], (x) => (x >= 30 && x < 170 ? [90, 90, 250] : undefined))
    // A flat picture: its columns are flat too, but not dark.
    expect(findContentBox(pixels(pillar))).toEqual({ x: 30, y: 0, width: 140, height: 100 })
    // Windowboxed: both.
    const window = canvas(200, 100, [4, 4, 4], (x, y) => (x >= 20 && x < 180 && y >= 10 && y < 90 ? [90, 90, 250] : undefined))
    expect(findContentBox(pixels(window))).toEqual({ x: 20, y: 10, width: 160, height: 80 })
  })

  it('trims bars in pairs: a dark band on one side only is the picture’s (a title bar, a night sky)', () => {
    const titled = canvas(200, 100, [120, 120, 250], (_, y) => (y < 20 ? [10, 10, 10] : undefined))
    expect(findContentBox(pixels(titled))).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    // Bars of 12 and 20 rows: 12 from each side, the rest of the thicker stays.
    const uneven = canvas(200, 100, [0, 0, 0], (_, y) => (y >= 12 && y < 80 ? [120, 120, 250] : undefined))
    expect(findContentBox(pixels(uneven))).toEqual({ x: 0, y: 12, width: 200, height: 76 })
  })

  it('leaves dark lines with detail, lines that are not dark, thin edges, and never trims past the limit', () => {
    // Dark but textured (spread > 16): a night scene, not a bar.
    const night = canvas(200, 100, [120, 120, 250], (x, y) => (y < 15 || y >= 85 ? (x % 2 ? [0, 0, 0] : [30, 30, 30]) : undefined))
    expect(findContentBox(pixels(night))).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    // Flat but grey (mean luma 60 > 24).
    const grey = canvas(200, 100, [60, 60, 60], (_, y) => (y >= 15 && y < 85 ? [120, 120, 250] : undefined))
    expect(findContentBox(pixels(grey))).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    // Two rows of 100 (2 % < 3 %): the picture's edge, left alone.
    const thin = canvas(200, 100, [0, 0, 0], (_, y) => (y >= 2 && y < 98 ? [120, 120, 250] : undefined))
    expect(findContentBox(pixels(thin))).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    // All black: at most 35 % a side.
    expect(findContentBox(pixels(canvas(200, 100, [0, 0, 0])))).toEqual({ x: 70, y: 35, width: 60, height: 30 })
    expect(findContentBox(pixels(canvas(200, 100, [0, 0, 0])), { ...BORDER_TRIM_DEFAULTS, maxTrimFraction: 0.1 })).toEqual({ x: 20, y: 10, width: 160, height: 80 })
  })

  it('reads RGBA, grey and padded rows alike', () => {
    const letter = canvas(50, 40, [0, 0, 0], (x, y) => (y >= 5 && y < 35 ? [x * 5, 250 - x * 5, 100] : undefined))
    const rgba = new Uint8ClampedArray(50 * 40 * 4)
    const grey = new Uint8Array(50 * 40)
    const padded = new Uint8Array(40 * 160 * 4)
    for (let i = 0; i < 50 * 40; i++) {
      rgba.set([...letter.rgb.subarray(i * 3, i * 3 + 3), 0], i * 4)
      grey[i] = letter.rgb[i * 3 + 1]!
      padded.set(rgba.subarray(i * 4, i * 4 + 4), Math.floor(i / 50) * 640 + (i % 50) * 4)
    }
    const want = { x: 0, y: 5, width: 50, height: 30 }
    expect(findContentBox({ data: rgba, width: 50, height: 40 })).toEqual(want)
    expect(findContentBox({ data: grey, width: 50, height: 40, channels: 1 })).toEqual(want)
    expect(findContentBox({ data: padded, width: 50, height: 40, rowStride: 640 })).toEqual(want)
  })

  it('refuses bad frames and options', () => {
    expect(() => findContentBox({ data: new Uint8Array(10), width: 10, height: 10, channels: 3 })).toThrow(/buffer too short/)
    expect(() => findContentBox(pixels(canvas(10, 10, [0, 0, 0])), { ...BORDER_TRIM_DEFAULTS, maxTrimFraction: 0.5 })).toThrow(/bad border trim options/)
  })
})

describe('crops', () => {
  it('are whole pixels of the content box', () => {
    const box = { x: 0, y: 0, width: 640, height: 360 }
    expect(cropBox(box, centralCrop(0.9))).toEqual({ x: 32, y: 18, width: 576, height: 324 })
    expect(cropBox(box, topCrop(0.8))).toEqual({ x: 0, y: 0, width: 640, height: 288 })
    expect(cropBox(box, bottomCrop(0.8))).toEqual({ x: 0, y: 72, width: 640, height: 288 })
    expect(cropBox({ x: 0, y: 45, width: 640, height: 270 }, centralCrop(1))).toEqual({ x: 0, y: 45, width: 640, height: 270 })
  })

  it('hash as a copy of their pixels would, without copying', () => {
    const img = frames[0]!
    const pdq = new PdqHasher()
    for (const c of FRAME_VARIANT_CROPS) {
      const box = cropBox({ x: 0, y: 0, width: img.width, height: img.height }, c)
      const view = cropView(pixels(img), box)
      expect(view.data.buffer).toBe(img.rgb.buffer)
      expect(pdq.hash(view).hex).toBe(pdq.hash(pixels(copyBox(img, box))).hex)
    }
    expect(() => cropView(pixels(img), { x: 600, y: 0, width: 50, height: 10 })).toThrow(/not inside the 640×360 frame/)
  })
})

describe('a frame’s hashes', () => {
  const hasher = new FrameVariantHasher()
  const plain = new PdqHasher()
  const d = (a: { hash: Uint32Array }, b: { hash: Uint32Array }) => hammingDistance(a.hash, b.hash)
  /** The smallest distance between any hash of one frame and any of the other. */
  const best = (a: RgbImage, b: RgbImage) => {
    const ha = hasher.hash(pixels(a)).hashes
    const hb = hasher.hash(pixels(b)).hashes
    return Math.min(...ha.flatMap((x) => hb.map((y) => d(x, y))))
  }

  it('are four by default: whole, central 90 %, top 80 %, bottom 80 %', () => {
    expect(hasher.hashesPerFrame).toBe(4)
    const { box, hashes } = hasher.hash(pixels(frames[0]!))
    expect(box).toEqual({ x: 0, y: 0, width: 640, height: 360 })
    expect(hashes.map((h) => h.quality).every((q) => q >= 50)).toBe(true)
    // Without bars the first is plain PDQ of the frame, bit for bit.
    expect(hashes[0]!.hex).toBe(plain.hash(pixels(frames[0]!)).hex)
  })

  it('a letterboxed or pillarboxed copy hashes like the original once its bars are trimmed', () => {
    for (const img of frames) {
      for (const [share, axis] of [[0.75, 'rows'], [0.75, 'cols']] as const) {
        const copy = boxed(img, share, axis)
        // Plain PDQ sees the bars: far off. Trimmed, the whole pictures are close.
        expect(d(plain.hash(pixels(copy)), plain.hash(pixels(img)))).toBeGreaterThan(60)
        expect(d(hasher.hash(pixels(copy)).hashes[0]!, hasher.hash(pixels(img)).hashes[0]!)).toBeLessThanOrEqual(20)
      }
    }
  })

  it('a copy cropped to its central 90 % meets the original’s central crop exactly', () => {
    for (const img of frames) {
      const copy = copyBox(img, cropBox({ x: 0, y: 0, width: img.width, height: img.height }, centralCrop(0.9)))
      expect(d(hasher.hash(pixels(copy)).hashes[0]!, hasher.hash(pixels(img)).hashes[1]!)).toBe(0)
      expect(d(plain.hash(pixels(copy)), plain.hash(pixels(img)))).toBeGreaterThan(31)
    }
  })

  it('an overlay in the bottom band or the top band leaves the other crop as it was', () => {
    for (const img of frames) {
      const caption = overlay(img, 20, 300, 380, 40, [255, 255, 255])
      expect(d(hasher.hash(pixels(caption)).hashes[2]!, hasher.hash(pixels(img)).hashes[2]!)).toBe(0)
      const logo = overlay(img, 530, 10, 100, 50, [230, 20, 20])
      expect(d(hasher.hash(pixels(logo)).hashes[3]!, hasher.hash(pixels(img)).hashes[3]!)).toBe(0)
      expect(best(caption, img)).toBe(0)
    }
  })

  it('different demo frames stay far apart, whichever hashes meet', () => {
    for (let i = 0; i < frames.length; i++) for (let j = i + 1; j < frames.length; j++) expect(best(frames[i]!, frames[j]!)).toBeGreaterThan(45)
  })

  // The crops share one luma conversion and, where their columns are the same, one first
  // row pass (PdqHasher.hashRegions): their hashes must stay those of each crop hashed alone.
  it('are each crop hashed alone, bit for bit: plain, letterboxed, pillarboxed, overlaid, odd sizes', () => {
    const alone = new PdqHasher()
    const odd = canvas(333, 187, [40, 90, 160], (x, y) => ((x * 7) ^ (y * 13)) % 5 === 0 ? [(x * 3) & 255, (y * 5) & 255, (x + y) & 255] : undefined)
    const cases = frames.flatMap((img) => [img, boxed(img, 0.75, 'rows'), boxed(img, 0.75, 'cols'), overlay(img, 20, 300, 380, 40, [255, 255, 255])])
    for (const img of [...cases, odd, copyBox(frames[2]!, { x: 3, y: 5, width: 601, height: 299 })]) {
      const { box, hashes } = hasher.hash(pixels(img))
      const expected = FRAME_VARIANT_CROPS.map((c) => alone.hash(cropView(pixels(img), cropBox(box, c))))
      expect(hashes.map((h) => [h.hex, h.quality])).toEqual(expected.map((h) => [h.hex, h.quality]))
    }
  })

  it('takes other crops, and refuses crops outside the picture', () => {
    expect(new FrameVariantHasher({ crops: [centralCrop(1)], trim: null }).hash(pixels(frames[1]!)).hashes.map((h) => h.hex)).toEqual([plain.hash(pixels(frames[1]!)).hex])
    expect(() => new FrameVariantHasher({ crops: [] })).toThrow(/crops must be 1 to 8/)
    expect(() => new FrameVariantHasher({ crops: [[0.5, 0, 0.6, 1]] })).toThrow(/inside the picture/)
    expect(() => new FrameVariantHasher({ crops: Array.from({ length: 9 }, () => centralCrop(1)) })).toThrow(/crops must be 1 to 8/)
  })
})
