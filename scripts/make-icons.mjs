#!/usr/bin/env node
// Draws Tinjau's application icon, resources/icons/icon.png (1024×1024 RGBA), which
// electron-builder turns into the .ico (Windows), .icns (macOS) and the Linux icon set.
// Drawn from shapes in code, so the picture is reproducible and reviewable here: the same
// script always writes the same bytes. Node built-ins only.
//
//   node scripts/make-icons.mjs
//
// The motif: an eye ("tinjau" is to look closely, to review) on a deep teal tile, the
// pupil a play triangle, for the clips a reviewer watches.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SIZE = 1024
// macOS wants 1024 for its largest (Retina) size; Windows' .ico needs at least 256.
const SAMPLES = 4 // per axis: 16 samples a pixel smooth the edges

const TILE = [15, 76, 92]
const EYE = [246, 241, 231]
const IRIS = [227, 100, 20]
const PUPIL = [23, 32, 42]

// Signed distances in units of the icon's width (0..1), negative inside.
function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - 0.5) - half + radius
  const qy = Math.abs(y - 0.5) - half + radius
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r
// The almond of the eye: where two large circles, one above and one below, overlap.
function almond(x, y) {
  const r = 0.42
  const offset = 0.27
  return Math.max(circle(x, y, 0.5, 0.5 - offset, r), circle(x, y, 0.5, 0.5 + offset, r))
}
// A play triangle pointing right, centred a little right of the pupil's centre.
function triangle(x, y) {
  const cx = 0.508
  const cy = 0.5
  const s = 0.075
  const px = x - cx
  const py = Math.abs(y - cy)
  // Three half-planes: the left edge and the two slanted edges.
  const left = -(px + s * 0.6)
  const slant = (px - s) * 0.5 + py * 0.866
  return Math.max(left, slant)
}

/** The colour of one sample point: the topmost shape that holds it wins. */
function colourAt(x, y) {
  if (roundedSquare(x, y, 0.44, 0.1) > 0) return null
  if (triangle(x, y) <= 0) return EYE
  if (circle(x, y, 0.5, 0.5, 0.085) <= 0) return PUPIL
  if (circle(x, y, 0.5, 0.5, 0.15) <= 0) return IRIS
  if (almond(x, y) <= 0) return EYE
  return TILE
}

function render() {
  const stride = SIZE * 4 + 1
  const raw = Buffer.alloc(stride * SIZE)
  const n = SAMPLES * SAMPLES
  for (let py = 0; py < SIZE; py++) {
    raw[py * stride] = 0 // PNG filter type: none
    for (let px = 0; px < SIZE; px++) {
      let r = 0
      let g = 0
      let b = 0
      let covered = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt((px + (sx + 0.5) / SAMPLES) / SIZE, (py + (sy + 0.5) / SAMPLES) / SIZE)
          if (!c) continue
          r += c[0]
          g += c[1]
          b += c[2]
          covered++
        }
      }
      const o = py * stride + 1 + px * 4
      if (covered > 0) {
        raw[o] = Math.round(r / covered)
        raw[o + 1] = Math.round(g / covered)
        raw[o + 2] = Math.round(b / covered)
      }
      raw[o + 3] = Math.round((255 * covered) / n)
    }
  }
  return raw
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(raw) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header[8] = 8 // bits per channel
  header[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const out = path.join(root, 'resources', 'icons', 'icon.png')
mkdirSync(path.dirname(out), { recursive: true })
writeFileSync(out, png(render()))
console.log(`make-icons: wrote ${path.relative(root, out)} (${SIZE}×${SIZE})`)
