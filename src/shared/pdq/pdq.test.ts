import { beforeAll, describe, expect, it } from 'vitest'
import { hammingDistance, parseHash256 } from './hash256'
import { PDQ_DCT_MATRIX, PdqHasher, jaroszWindowSize, pdqHash, regionView, type PdqRegion } from './pdq'
import referenceVectors from './reference-vectors.json'
import { bytesFromDataUrl, decodePng, sha256Hex, type RgbImage } from './testing/decode-png'

// The fixtures (scripts/make-pdq-fixtures.mjs) as data URLs, so the test needs no Node built-ins.
const pngUrls = import.meta.glob<string>('./fixtures/*.png', { query: '?inline', import: 'default', eager: true })

interface Vector {
  name: string
  file: string
  width: number
  height: number
  rgbSha256: string
  hex: string
  quality: number
}
const vectors: Vector[] = referenceVectors.vectors

const images = new Map<string, RgbImage>()
beforeAll(async () => {
  for (const v of vectors) {
    const url = pngUrls[`./fixtures/${v.file}`]
    if (!url) throw new Error(`fixture ${v.file} is missing`)
    images.set(v.name, await decodePng(bytesFromDataUrl(url)))
  }
})

const image = (name: string): RgbImage => {
  const img = images.get(name)
  if (!img) throw new Error(`no fixture ${name}`)
  return img
}

function rgba(img: RgbImage, alpha: (i: number) => number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4)
  for (let i = 0, o = 0; i < img.rgb.length; i += 3, o += 4) {
    out[o] = img.rgb[i]!
    out[o + 1] = img.rgb[i + 1]!
    out[o + 2] = img.rgb[i + 2]!
    out[o + 3] = alpha(o)
  }
  return out
}

const hashOf = (name: string) => {
  const img = image(name)
  return pdqHash({ data: img.rgb, width: img.width, height: img.height, channels: 3 })
}

describe('PDQ against the C++ reference (reference-vectors.json)', () => {
  it('has the vectors the docs speak of: at least 15, of several sizes and qualities', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15)
    expect(new Set(vectors.map((v) => `${v.width}x${v.height}`)).size).toBeGreaterThanOrEqual(10)
    expect(vectors.some((v) => v.quality === 0)).toBe(true)
    expect(vectors.some((v) => v.quality > 0 && v.quality < 100)).toBe(true)
    expect(Object.keys(pngUrls)).toHaveLength(vectors.length)
  })

  it('decodes exactly the pixels the reference hashed', async () => {
    for (const v of vectors) {
      const img = image(v.name)
      expect([img.width, img.height], v.name).toEqual([v.width, v.height])
      expect(await sha256Hex(img.rgb), v.name).toBe(v.rgbSha256)
    }
  })

  // The reference's own bar for a port (pdq/README.md): the same bytes in give the exact
  // same hash out. Observed: all vectors bit for bit, so the allowed distance is 0.
  it.each(vectors.map((v) => [v.name, v] as const))('%s: same hash bit for bit, same quality', (_name, v) => {
    const img = image(v.name)
    const got = pdqHash({ data: img.rgb, width: img.width, height: img.height, channels: 3 })
    expect(hammingDistance(got.hash, parseHash256(v.hex))).toBe(0)
    expect(got.hex).toBe(v.hex)
    expect(got.quality).toBe(v.quality)
  })

  it('gives the same answer from RGBA (canvas getImageData), whatever the alpha, and from padded rows', () => {
    const hasher = new PdqHasher()
    for (const name of ['demo-8222-t3', 'mandelbrot-63x47', 'grey-320x240', 'testsrc2-64x64']) {
      const v = vectors.find((x) => x.name === name)!
      const img = image(name)
      const fromRgba = hasher.hash({ data: rgba(img, (o) => (o * 7) & 0xff), width: img.width, height: img.height })
      expect([fromRgba.hex, fromRgba.quality], name).toEqual([v.hex, v.quality])
      // A VideoFrame copy may pad each row: 4 × width + 12 bytes here.
      const stride = img.width * 4 + 12
      const padded = new Uint8Array(stride * img.height).fill(0xee)
      const packed = rgba(img, () => 255)
      for (let y = 0; y < img.height; y++) padded.set(packed.subarray(y * img.width * 4, (y + 1) * img.width * 4), y * stride)
      const fromPadded = hasher.hash({ data: padded, width: img.width, height: img.height, channels: 4, rowStride: stride })
      expect(fromPadded.hex, name).toBe(v.hex)
    }
  })

  it('reuses one hasher across frames of different sizes without carrying anything over', () => {
    const hasher = new PdqHasher()
    for (const v of [...vectors, ...vectors.slice().reverse()]) {
      const img = image(v.name)
      expect(hasher.hash({ data: img.rgb, width: img.width, height: img.height, channels: 3 }).hex, v.name).toBe(v.hex)
    }
  })

  it('builds the DCT matrix bit for bit as the reference does (SHA-256 of its 1024 floats, from the reference build)', async () => {
    expect(await sha256Hex(new Uint8Array(PDQ_DCT_MATRIX.buffer))).toBe('db354678fc6c99b7d442c35d8e89b002b71cb35eff6ae436c5f36392277a83c8')
  })

  it('computes the reference window sizes: ceil(size / 128)', () => {
    expect([1, 5, 64, 128, 129, 360, 640, 720, 1280, 2000].map((n) => jaroszWindowSize(n))).toEqual([1, 1, 1, 1, 2, 3, 5, 6, 10, 16])
  })
})

