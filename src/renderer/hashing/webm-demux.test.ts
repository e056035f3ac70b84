import { describe, expect, test } from 'vitest'
import { chooseFrames, codecString, decodePlan, sampleTimes } from './frame-plan'
import probed from './fixtures/ffprobe.json'
import { audioTrack, block, el, header, ids, info, raw, str, uint, UNKNOWN_SIZE, videoTrack, webm, idBytes, sizeBytes } from './testing/ebml'
import { demuxWebmVideo, WebmError, WEBM_LIMITS } from './webm-demux'
import { decoderColourSpace } from './webcodecs-frames'
import { fixture, probedFile } from './testing/media-fixtures'

/**
 * Fixtures made by ffmpeg (scripts/make-webm-fixtures.mjs: test pictures with Opus sound,
 * 15 frames/s, a keyframe every 2 s) and what ffprobe says of their video packets.
 */
const probe = (name: string) => probedFile(probed, name)
const made = { vp9: 'vp9.webm', vp8: 'vp8.webm', av1: 'av1.webm', vp9Colour: 'vp9-bt709.webm' }

describe('demuxWebmVideo on files ffmpeg wrote', () => {
  for (const [name, codecId] of [
    ['vp9', 'V_VP9'],
    ['vp8', 'V_VP8'],
    ['av1', 'V_AV1'],
  ] as const) {
    test(`${name}: every video frame, its time, size and key flag as ffprobe sees them; audio left out`, () => {
      const bytes = fixture(made[name])
      const v = demuxWebmVideo(bytes)
      const p = probe(made[name])
      expect(v.track).toMatchObject({ codecId, width: 160, height: 90 })
      expect(v.frames.map(({ timestampUs, size, key }) => ({ timestampUs, size, key }))).toEqual(p.packets)
      expect(v.durationMs).toBeCloseTo(p.durationMs, 0)
      // The bytes handed to the decoder are inside the file and are the frame's (a VP8/VP9 keyframe starts with its marker).
      for (const f of v.frames) expect(f.offset + f.size).toBeLessThanOrEqual(bytes.length)
    })
  }

  test('codec strings for WebCodecs: VP8, VP9 profile 0 from the keyframe, AV1 from its av1C', () => {
    const codec = (file: string) => {
      const bytes = fixture(file)
      const v = demuxWebmVideo(bytes)
      const f = v.frames[0]!
      return codecString(v.track, bytes.subarray(f.offset, f.offset + f.size))
    }
    expect(codec(made.vp8)).toBe('vp8')
    expect(codec(made.vp9)).toBe('vp09.00.10.08')
    expect(codec(made.av1)).toMatch(/^av01\.0\.\d\dM\.08$/)
    expect(codecString({ codecId: 'V_MPEG4/ISO/AVC', codecPrivate: null }, new Uint8Array(4))).toBeNull()
    expect(codecString({ codecId: 'V_VP9', codecPrivate: null }, new Uint8Array([0, 0, 0, 0]))).toBeNull()
  })

  test("the track's Colour element is read", () => {
    const v = demuxWebmVideo(fixture(made.vp9Colour))
    expect(v.track.colour).toMatchObject({ matrix: 1, transfer: 1, primaries: 1, range: 1 })
    // Only the range for plain 4:2:0 from this ffmpeg.
    expect(demuxWebmVideo(fixture(made.vp9)).track.colour).toEqual({ range: 1 })
  })

  test('a truncated file is refused naming the element and its offset', () => {
    const bytes = fixture(made.vp9)
    expect(() => demuxWebmVideo(bytes.subarray(0, Math.floor(bytes.length / 2)))).toThrow(/^Segment at byte \d+ says \d+ bytes, more than the \d+ left in the file$/)
  })
})

