/**
 * Just enough PNG for the PDQ fixtures (tests only): 8-bit grey, RGB or RGBA, not
 * interlaced, decoded with web-standard APIs only (atob, DecompressionStream), so the test
 * runs wherever shared code runs. Returns RGB, the layout the reference oracle was fed.
 */

export interface RgbImage {
  width: number
  height: number
  /** width × height × 3 bytes, row-major. */
  rgb: Uint8Array
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

export function bytesFromDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',')
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) throw new Error('not a base64 data URL')
  const text = atob(url.slice(comma + 1))
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

export async function decodePng(png: Uint8Array): Promise<RgbImage> {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  let width = 0
  let height = 0
  let colorType = -1
  const idat: Uint8Array[] = []
  for (let p = 8; p + 8 <= png.length; ) {
    const length = view.getUint32(p)
    const type = String.fromCharCode(png[p + 4]!, png[p + 5]!, png[p + 6]!, png[p + 7]!)
    const body = png.subarray(p + 8, p + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(p + 8)
      height = view.getUint32(p + 12)
      const bitDepth = body[8]
      colorType = body[9]!
      const interlace = body[12]
      if (bitDepth !== 8 || interlace !== 0 || ![0, 2, 6].includes(colorType)) {
        throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`)
      }
    } else if (type === 'IDAT') {
      idat.push(body)
    } else if (type === 'IEND') {
      break
    }
    p += 12 + length
  }
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of idat) {
    joined.set(c, at)
    at += c.length
  }
  const raw = await inflate(joined)
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 1
  const stride = width * bpp
  if (raw.length < height * (stride + 1)) throw new Error('PNG data too short')
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const src = y * (stride + 1) + 1
    const row = y * stride
    const prev = row - stride
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!
      const a = x >= bpp ? pixels[row + x - bpp]! : 0
      const b = y > 0 ? pixels[prev + x]! : 0
      const c = x >= bpp && y > 0 ? pixels[prev + x - bpp]! : 0
      let predicted: number
      switch (filter) {
        case 0: predicted = 0; break
        case 1: predicted = a; break
        case 2: predicted = b; break
        case 3: predicted = (a + b) >>> 1; break
        case 4: {
          const pa = Math.abs(b - c)
          const pb = Math.abs(a - c)
          const pc = Math.abs(a + b - 2 * c)
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
          break
        }
        default: throw new Error(`bad PNG filter ${filter}`)
      }
      pixels[row + x] = (v + predicted) & 0xff
    }
  }
  if (bpp === 3) return { width, height, rgb: pixels }
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0, o = 0; i < pixels.length; i += bpp, o += 3) {
    rgb[o] = pixels[i]!
    rgb[o + 1] = pixels[bpp === 1 ? i : i + 1]!
    rgb[o + 2] = pixels[bpp === 1 ? i : i + 2]!
  }
  return { width, height, rgb }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}