describe('PDQ as a matcher sees it', () => {
  it('a re-encoded, scaled, JPEG-recompressed or blurred copy of a frame lands within 31 bits of it', () => {
    const original = hashOf('demo-8222-t3').hash
    const distances = Object.fromEntries(
      ['demo-8222-t3-x264-150k', 'demo-8222-t3-half', 'demo-8222-t3-jpeg-q25', 'demo-8222-t3-blur', 'demo-8222-t3-faint'].map((n) => [
        n,
        hammingDistance(original, hashOf(n).hash),
      ]),
    )
    for (const [name, d] of Object.entries(distances)) expect(d, name).toBeLessThanOrEqual(31)
    // As observed when the vectors were made (docs/perceptual-hashes.md).
    expect(distances).toEqual({
      'demo-8222-t3-x264-150k': 0,
      'demo-8222-t3-half': 22,
      'demo-8222-t3-jpeg-q25': 2,
      'demo-8222-t3-blur': 26,
      'demo-8222-t3-faint': 0,
    })
  })

  it('frames of different demo videos are far apart (more than twice the match threshold)', () => {
    const names = ['demo-8222-t3', 'demo-9241-t3', 'demo-ce39-t2', 'demo-f899-t4', 'demo-9380-t5']
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        expect(hammingDistance(hashOf(names[i]!).hash, hashOf(names[j]!).hash), `${names[i]} vs ${names[j]}`).toBeGreaterThan(62)
      }
    }
  })

  it('scores a flat image 0, at any size', () => {
    for (const [w, h] of [[320, 240], [64, 64], [7, 5], [1000, 3]] as const) {
      const flat = new Uint8Array(w * h * 3).fill(0x5a)
      expect(pdqHash({ data: flat, width: w, height: h, channels: 3 }).quality, `${w}x${h}`).toBe(0)
    }
    expect(hashOf('grey-320x240').quality).toBe(0)
  })

  it('returns the zero hash and quality 0 below 5 pixels in either dimension, as the reference', () => {
    const r = pdqHash({ data: new Uint8Array(4 * 100 * 4).fill(200), width: 100, height: 4 })
    expect(r.hex).toBe('0'.repeat(64))
    expect(r.quality).toBe(0)
  })

  it('hashes grey (one byte per pixel) as RGB with equal channels', () => {
    const img = image('testsrc2-640x360')
    const grey = new Uint8Array(img.width * img.height)
    const rgb = new Uint8Array(img.rgb.length)
    for (let i = 0; i < grey.length; i++) {
      grey[i] = img.rgb[i * 3 + 1]!
      rgb.fill(grey[i]!, i * 3, i * 3 + 3)
    }
    const fromGrey = pdqHash({ data: grey, width: img.width, height: img.height, channels: 1 })
    const fromRgb = pdqHash({ data: rgb, width: img.width, height: img.height, channels: 3 })
    // Not equal by construction: the reference's RGB luma is 0.299v + 0.587v + 0.114v in
    // floats, which is not always exactly v. Close, though.
    expect(hammingDistance(fromGrey.hash, fromRgb.hash)).toBeLessThanOrEqual(4)
    expect(Math.abs(fromGrey.quality - fromRgb.quality)).toBeLessThanOrEqual(1)
  })
})