describe('the frames chosen are the ones the element shows', () => {
  test('on a file ffmpeg wrote: for each second, the last frame at or before it', () => {
    const v = demuxWebmVideo(fixture(made.vp9))
    const times = sampleTimes(v.durationMs!)
    // 4 s of pictures, the sound a little longer (Opus): the duration is over 4 s, so 4000 ms is sampled too.
    expect(v.durationMs).toBeGreaterThan(4000)
    expect(times).toEqual([0, 1000, 2000, 3000, 4000])
    const chosen = chooseFrames(v.frames, times).map((i) => v.frames[i]!.timestampUs)
    // ffmpeg starts the pictures at 7 ms (the Opus track's pre-skip), 15 a second: at 0 ms the first
    // frame (none is before it); at each second the one 60 ms before; at 4000 ms, past the last, the last.
    expect(v.frames.slice(0, 3).map((f) => f.timestampUs)).toEqual([7_000, 74_000, 140_000])
    expect(chosen).toEqual([7_000, 940_000, 1_940_000, 2_940_000, 3_940_000])
  })

  test('a time before the first frame takes the first; frames further apart than a second are taken again', () => {
    const frames = [7_000, 940_000, 1_007_000, 4_500_000].map((timestampUs) => ({ timestampUs }))
    expect(chooseFrames(frames, [0, 1000, 2000, 3000, 4000, 5000])).toEqual([0, 1, 2, 2, 2, 3])
    // Exactly at a sample time counts as at or before it.
    expect(chooseFrames([{ timestampUs: 0 }, { timestampUs: 1_000_000 }, { timestampUs: 1_000_001 }], [0, 1000])).toEqual([0, 1])
  })

  test('sample times follow the element path: 0, then every second under the duration', () => {
    expect(sampleTimes(3000)).toEqual([0, 1000, 2000])
    expect(sampleTimes(3000.5)).toEqual([0, 1000, 2000, 3000])
    expect(sampleTimes(0)).toEqual([])
  })

  test('decode plans: in file order each keyframe run as far as its last wanted frame; seek by seek from the keyframe each time', () => {
    // Keyframes at 0, 4 and 8; frames wanted 2, 3, 9 (run 4–7 has none).
    const frames = Array.from({ length: 12 }, (_, i) => ({ key: i % 4 === 0 }))
    const seq = decodePlan(frames, [2, 3, 3, 9], 'sequential')
    expect(seq.map((s) => s.index)).toEqual([0, 1, 2, 3, 8, 9])
    expect(seq.filter((s) => s.flush).map((s) => s.index)).toEqual([9])
    const seek = decodePlan(frames, [2, 3, 3, 9], 'seek')
    expect(seek.map((s) => s.index)).toEqual([0, 1, 2, 0, 1, 2, 3, 8, 9])
    expect(seek.filter((s) => s.flush).map((s) => s.index)).toEqual([2, 3, 9])
  })
})

describe('hand-written shapes', () => {
  const frame = [0x9d, 0x01, 0x2a, 0x40]
  test('BlockGroups (key when no ReferenceBlock), clusters of unknown size, other tracks and elements skipped', () => {
    const bytes = raw(
      header(),
      idBytes(ids.Segment),
      UNKNOWN_SIZE,
      info(3000),
      el(ids.Tracks, audioTrack(2), videoTrack(1)),
      idBytes(ids.Cluster),
      UNKNOWN_SIZE,
      uint(ids.Timecode, 0),
      el(ids.SimpleBlock, block(2, 0, 0x80, [1, 2, 3])),
      el(ids.BlockGroup, el(ids.Block, block(1, 0, 0, frame))),
      el(ids.Void, [0, 0]),
      el(ids.BlockGroup, el(ids.Block, block(1, 500, 0, frame)), el(ids.ReferenceBlock, [0x80])),
      idBytes(ids.Cluster),
      UNKNOWN_SIZE,
      uint(ids.Timecode, 1000),
      el(ids.SimpleBlock, block(1, -1, 0x00, frame)),
      el(ids.SimpleBlock, block(1, 1000, 0x80, frame)),
      el(ids.Cues),
    )
    const v = demuxWebmVideo(bytes)
    expect(v.durationMs).toBe(3000)
    expect(v.frames.map((f) => [f.timestampUs, f.key, f.size])).toEqual([
      [0, true, 4],
      [500_000, false, 4],
      [999_000, false, 4],
      [2_000_000, true, 4],
    ])
    expect([...bytes.subarray(v.frames[0]!.offset, v.frames[0]!.offset + 4)]).toEqual(frame)
  })

  test('a TimecodeScale other than 1 ms scales the times (rounded to the µs)', () => {
    const v = demuxWebmVideo(webm(info(2000, 100_000), el(ids.Tracks, videoTrack()), el(ids.Cluster, uint(ids.Timecode, 3), el(ids.SimpleBlock, block(1, 0, 0x80, frame)), el(ids.SimpleBlock, block(1, 7, 0, frame)))))
    expect(v.frames.map((f) => f.timestampUs)).toEqual([300, 1000])
    expect(v.durationMs).toBe(2000)
  })

  test('no Duration: null (the caller leaves such files to the element)', () => {
    const v = demuxWebmVideo(webm(el(ids.Info, uint(ids.TimecodeScale, 1_000_000)), el(ids.Tracks, videoTrack()), el(ids.Cluster, uint(ids.Timecode, 0), el(ids.SimpleBlock, block(1, 0, 0x80, frame)))))
    expect(v.durationMs).toBeNull()
  })
})

