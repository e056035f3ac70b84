import { describe, expect, test } from 'vitest'
import { chooseFrames, chooseFramesInDecodeOrder, decodePlan, sampleTimes } from './frame-plan'
import probed from './fixtures/ffprobe-mp4.json'
import { demuxMp4Video, Mp4Error, MP4_LIMITS } from './mp4-demux'
import { decoderColourSpace } from './webcodecs-frames'
import { fixture, probedFile } from './testing/media-fixtures'

/**
 * Fixtures made by ffmpeg (scripts/make-mp4-fixtures.mjs: test pictures with AAC sound,
 * 15 frames/s, a keyframe every 2 s, H.264 in MP4) and what ffprobe says of their video packets.
 */
const probe = (name: string) => probedFile(probed, name)

/** Where each box is: its path (`moov/trak/mdia/…`, the first of each name) → its byte offset. */
function boxOffsets(b: Uint8Array, start = 0, end = b.length, prefix = '', out = new Map<string, number>()): Map<string, number> {
  const view = new DataView(b.buffer, b.byteOffset)
  let pos = start
  while (pos + 8 <= end) {
    const size = view.getUint32(pos)
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8))
    const path = prefix + type
    if (!out.has(path)) out.set(path, pos)
    if (['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts'].includes(type)) boxOffsets(b, pos + 8, pos + size, `${path}/`, out)
    if (type === 'stsd') boxOffsets(b, pos + 16, pos + size, `${path}/`, out)
    pos += size
  }
  return out
}
const STBL = 'moov/trak/mdia/minf/stbl'

/** A copy of a fixture with a 32-bit field of the box at `path` set (offset from the box's start). */
function patched(name: string, path: string, offset: number, value: number): Uint8Array {
  const b = fixture(name).slice()
  const at = boxOffsets(b).get(path)
  if (at === undefined) throw new Error(`no ${path} in ${name}`)
  new DataView(b.buffer).setUint32(at + offset, value)
  return b
}
function retyped(name: string, path: string, type: string): Uint8Array {
  const b = fixture(name).slice()
  const at = boxOffsets(b).get(path)
  if (at === undefined) throw new Error(`no ${path} in ${name}`)
  b.set(new TextEncoder().encode(type), at + 4)
  return b
}

describe('demuxMp4Video on files ffmpeg wrote', () => {
  for (const name of ['h264-baseline.mp4', 'h264-high.mp4', 'h264-bt709.mp4']) {
    test(`${name}: every video sample in decode order, its presentation time (edit list applied), size and key flag as ffprobe sees them; audio left out`, () => {
      const bytes = fixture(name)
      const v = demuxMp4Video(bytes)
      const p = probe(name)
      expect(v).toMatchObject({ width: 160, height: 90 })
      expect(v.frames.map(({ timestampUs, size, key }) => ({ timestampUs, size, key }))).toEqual(p.packets)
      expect(v.durationMs).toBeCloseTo(p.durationMs, 0)
      for (const f of v.frames) expect(f.offset + f.size).toBeLessThanOrEqual(bytes.length)
      // avcC's body: configurationVersion 1, then profile, compatibility and level, as the codec string says.
      expect(v.description[0]).toBe(1)
      expect(v.codec).toBe(`avc1.${[...v.description.subarray(1, 4)].map((x) => x.toString(16).padStart(2, '0')).join('')}`)
    })
  }

  test('the profiles: Constrained Baseline without B-frames (times in order), High with them (out of order)', () => {
    const baseline = demuxMp4Video(fixture('h264-baseline.mp4'))
    expect(baseline.codec).toMatch(/^avc1\.42/)
    expect(baseline.frames.every((f, i, all) => i === 0 || f.timestampUs > all[i - 1]!.timestampUs)).toBe(true)
    const high = demuxMp4Video(fixture('h264-high.mp4'))
    expect(high.codec).toMatch(/^avc1\.6400/)
    // I P B B …: the P frame shown three frames after the I frame is decoded before the B frames between them.
    expect(high.frames.slice(0, 4).map((f) => f.timestampUs)).toEqual([0, 266_667, 133_333, 66_667])
  })

  test("the colr box is read; without one, nothing stated", () => {
    expect(demuxMp4Video(fixture('h264-bt709.mp4')).colour).toEqual({ matrix: 1, transfer: 1, primaries: 1, range: 1 })
    expect(demuxMp4Video(fixture('h264-high.mp4')).colour).toBeNull()
    expect(decoderColourSpace({ matrix: 1, transfer: 1, primaries: 1, range: 1 })).toEqual({ matrix: 'bt709', transfer: 'bt709', primaries: 'bt709', fullRange: false })
  })

  test('B-frames without an edit list (the first frame shown at 133 ms) are left to the element, which shifts its time 0 to that frame', () => {
    expect(probe('h264-high-no-editlist.mp4').packets[0]!.timestampUs).toBe(133_333)
    expect(() => demuxMp4Video(fixture('h264-high-no-editlist.mp4'))).toThrow(/^the first frame of the video track \(trak at byte \d+\) is shown at 133333 µs, not 0: a shifted start is left to the element$/)
  })
})

