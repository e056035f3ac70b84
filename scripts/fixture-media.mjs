/**
 * What the fixture scripts (make-webm-fixtures.mjs, make-mp4-fixtures.mjs) share: one
 * ffmpeg run of the test picture with sound, and what ffprobe says of the file's video
 * packets in file (decode) order — presentation times, sizes, key flags — and its duration.
 */
import { execFileSync } from 'node:child_process'

/** Writes `out`: `seconds` of ffmpeg's test picture (160×90, 15 frames/s) and a tone, `args` saying how to encode and mux them. */
export function makeTestClip(out, seconds, args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=160x90:rate=15:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, ...args, out])
}

/** The file's video packets and duration as ffprobe reads them. */
export function probeVideo(file) {
  const packets = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,size,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split(','))
    .map(([pts, size, flags]) => ({ timestampUs: Math.round(Number(pts) * 1e6), size: Number(size), key: flags.startsWith('K') }))
  const durationMs = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim()) * 1000
  return { durationMs, packets }
}
