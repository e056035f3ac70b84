/** The ≥ 1 GiB H.264 video bench:encrypted-media seeks in: made with ffmpeg, kept under os.tmpdir() between runs only with BENCH_KEEP=1. */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { hashFile } from '../src/core/sync/media-download'

export interface SeekVideo {
  file: string
  sha256: string
  bytes: number
  durationS: number
  /** Frames a second; a keyframe every `gopS` seconds. */
  fps: number
  gopS: number
  /** Seconds spent making it (0 when a kept one was reused). */
  madeS: number
  reused: boolean
}

export interface SeekVideoParams {
  /** Smallest size the joined file may have, in MiB. */
  minMb: number
  segmentS: number
  bitrateMbps: number
}

const WIDTH = 1280
const HEIGHT = 720
const FPS = 30
const GOP_S = 2

function ffprobe(file: string, entries: string): string[] {
  return execFileSync('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim().split('\n')
}

/** Where a video made with `params` lives, so a kept one is found again and a changed parameter makes a new one. */
export function seekVideoPath(params: SeekVideoParams): string {
  return path.join(os.tmpdir(), `tinjau-bench-seek-video-${WIDTH}x${HEIGHT}-${FPS}fps-gop${GOP_S}-${params.segmentS}s-${params.bitrateMbps}M-${params.minMb}MiB.mp4`)
}

/**
 * One segment of testsrc2 under per-frame noise (so the encoder cannot shrink it: the
 * size is the bitrate's), H.264 ultrafast, a keyframe every GOP_S seconds exactly; then
 * copies of it joined by the concat demuxer with stream copy (its timestamps continue
 * across the joins), moov first (+faststart) as a player that reads by Range needs.
 * ffprobe must then see one video stream lasting copies × segment.
 */
export async function makeSeekVideo(params: SeekVideoParams): Promise<SeekVideo> {
  const file = seekVideoPath(params)
  const t0 = performance.now()
  const reused = existsSync(file)
  if (!reused) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'tinjau-bench-seek-make-'))
    try {
      const segment = path.join(work, 'segment.mp4')
      const rate = `${params.bitrateMbps}M`
      execFileSync('ffmpeg', [
        '-v', 'error', '-y',
        '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS},noise=alls=30:allf=t+u`,
        '-t', String(params.segmentS),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
        '-b:v', rate, '-maxrate', rate, '-bufsize', `${params.bitrateMbps * 2}M`,
        '-g', String(FPS * GOP_S), '-keyint_min', String(FPS * GOP_S), '-sc_threshold', '0',
        segment,
      ])
      const copies = Math.ceil((params.minMb * 1024 * 1024) / statSync(segment).size)
      const list = path.join(work, 'list.txt')
      writeFileSync(list, Array.from({ length: copies }, () => `file '${segment}'`).join('\n'))
      const joined = path.join(work, 'joined.mp4')
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', joined])
      const streams = ffprobe(joined, 'stream=codec_type,codec_name')
      const duration = Number(ffprobe(joined, 'format=duration')[0])
      const expected = copies * params.segmentS
      if (streams.length !== 1 || streams[0] !== 'h264,video') throw new Error(`${joined}: expected one H.264 video stream, ffprobe says ${JSON.stringify(streams)}`)
      if (Math.abs(duration - expected) > 1) throw new Error(`${joined}: expected ${expected} s (${copies} × ${params.segmentS} s), ffprobe says ${duration} s`)
      renameSync(joined, file)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  const madeS = reused ? 0 : (performance.now() - t0) / 1000
  const bytes = statSync(file).size
  const durationS = Number(ffprobe(file, 'format=duration')[0])
  return { file, sha256: await hashFile(file), bytes, durationS, fps: FPS, gopS: GOP_S, madeS, reused }
}
