import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FrameVariantHasher } from '../../shared/pdq/frame-variants'
import { decodeFrames, demoVideos, ffmpegAvailable, hashDecoded, makeVariant, VARIANTS } from './testing/ffmpeg-corpus'
import { VideoMatchIndex, type VideoFrames } from './video-match'

/**
 * Issue 14's corpus: the demo pack's videos changed the ways mirror accounts change
 * re-streamed footage, each of which must still match its original, while the demo's
 * distinct videos must not match each other (demo-015 is the same file as demo-008, a
 * "Re-live", and is one video here). Frames are hashed as the renderer hashes them: bars
 * trimmed, the picture whole and three crops (src/shared/pdq/frame-variants.ts).
 * `npm run bench:known-content` runs every video through every change and prints recall;
 * this test takes four originals through all of them (28 ffmpeg encodes).
 */

const videos = demoVideos(path.resolve('resources/demo'))
const hasher = new FrameVariantHasher()
const hashVideo = (file: string): VideoFrames => hashDecoded(decodeFrames(file), hasher)

let dir = ''
const originals = new VideoMatchIndex()
const originalFrames: VideoFrames[] = []
beforeAll(() => {
  if (!ffmpegAvailable()) throw new Error('these tests make their corpus with ffmpeg: apt-get install -y ffmpeg')
  dir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-corpus-'))
  for (const v of videos) originalFrames.push(hashVideo(v.file))
  originals.addVideos(originalFrames.map((frames, i) => ({ video: i, frames })))
}, 120_000)
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('known content in the transformed demo corpus', () => {
  test('the demo’s 16 distinct videos do not match each other', () => {
    expect(videos).toHaveLength(16)
    expect(originals.hashCount).toBe(originals.frameCount * 4)
    videos.forEach((v, i) => {
      const found = originals.match(originalFrames[i]!).map((m) => videos[m.video]!.id)
      expect(found, `${v.id} matches`).toEqual([v.id])
    })
  })

  // Four originals of different looks: a shop, a news report, a protest, a night stream.
  for (const id of ['demo-001', 'demo-006', 'demo-007', 'demo-014']) {
    test(`every change of ${id} still matches it, and only it`, () => {
      const i = videos.findIndex((v) => v.id === id)
      expect(i).toBeGreaterThanOrEqual(0)
      for (const [n, variant] of VARIANTS.entries()) {
        const copy = hashVideo(makeVariant(videos[i]!.file, variant, dir, n))
        const found = originals.match(copy)
        expect(
          found.map((m) => videos[m.video]!.id),
          `${id} ${variant.name}: ${JSON.stringify(originals.compare(copy).slice(0, 2))}`,
        ).toEqual([id])
      }
    }, 120_000)
  }
})
