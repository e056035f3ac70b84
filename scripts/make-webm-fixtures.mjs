#!/usr/bin/env node
/**
 * The WebM fixtures of src/renderer/hashing/webm-demux.test.ts: short test pictures with
 * sound, as a stream recording has (15 frames/s, a keyframe every 2 s), encoded by ffmpeg
 * to VP9, VP8 and AV1, and what ffprobe says of each file's video packets (their times,
 * sizes and key flags) beside them as JSON: the demuxer must agree frame by frame.
 *
 *   node scripts/make-webm-fixtures.mjs
 *
 * The files are committed (a few kB each): the renderer's tests run without Node built-ins.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeTestClip, probeVideo } from './fixture-media.mjs'

const DIR = path.resolve(import.meta.dirname, '..', 'src', 'renderer', 'hashing', 'fixtures')
const FAST_VP9 = ['-c:v', 'libvpx-vp9', '-b:v', '150k', '-deadline', 'realtime', '-cpu-used', '8']
const FIXTURES = {
  'vp9.webm': { seconds: 4, video: FAST_VP9 },
  'vp8.webm': { seconds: 4, video: ['-c:v', 'libvpx', '-b:v', '150k'] },
  'av1.webm': { seconds: 2, video: ['-c:v', 'libaom-av1', '-cpu-used', '8', '-b:v', '150k'] },
  'vp9-bt709.webm': { seconds: 2, video: [...FAST_VP9, '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'] },
}

const probe = {}
for (const [name, { seconds, video }] of Object.entries(FIXTURES)) {
  const out = path.join(DIR, name)
  makeTestClip(out, seconds, [...video, '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'libopus', '-b:a', '16k'])
  probe[name] = probeVideo(out)
}
writeFileSync(path.join(DIR, 'ffprobe.json'), JSON.stringify(probe, null, 1) + '\n')
console.log(`wrote ${Object.keys(FIXTURES).join(', ')} and ffprobe.json to ${DIR}`)
