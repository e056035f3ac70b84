import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { FrameVariantHasher } from '../../../shared/pdq/frame-variants'
import { HASH256_WORDS } from '../../../shared/pdq/hash256'
import type { VideoFrames } from '../video-match'

/**
 * The transformed corpus of issue 14, made by ffmpeg from the demo pack's videos: the
 * changes mirror accounts make when they re-stream footage. Each must still match its
 * original; the demo's distinct videos must not match each other.
 *
 * Frames are decoded here by ffmpeg (one a second, as the renderer samples them) into RGB:
 * the hash and the matching are what is tested; Chromium's decoding is the e2e spec's.
 */

export function ffmpegAvailable(): boolean {
  return spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0
}

export interface Variant {
  name: string
  /** ffmpeg arguments between the input and the output file. */
  args: string[]
}

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'

export const VARIANTS: readonly Variant[] = [
  { name: 're-encoded at a low bitrate', args: ['-c:v', 'libvpx-vp9', '-b:v', '60k', '-deadline', 'realtime', '-cpu-used', '8'] },
  { name: 'scaled to half size', args: ['-vf', 'scale=iw/2:ih/2'] },
  { name: 'cropped by 10 %', args: ['-vf', 'crop=iw*0.9:ih*0.9'] },
  {
    name: 'a text overlay',
    args: ['-vf', `drawtext=fontfile=${FONT}:text='@mirror_akun_77 LIVE':x=20:y=h-60:fontsize=28:fontcolor=white:box=1:boxcolor=black@0.6`],
  },
  { name: 'a logo in the corner', args: ['-vf', 'drawbox=x=iw-110:y=10:w=100:h=50:color=red@0.9:t=fill'] },
  { name: 'black bars (letterboxed)', args: ['-vf', 'scale=iw:ih*0.75,pad=iw:ih/0.75:0:(oh-ih)/2:black'] },
  { name: 'trimmed at the start', args: ['-ss', '1.5'] },
]

/**
 * Writes `src` changed by `variant` to `dir`; returns the new file's path. With `reuse`, a
 * file already there is kept (a bench's corpus cached between runs).
 */
export function makeVariant(src: string, variant: Variant, dir: string, index: number, reuse = false): string {
  const ownCodec = variant.args.includes('-c:v')
  const out = path.join(dir, `${path.basename(src, path.extname(src))}-v${index}.${ownCodec ? 'webm' : 'mp4'}`)
  if (reuse && existsSync(out)) return out
  // H.264 at its fastest for the other changes: what a mirror account's app uploads, and quick to make.
  const codec = ownCodec ? [] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-pix_fmt', 'yuv420p']
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', src, '-an', ...variant.args, ...codec, out], { stdio: 'pipe' })
  return out
}

export interface DecodedFrames {
  width: number
  height: number
  /** RGB, 3 bytes a pixel, one frame per second from 0. */
  frames: Uint8Array[]
}

export function decodeFrames(file: string): DecodedFrames {
  const probe = execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file],
    { encoding: 'utf8' },
  ).trim()
  const [width, height] = probe.split('x').map(Number) as [number, number]
  if (!(width > 0 && height > 0)) throw new Error(`ffprobe found no video size in ${file}: ${JSON.stringify(probe)}`)
  // fps=1 with start_time 0 takes the frame at 0, 1 s, 2 s…: the renderer's seeks.
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-vf', 'fps=1:start_time=0:round=down', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
  })
  const size = width * height * 3
  const frames: Uint8Array[] = []
  for (let at = 0; at + size <= raw.length; at += size) frames.push(new Uint8Array(raw.buffer, raw.byteOffset + at, size))
  return { width, height, frames }
}

/** The demo pack's distinct videos (demo-015 is the same file as demo-008: one video), in pack order. */
export function demoVideos(demoDir: string): { id: string; file: string }[] {
  const pack = JSON.parse(readFileSync(path.join(demoDir, 'pack.json'), 'utf8')) as { clips: { id: string; media: { path: string; sha256: string } }[] }
  const video = pack.clips.filter((c) => /\.(webm|mp4)$/.test(c.media.path))
  return [...new Map(video.map((c) => [c.media.sha256, { id: c.id, file: path.join(demoDir, c.media.path) }])).values()]
}

/** Every frame of `decoded` hashed by `hasher` (all of a frame's hashes together), as the matcher takes them. */
export function hashDecoded(decoded: DecodedFrames, hasher: FrameVariantHasher): VideoFrames {
  const { width, height, frames } = decoded
  const k = hasher.hashesPerFrame
  const hashes = new Uint32Array(frames.length * k * HASH256_WORDS)
  const qualities = new Uint8Array(frames.length * k)
  frames.forEach((data, i) => {
    hasher.hash({ data, width, height, channels: 3 }).hashes.forEach((h, j) => {
      hashes.set(h.hash, (i * k + j) * HASH256_WORDS)
      qualities[i * k + j] = h.quality
    })
  })
  return { hashes, qualities, hashesPerFrame: k }
}
