#!/usr/bin/env node
/**
 * The MP4 fixtures of src/renderer/hashing/mp4-demux.test.ts: short test pictures with
 * sound, as a stream recording has (15 frames/s, a keyframe every 2 s), encoded by ffmpeg
 * to H.264 in MP4 — Baseline (no B-frames, moov first), High (B-frames, so an edit list
 * shifting the start), High without that edit list, BT.709 stated — and what ffprobe says
 * of each file's video packets, in file (decode) order, beside them as JSON: their
 * presentation times (edit list applied), sizes and key flags.
 *
 *   node scripts/make-mp4-fixtures.mjs
 *
 * The files are committed (a few kB each): the renderer's tests run without Node built-ins.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeTestClip, probeVideo } from './fixture-media.mjs'

const DIR = path.resolve(import.meta.dirname, '..', 'src', 'renderer', 'hashing', 'fixtures')
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '60k', '-pix_fmt', 'yuv420p', '-g', '30']
const FIXTURES = {
  'h264-baseline.mp4': { seconds: 4, video: [...X264, '-profile:v', 'baseline'], mux: ['-movflags', '+faststart'] },
  'h264-high.mp4': { seconds: 4, video: [...X264, '-profile:v', 'high'], mux: [] },
  'h264-high-no-editlist.mp4': { seconds: 2, video: [...X264, '-profile:v', 'high'], mux: ['-use_editlist', '0'] },
  'h264-bt709.mp4': { seconds: 2, video: [...X264, '-profile:v', 'high', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'], mux: [] },
}

const probe = {}
for (const [name, { seconds, video, mux }] of Object.entries(FIXTURES)) {
  const out = path.join(DIR, name)
  makeTestClip(out, seconds, [...video, '-c:a', 'aac', '-b:a', '16k', ...mux])
  probe[name] = probeVideo(out)
}
writeFileSync(path.join(DIR, 'ffprobe-mp4.json'), JSON.stringify(probe, null, 1) + '\n')
console.log(`wrote ${Object.keys(FIXTURES).join(', ')} and ffprobe-mp4.json to ${DIR}`)