describe('with B-frames, the frames chosen are the ones the element shows, and each is decoded from its own keyframe run', () => {
  test('for each second, the last frame shown at or before it, whatever its place in decode order', () => {
    const v = demuxMp4Video(fixture('h264-high.mp4'))
    const times = sampleTimes(v.durationMs)
    expect(times).toEqual([0, 1000, 2000, 3000])
    const chosen = chooseFramesInDecodeOrder(v.frames, times)
    // 15 frames a second from 0: at each second the frame at exactly that second.
    expect(chosen.map((i) => v.frames[i]!.timestampUs)).toEqual([0, 1_000_000, 2_000_000, 3_000_000])
    // The same as choosing among the frames sorted by presentation time.
    const shown = [...v.frames].sort((a, b) => a.timestampUs - b.timestampUs)
    expect(chosen.map((i) => v.frames[i])).toEqual(chooseFrames(shown, times).map((k) => shown[k]))
    // Not the same as taking the decode order for the presentation order.
    expect(chooseFrames(v.frames, times)).not.toEqual(chosen)
  })

  test('the decode plan feeds, for every chosen frame, its keyframe and every sample after it in decode order up to it', () => {
    const v = demuxMp4Video(fixture('h264-high.mp4'))
    const chosen = chooseFramesInDecodeOrder(v.frames, [0, 500, 1000, 1500, 2000, 2500, 3000, 3500])
    for (const order of ['sequential', 'seek'] as const) {
      const steps = decodePlan(v.frames, chosen, order)
      for (const w of chosen) {
        let key = w
        while (!v.frames[key]!.key) key--
        // The steps up to the chosen frame's flush or the end, from its keyframe's last feeding.
        const end = steps.findIndex((s, i) => s.index === w && (order === 'sequential' || s.flush) && i >= 0)
        let k = end
        while (k > 0 && steps[k]!.index !== key) k--
        expect(steps.slice(k, end + 1).map((s) => s.index)).toEqual(Array.from({ length: w - key + 1 }, (_, i) => key + i))
      }
      expect(steps[steps.length - 1]!.flush).toBe(true)
    }
  })
})