describe('several regions of one frame at once (hashRegions)', () => {
  // Regions that share columns (their first row pass is computed once), overlap, touch the
  // edges, are 64×64 (used as they are) or under 5 pixels (zero hash), on every fixture.
  const regionsOf = (w: number, h: number): PdqRegion[] => {
    const box = (x: number, y: number, width: number, height: number): PdqRegion[] =>
      x >= 0 && y >= 0 && width >= 1 && height >= 1 && x + width <= w && y + height <= h ? [{ x, y, width, height }] : []
    return [
      ...box(0, 0, w, h),
      ...box(Math.round(w * 0.05), Math.round(h * 0.05), Math.round(w * 0.9), Math.round(h * 0.9)),
      ...box(0, 0, w, Math.round(h * 0.8)),
      ...box(0, h - Math.round(h * 0.8), w, Math.round(h * 0.8)),
      ...box(1, 2, w - 3, Math.floor(h / 2)),
      ...box(1, Math.floor(h / 3), w - 3, h - Math.floor(h / 3)),
      ...box(w - 64, h - 64, 64, 64),
      ...box(w - 64, 0, 64, h),
      ...box(0, 0, 4, h),
      ...box(0, 0, 4, 3),
    ]
  }

  it.each(vectors.map((v) => [v.name] as const))('%s: each region hashes bit for bit as hash() of its view', (name) => {
    const img = image(name)
    const frame = { data: img.rgb, width: img.width, height: img.height, channels: 3 as const }
    const regions = regionsOf(img.width, img.height)
    const alone = new PdqHasher()
    const expected = regions.map((r) => alone.hash(regionView(frame, r)))
    const got = new PdqHasher().hashRegions(frame, regions)
    expect(got.map((h) => [h.hex, h.quality])).toEqual(expected.map((h) => [h.hex, h.quality]))
    // The whole frame among them is the reference's hash.
    const v = vectors.find((x) => x.name === name)!
    expect(got[0]!.hex).toBe(v.hex)
  })

  it('reads RGBA with padded rows and grey alike, and one hasher serves frames of different sizes in turn', () => {
    const hasher = new PdqHasher()
    for (const name of ['demo-8222-t3', 'pattern-257x129', 'grey-320x240', 'mandelbrot-63x47', 'smptebars-1280x720', 'demo-9241-t3']) {
      const img = image(name)
      const stride = img.width * 4 + 12
      const padded = new Uint8Array(stride * img.height).fill(0xee)
      const packed = rgba(img, () => 255)
      for (let y = 0; y < img.height; y++) padded.set(packed.subarray(y * img.width * 4, (y + 1) * img.width * 4), y * stride)
      const frame = { data: padded, width: img.width, height: img.height, channels: 4 as const, rowStride: stride }
      const grey = { data: Uint8Array.from({ length: img.width * img.height }, (_, i) => img.rgb[i * 3 + 1]!), width: img.width, height: img.height, channels: 1 as const }
      for (const f of [frame, grey]) {
        const regions = regionsOf(img.width, img.height)
        expect(hasher.hashRegions(f, regions).map((h) => h.hex), name).toEqual(regions.map((r) => new PdqHasher().hash(regionView(f, r)).hex))
      }
    }
  })

  it('refuses a region outside the frame, naming it, and hashes nothing', () => {
    const img = image('demo-8222-t3')
    const frame = { data: img.rgb, width: img.width, height: img.height, channels: 3 as const }
    const hasher = new PdqHasher()
    expect(() => hasher.hashRegions(frame, [{ x: 0, y: 0, width: 640, height: 360 }, { x: 600, y: 0, width: 50, height: 10 }])).toThrow(
      /box \{"x":600,"y":0,"width":50,"height":10\} is not inside the 640×360 frame/,
    )
    expect(() => hasher.hashRegions(frame, [{ x: 0, y: 0, width: 10.5, height: 10 }])).toThrow(/is not inside the 640×360 frame/)
    expect(hasher.hashRegions(frame, [])).toEqual([])
  })
})

describe('PDQ refuses bad input with a clear error', () => {
  const ok = new Uint8Array(10 * 10 * 4)
  it.each([
    ['zero width', { data: ok, width: 0, height: 10 }, /size must be positive integers, got 0×10/],
    ['negative height', { data: ok, width: 10, height: -1 }, /size must be positive integers/],
    ['fractional size', { data: ok, width: 10.5, height: 10 }, /size must be positive integers/],
    ['NaN size', { data: ok, width: Number.NaN, height: 10 }, /size must be positive integers/],
    ['buffer too short', { data: new Uint8Array(10 * 10 * 4 - 1), width: 10, height: 10 }, /buffer too short: 10×10×4 needs 400 bytes, got 399/],
    ['RGB buffer too short', { data: new Uint8Array(10), width: 10, height: 10, channels: 3 as const }, /needs 300 bytes, got 10/],
    ['bad channel count', { data: ok, width: 10, height: 10, channels: 2 as unknown as 3 }, /channels must be 1, 3 or 4, got 2/],
    ['row stride shorter than a row', { data: ok, width: 10, height: 10, rowStride: 39 }, /row stride 39 is shorter than a row of 10 pixels × 4 bytes/],
    ['not bytes', { data: new Float32Array(400) as unknown as Uint8Array, width: 10, height: 10 }, /must be a Uint8Array or Uint8ClampedArray/],
    ['absurdly large', { data: ok, width: 100_000, height: 100_000 }, /larger than the 67108864-pixel limit/],
  ])('%s', (_what, pixels, message) => {
    expect(() => pdqHash(pixels)).toThrow(message)
  })
})