describe('hostile input: a WebmError naming what and where, never a hang', () => {
  const frame = [1, 2, 3]
  const tracks = el(ids.Tracks, videoTrack())
  const cluster = (...blocks: Uint8Array[]) => el(ids.Cluster, uint(ids.Timecode, 0), ...blocks)
  const refused: [string, Uint8Array, RegExp][] = [
    ['nothing', new Uint8Array(0), /^not a WebM file: no EBML header at byte 0$/],
    ['not EBML', new TextEncoder().encode('RIFF....WEBPVP8 '), /^not a WebM file: no EBML header at byte 0$/],
    ['another DocType', raw(el(ids.EBML, str(ids.DocType, 'mkv3d')), el(ids.Segment)), /^DocType at byte 12 is "mkv3d", not webm or matroska$/],
    ['a zero byte where an ID starts', webm(info(), [0x00, 0x81, 0x00]), /^bad element ID at byte \d+ in Segment at byte 26$/],
    ['a size larger than its parent', raw(header(), el(ids.Segment, el(ids.Info, uint(ids.TimecodeScale, 1)).subarray(0, 12))), /^Info at byte 38 says 12 bytes, more than the 0 left in Segment at byte 26$/],
    ['a huge size', raw(header(), idBytes(ids.Segment), [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), /^Segment at byte 26 says \d+ bytes, more than the 0 left in the file$/],
    ['an unknown size inside Info', webm(raw(idBytes(ids.Info), UNKNOWN_SIZE)), /^Info at byte 38 has an unknown size \(only Segment and Cluster may\)$/],
    ['no tracks', webm(info()), /^no video track$/],
    ['audio only', webm(info(), el(ids.Tracks, audioTrack(1)), cluster(el(ids.SimpleBlock, block(1, 0, 0x80, frame)))), /^no video track in the Tracks at byte \d+$/],
    ['a cluster before the tracks', webm(info(), cluster(el(ids.SimpleBlock, block(1, 0, 0x80, frame))), tracks), /^Cluster at byte \d+ before the Tracks$/],
    ['laced video', webm(info(), tracks, cluster(el(ids.SimpleBlock, block(1, 0, 0x82, frame)))), /^laced video frames in SimpleBlock at byte \d+ \(not supported\)$/],
    ['a block before the Timecode', webm(info(), tracks, el(ids.Cluster, el(ids.SimpleBlock, block(1, 0, 0x80, frame)))), /^SimpleBlock at byte \d+ before the Cluster at byte \d+'s Timecode$/],
    ['frames out of order', webm(info(), tracks, cluster(el(ids.SimpleBlock, block(1, 40, 0x80, frame)), el(ids.SimpleBlock, block(1, 7, 0, frame)))), /^video frame at byte \d+ is not after the one before \(7000 µs after 40000 µs\)/],
    ['an empty frame', webm(info(), tracks, cluster(el(ids.SimpleBlock, block(1, 0, 0x80, [])))), /^empty video frame in SimpleBlock at byte \d+$/],
    ['a first frame that is not a keyframe', webm(info(), tracks, cluster(el(ids.SimpleBlock, block(1, 0, 0, frame)))), /^the first video frame \(byte \d+\) is not a keyframe$/],
    ['no frames', webm(info(), tracks), /^the video track has no frames$/],
    ['an encrypted track', webm(info(), el(ids.Tracks, el(ids.TrackEntry, uint(ids.TrackNumber, 1), uint(ids.TrackType, 1), str(ids.CodecID, 'V_VP9'), el(ids.ContentEncodings), el(ids.Video, uint(ids.PixelWidth, 8), uint(ids.PixelHeight, 8))))), /^the video track \(TrackEntry at byte \d+\) is compressed or encrypted \(ContentEncodings\)$/],
    ['a picture too large', webm(info(), el(ids.Tracks, videoTrack(1, 'V_VP9', 100_000, 10))), /^the video track \(TrackEntry at byte \d+\) is 100000×10 \(1 to 8192 a side\)$/],
    ['too many tracks', webm(info(), el(ids.Tracks, ...Array.from({ length: WEBM_LIMITS.maxTracks + 1 }, (_, i) => audioTrack(i + 1)))), /^more than 64 tracks \(TrackEntry at byte \d+\)$/],
    ['a NaN duration', webm(el(ids.Info, el(ids.Duration, [0x7f, 0xc0, 0, 0])), tracks), /^Duration at byte \d+ is NaN$/],
    ['a 9-byte integer', webm(el(ids.Info, el(ids.TimecodeScale, [1, 2, 3, 4, 5, 6, 7, 8, 9]))), /^TimecodeScale at byte \d+ is a 9-byte integer \(at most 6 read\)$/],
    ['Tracks over the bound', raw(header(), idBytes(ids.Segment), sizeBytes(12 + (1 << 20) + 1), idBytes(ids.Tracks), sizeBytes((1 << 20) + 1), new Uint8Array((1 << 20) + 1)), /^Tracks at byte \d+ is 1048577 bytes, more than the 1048576 allowed$/],
  ]
  for (const [what, bytes, message] of refused) {
    test(what, () => {
      let err: unknown
      try {
        demuxWebmVideo(bytes)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(WebmError)
      expect((err as Error).message).toMatch(message)
    })
  }

  test('random damage to a real file: parsed or refused with a WebmError, nothing else', () => {
    const good = fixture(made.vp8)
    let seed = 14
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
    let refusedCount = 0
    for (let round = 0; round < 300; round++) {
      const bytes = good.slice(0, round % 3 === 0 ? Math.floor(rand() * good.length) : good.length)
      // Damage the first 600 bytes most: the headers, where a size or an ID sends the parser astray.
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        const at = Math.floor(rand() * Math.min(bytes.length, rand() < 0.7 ? 600 : bytes.length))
        bytes[at] = Math.floor(rand() * 256)
      }
      try {
        demuxWebmVideo(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(WebmError)
        refusedCount++
      }
    }
    expect(refusedCount).toBeGreaterThan(0)
  })
})

describe("the decoder's colour space is the element's", () => {
  test('none stated, or limited range alone: unlabelled, as the element leaves it (not BT.709, which changes the RGB)', () => {
    expect(decoderColourSpace(null)).toEqual({})
    expect(decoderColourSpace({ range: 1 })).toEqual({})
    expect(decoderColourSpace({ matrix: 2, transfer: 2, primaries: 2 })).toEqual({})
  })
  test('stated in full: passed on', () => {
    expect(decoderColourSpace({ matrix: 1, transfer: 1, primaries: 1, range: 1 })).toEqual({ matrix: 'bt709', transfer: 'bt709', primaries: 'bt709', fullRange: false })
  })
  test('what WebCodecs cannot state as the element has it: null (the element decodes the file)', () => {
    // BT.470BG with gamma 2.8: the element keeps matrix and primaries; the decoder would drop all three.
    expect(decoderColourSpace({ matrix: 5, transfer: 5, primaries: 5, range: 1 })).toBeNull()
    expect(decoderColourSpace({ range: 2 })).toBeNull()
    expect(decoderColourSpace({ matrix: 1 })).toBeNull()
  })
})