describe('hostile input: an Mp4Error naming what and where, never a hang', () => {
  const base = 'h264-high.mp4'
  // The sound track's handler type: 'soun', 8 bytes into its hdlr box's payload.
  const soundAsVideo = () => {
    const b = fixture(base).slice()
    const text = new TextDecoder('latin1').decode(b)
    const at = text.indexOf('soun', text.indexOf('hdlr', text.indexOf('moov')))
    expect(text.slice(at - 12, at - 8)).toBe('hdlr')
    b.set(new TextEncoder().encode('vide'), at)
    return b
  }
  const refused: [string, () => Uint8Array, RegExp][] = [
    ['nothing', () => new Uint8Array(0), /^not an MP4 file: no ftyp box at byte 0$/],
    ['a WebM file', () => fixture('vp9.webm'), /^not an MP4 file: no ftyp box at byte 0$/],
    ['truncated in the media data', () => fixture(base).subarray(0, 20_000), /^box mdat at byte 40 says \d+ bytes, more than the \d+ left in the file$/],
    ['truncated in the moov (moov first)', () => fixture('h264-baseline.mp4').subarray(0, 1500), /^box moov at byte \d+ says \d+ bytes, more than the \d+ left in the file$/],
    ['a box smaller than its header', () => patched(base, 'moov/trak', 0, 4), /^box trak at byte \d+ says 4 bytes, less than its header$/],
    ['a box larger than its parent', () => patched(base, 'moov/trak/mdia', 0, 0x7fff0000), /^box mdia at byte \d+ says \d+ bytes, more than the \d+ left in trak at byte \d+$/],
    ['no moov', () => retyped(base, 'moov', 'skip'), /^no moov box$/],
    ['a fragmented file (moof)', () => retyped(base, 'free', 'moof'), /^a fragmented MP4 \(moof at byte 32\) is not read here$/],
    ['4 billion samples of one size', () => {
      const b = patched(base, `${STBL}/stsz`, 12, 1)
      new DataView(b.buffer).setUint32(boxOffsets(b).get(`${STBL}/stsz`)! + 16, 0xffffffff)
      return b
    }, new RegExp(`^stsz at byte \\d+ says 4294967295 samples, more than the ${MP4_LIMITS.maxSamples} allowed$`)],
    ['more samples of one size than the file holds', () => {
      const b = patched(base, `${STBL}/stsz`, 12, 1000)
      new DataView(b.buffer).setUint32(boxOffsets(b).get(`${STBL}/stsz`)! + 16, 100_000)
      return b
    }, /^stsz at byte \d+ says 100000 samples of 1000 bytes, more than the file's \d+ bytes$/],
    ['more sample sizes than the stsz holds', () => patched(base, `${STBL}/stsz`, 16, 1000), /^stsz at byte \d+ says 1000 samples, more than its \d+ bytes hold$/],
    ['more time entries than the stts holds', () => patched(base, `${STBL}/stts`, 12, 0x10000000), /^stts at byte \d+ says 268435456 entries, more than its \d+ bytes hold$/],
    ['more chunk offsets than the stco holds', () => patched(base, `${STBL}/stco`, 12, 1_000_000), /^stco at byte \d+ says 1000000 entries, more than its \d+ bytes hold$/],
    ['a chunk past the end of the file', () => patched(base, `${STBL}/stco`, 16, 0x7fffff00), /^sample 1 of the video track \(trak at byte \d+\) is at bytes \d+–\d+, past the file's \d+ bytes$/],
    ['a first sample that is not a keyframe', () => patched(base, `${STBL}/stss`, 16, 2), /^the first sample of the video track \(trak at byte \d+\) is not a keyframe$/],
    ['another codec', () => retyped(base, `${STBL}/stsd/avc1`, 'hvc1'), /^the video track \(trak at byte \d+\) is hvc1; only H\.264 \(avc1\) is decoded here$/],
    ['two video tracks (the sound track\'s handler made "vide")', () => soundAsVideo(), /^2 video tracks \(one is read here\)$/],
    ['an edit list starting later (a cut by stream copy)', () => patched(base, 'moov/trak/edts/elst', 20, 4096), /^sample 1 of the video track \(trak at byte \d+\) is shown before the edit list's start \(2048 < 4096\): a trimmed start is left to the element$/],
    ['an empty edit (a delayed start)', () => patched(base, 'moov/trak/edts/elst', 20, 0xffffffff), /^the edit list of the video track \(trak at byte \d+\) starts at media time -1 \(an empty edit\)$/],
    ['an edit at double speed', () => patched(base, 'moov/trak/edts/elst', 24, 0x00020000), /^the edit list of the video track \(trak at byte \d+\) plays at rate 2\.0$/],
    ['an edit list ending early', () => patched(base, 'moov/trak/edts/elst', 16, 1000), /^sample \d+ of the video track \(trak at byte \d+\) is shown after the edit list's end: a trimmed end is left to the element$/],
    ['a rotated picture', () => patched(base, 'moov/trak/tkhd', 52, 0x10000), /^the video track \(trak at byte \d+\) is rotated or transformed \(tkhd matrix\), left to the element$/],
    ['a huge picture', () => patched(base, `${STBL}/stsd/avc1`, 32, 0xffff0010), /^the video track \(trak at byte \d+\) is 65535×16 \(1 to 8192 a side\)$|^the moov could not be read/],
  ]
  for (const [what, make, message] of refused) {
    test(what, () => {
      let err: unknown
      try {
        demuxMp4Video(make())
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(Mp4Error)
      expect((err as Error).message).toMatch(message)
    })
  }

  test('random damage to a real file: parsed or refused with an Mp4Error, nothing else', () => {
    for (const name of ['h264-high.mp4', 'h264-baseline.mp4']) {
      const good = fixture(name)
      const moov = boxOffsets(good).get('moov')!
      let seed = 14
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
      let refusedCount = 0
      for (let round = 0; round < 300; round++) {
        const bytes = good.slice(0, round % 3 === 0 ? Math.floor(rand() * good.length) : good.length)
        // Damage the moov most: its sizes, counts and tables send a parser astray.
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
          const at = rand() < 0.8 ? moov + Math.floor(rand() * (good.length - moov > 4000 ? 4000 : good.length - moov)) : Math.floor(rand() * bytes.length)
          if (at < bytes.length) bytes[at] = Math.floor(rand() * 256)
        }
        try {
          const v = demuxMp4Video(bytes)
          for (const f of v.frames) expect(f.offset + f.size).toBeLessThanOrEqual(bytes.length)
        } catch (e) {
          expect(e).toBeInstanceOf(Mp4Error)
          refusedCount++
        }
      }
      expect(refusedCount).toBeGreaterThan(0)
    }
  })
})
