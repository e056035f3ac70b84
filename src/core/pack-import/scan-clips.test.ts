import { describe, expect, test } from 'vitest'
import { ClipScanner, scanClips, type ClipLayout } from './scan-clips'
import { mulberry32 } from '../testing/prng'

/**
 * The scanner's contract: for a plain pack.json it gives the exact byte range of each clip
 * object of the top-level "clips" array (and of the array itself); for anything else it
 * gives null; and it gives the same answer however the bytes arrive.
 */

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const prng = mulberry32

interface PlainLayout {
  arrayStart: number
  arrayEnd: number
  ranges: number[]
}

function plain(layout: ClipLayout | null): PlainLayout | null {
  return layout && { arrayStart: layout.arrayStart, arrayEnd: layout.arrayEnd, ranges: Array.from(layout.ranges) }
}

function pairs(ranges: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = []
  for (let i = 0; i < ranges.length; i += 2) out.push([ranges[i]!, ranges[i + 1]!])
  return out
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

function clipLike(i: number): Record<string, unknown> {
  return {
    id: `clip-${i}`,
    captured_at: '2025-08-29T13:05:10+07:00',
    media: { path: `media/é/${i}.webm`, sha256: 'a'.repeat(64), bytes: 1000 + i, mime: 'video/webm', duration_ms: 30_000 },
    stream: { id: `live-${i}`, title: `Batik tulis Pekalongan — promo hari ini ${i} 😀 日本`, commerce: i % 2 === 0 },
    account: { id: `acct-${i}`, type: 'business', display_name: 'Café — Bu Sri' },
    segment: { start_ms: 0, end_ms: 30_000 },
    flags: [{ source: 'classifier', label: 'violence.arson', score: 0.5 }],
    transcript: [{ at_ms: 1, text: 'é'.repeat(i) }],
  }
}

/** Strings that trip a scanner that does not track strings and escapes exactly. */
const TRICKY_STRINGS = [
  '"',
  '\\',
  '\\"',
  '\\\\',
  '\\\\\\"',
  'a\\',
  'a\\\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"clips":[',
  '"clips":[{"a":1}]',
  '}],"clips":[{',
  '{"x":[',
  '',
  ' — é 😀 \u2028 \t\n\r',
]

function trickyClip(i: number): Record<string, unknown> {
  const clip: Record<string, unknown> = { id: `tricky-${i}` }
  TRICKY_STRINGS.forEach((s, k) => {
    clip[`v${k}`] = s
    clip[s + `#${k}`] = k
  })
  clip.nested = { arr: TRICKY_STRINGS, obj: Object.fromEntries(TRICKY_STRINGS.map((s, k) => [s, [s, { [s]: k }]])) }
  return clip
}

function manifest(clips: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: 'tinjau.pack', version: 1, pack_id: 'pk-test-01', created_at: '2025-09-04T08:00:00Z', ...extra, clips }
}

/**
 * Check a layout against the text: arrayStart/arrayEnd delimit the clips array exactly and
 * each range is exactly one clip, by bytes (not string offsets).
 */
function expectLayoutMatches(buf: Buffer, layout: ClipLayout | null, clips: unknown[]): void {
  expect(layout).not.toBeNull()
  const l = layout!
  expect(buf[l.arrayStart]).toBe(0x5b)
  expect(buf[l.arrayEnd - 1]).toBe(0x5d)
  expect(JSON.parse(buf.subarray(l.arrayStart, l.arrayEnd).toString('utf8'))).toEqual(clips)
  const got = pairs(l.ranges)
  expect(got.length).toBe(clips.length)
  got.forEach(([s, e], i) => {
    expect(buf[s]).toBe(0x7b)
    expect(buf[e - 1]).toBe(0x7d)
    expect(s).toBeGreaterThan(l.arrayStart)
    expect(e).toBeLessThan(l.arrayEnd)
    expect(JSON.parse(buf.subarray(s, e).toString('utf8'))).toEqual(clips[i])
  })
  for (let i = 1; i < got.length; i++) expect(got[i]![0]).toBeGreaterThan(got[i - 1]![1])
}

/**
 * Scan `buf` as the importer does: bytes arrive piece by piece into a buffer whose unread
 * part holds garbage (quotes, brackets, backslashes), and `feed(end)` follows each piece.
 * Checks on the way that only complete clips are reported and that reported ranges never
 * change. Returns finish().
 */
function scanInPieces(buf: Buffer, nextPiece: () => number): ClipLayout | null {
  const target = Buffer.alloc(buf.length)
  const garbage = Buffer.from('"\\}]{["')
  for (let i = 0; i < target.length; i++) target[i] = garbage[i % garbage.length]!
  const scanner = new ClipScanner(target)
  const seen: number[] = []
  const problems: string[] = []
  let end = 0
  while (end < buf.length) {
    const next = Math.min(buf.length, end + nextPiece())
    buf.copy(target, end, end, next)
    end = next
    scanner.feed(end)
    if (end % 3 === 0) scanner.feed(end) // feeding the same end again changes nothing
    const n = scanner.clips
    if (n < seen.length / 2) problems.push(`after feed(${end}): ${n} clips, fewer than the ${seen.length / 2} reported before`)
    const all = scanner.rangesOf(0, n)
    // Ranges already reported never change.
    for (let i = 0; i < seen.length; i++) {
      if (all[i] !== seen[i]) {
        problems.push(`after feed(${end}): range value ${i} changed from ${seen[i]} to ${all[i]}`)
        break
      }
    }
    for (let i = seen.length; i < all.length; i += 2) {
      const s = all[i]!
      const e = all[i + 1]!
      const text = target.subarray(s, e).toString('utf8')
      let ok = e <= end
      try {
        const v: unknown = JSON.parse(text)
        ok &&= typeof v === 'object' && v !== null && !Array.isArray(v)
      } catch {
        ok = false
      }
      if (!ok) problems.push(`range [${s}, ${e}) reported after feed(${end}) is not a whole clip: ${text}`)
      seen.push(s, e)
    }
  }
  expect(problems).toEqual([])
  return scanner.finish()
}

/** Random pieces of 1..64 bytes for many seeds, plus 1-byte pieces: always scanClips' answer. */
function expectSameInPieces(buf: Buffer, seeds = 25): void {
  const whole = plain(scanClips(buf))
  expect(plain(scanInPieces(buf, () => 1)), '1-byte pieces').toEqual(whole)
  for (let seed = 1; seed <= seeds; seed++) {
    const rand = prng(seed)
    expect(plain(scanInPieces(buf, () => 1 + Math.floor(rand() * 64))), `random pieces, seed ${seed}`).toEqual(whole)
  }
  expect(plain(scanInPieces(buf, () => buf.length)), 'one piece').toEqual(whole)
}

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

const CLIPS = [clipLike(0), clipLike(1), clipLike(2), clipLike(3)]
const TRICKY = [trickyClip(0), clipLike(1), trickyClip(2)]

/** Valid inputs: the text and the clips it holds. */
const VALID: { name: string; text: string | Buffer; clips: unknown[] }[] = [
  { name: 'compact', text: JSON.stringify(manifest(CLIPS)), clips: CLIPS },
  { name: 'pretty-printed', text: JSON.stringify(manifest(CLIPS), null, 2), clips: CLIPS },
  { name: 'pretty with tabs and CRLF', text: JSON.stringify(manifest(CLIPS), null, '\t').replace(/\n/g, '\r\n'), clips: CLIPS },
  { name: 'UTF-8 BOM', text: Buffer.concat([BOM, Buffer.from(JSON.stringify(manifest(CLIPS)))]), clips: CLIPS },
  { name: 'UTF-8 BOM, pretty, CRLF', text: Buffer.concat([BOM, Buffer.from(JSON.stringify(manifest(CLIPS), null, 2).replace(/\n/g, '\r\n'))]), clips: CLIPS },
  {
    name: 'white space everywhere between tokens',
    text: ` \r\n\t{ "format" : "tinjau.pack" ,\r\n "clips"\t:\r\n [ \r\n ${CLIPS.map((c) => JSON.stringify(c)).join(' \r\n , \t')} \r\n ] \r\n , "x" : 1 } \r\n\t `,
    clips: CLIPS,
  },
  { name: 'tricky strings in values and keys', text: JSON.stringify(manifest(TRICKY)), clips: TRICKY },
  { name: 'tricky strings, pretty', text: JSON.stringify(manifest(TRICKY), null, 2), clips: TRICKY },
  {
    name: 'tricky strings in the header, before and after clips',
    text: JSON.stringify({ ...Object.fromEntries(TRICKY_STRINGS.map((s, k) => [s + k, s])), clips: TRICKY, after: TRICKY_STRINGS, '"clips":[': '"clips":[' }),
    clips: TRICKY,
  },
  {
    name: 'nested "clips" keys before and after the top-level one',
    text: JSON.stringify({
      issuer: { name: 'x', clips: [1, 2] },
      policy: { deep: { clips: [{ a: 1 }, { b: 2 }] } },
      list: [{ clips: [{ c: 3 }] }, ['clips', { clips: [] }]],
      clips: CLIPS,
      after: { clips: [{ d: 4 }], more: [{ clips: [[]] }] },
    }),
    clips: CLIPS,
  },
  {
    name: '"clips" as a top-level string value and look-alike keys',
    text: JSON.stringify({ name: 'clips', clips_: [{ a: 1 }], xclips: [{ b: 2 }], Clips: [{ c: 3 }], 'clips ': [{ d: 4 }], clips: CLIPS, tail: 'clips' }),
    clips: CLIPS,
  },
  { name: 'key written with an escape', text: `{"format":"tinjau.pack","cl\\u0069ps":${JSON.stringify(CLIPS)}}`, clips: CLIPS },
  { name: 'key written entirely with escapes', text: `{"\\u0063\\u006C\\u0069\\u0070\\u0073" : ${JSON.stringify(CLIPS)}}`, clips: CLIPS },
  { name: 'clips first', text: `{"clips":${JSON.stringify(CLIPS)},"format":"tinjau.pack"}`, clips: CLIPS },
  { name: 'clips containing "clips" arrays and closing brackets in strings', text: JSON.stringify({ clips: [{ clips: [1, 2], x: ']' }, { y: '}]', clips: [{ z: '{' }] }] }), clips: [{ clips: [1, 2], x: ']' }, { y: '}]', clips: [{ z: '{' }] }] },
  { name: 'empty clip objects', text: '{"clips":[{},{ },{\r\n}]}', clips: [{}, {}, {}] },
  { name: 'single clip', text: '{"clips":[{"a":"é—"}]}', clips: [{ a: 'é—' }] },
  { name: 'raw escapes before quotes', text: '{"clips":[{"a":"\\u0022\\\\","\\\\":"\\"","b\\\\\\"":"\\\\\\\\"}]}', clips: [{ a: '"\\', '\\': '"', 'b\\"': '\\\\' }] },
  { name: 'empty clips array', text: manifestText([]), clips: [] },
  { name: 'empty clips array with space', text: '{ "clips" : [ \r\n ] }', clips: [] },
]

function manifestText(clips: unknown[]): string {
  return JSON.stringify(manifest(clips))
}

const BASE = JSON.stringify(manifest([{ a: 1 }, { b: 'é' }]))

/** Inputs whose shape is not plain: the scanner must give null. */
const INVALID: { name: string; text: string | Buffer }[] = [
  { name: 'a second top-level "clips" key', text: '{"clips":[{"a":1}],"x":1,"clips":[{"b":2}]}' },
  { name: 'a second top-level "clips" key, empty arrays', text: '{"clips":[],"clips":[]}' },
  { name: 'a second top-level "clips" key written with an escape', text: '{"clips":[{"a":1}],"cl\\u0069ps":[]}' },
  { name: 'a clip that is a number', text: '{"clips":[{"a":1},5]}' },
  { name: 'a clip that is a negative number', text: '{"clips":[-1]}' },
  { name: 'a clip that is a string', text: '{"clips":["x",{"a":1}]}' },
  { name: 'a clip that is a string holding an object', text: '{"clips":["{\\"a\\":1}"]}' },
  { name: 'a clip that is an array', text: '{"clips":[[{"a":1}]]}' },
  { name: 'a clip that is an empty array', text: '{"clips":[{"a":1},[]]}' },
  { name: 'a clip that is null', text: '{"clips":[null]}' },
  { name: 'a clip that is true', text: '{"clips":[{"a":1}, true]}' },
  { name: 'two clips without a comma', text: '{"clips":[{"a":1}{"b":2}]}' },
  { name: 'two clips without a comma, with space', text: '{"clips":[{"a":1} \r\n {"b":2}]}' },
  { name: 'a doubled comma', text: '{"clips":[{"a":1},,{"b":2}]}' },
  { name: 'a doubled comma with space', text: '{"clips":[{"a":1}, ,{"b":2}]}' },
  { name: 'a trailing comma', text: '{"clips":[{"a":1},{"b":2},]}' },
  { name: 'a trailing comma with space', text: '{"clips":[{"a":1} , ]}' },
  { name: 'a leading comma', text: '{"clips":[,{"a":1}]}' },
  { name: 'only a comma', text: '{"clips":[,]}' },
  { name: 'a colon between clips', text: '{"clips":[{"a":1}:{"b":2}]}' },
  { name: 'a clip closed by ]', text: '{"clips":[{"a":1]]}' },
  { name: 'clips is an object', text: '{"clips":{"a":{"b":1}}}' },
  { name: 'clips is null', text: '{"clips":null}' },
  { name: 'clips is a string', text: '{"clips":"[{}]"}' },
  { name: 'trailing text after the top-level object', text: BASE + 'x' },
  { name: 'trailing object after the top-level object', text: BASE + '{}' },
  { name: 'trailing comma after the top-level object', text: BASE + ' ,' },
  { name: 'trailing bracket after the top-level object', text: BASE + '\r\n}' },
  { name: 'trailing string after the top-level object', text: BASE + '"x"' },
  { name: 'trailing NUL after the top-level object', text: BASE + '\u0000' },
  { name: 'trailing BOM after the top-level object', text: Buffer.concat([Buffer.from(BASE), BOM]) },
  { name: 'no "clips" key', text: JSON.stringify({ format: 'tinjau.pack', version: 1 }) },
  { name: 'only nested "clips" keys', text: JSON.stringify({ issuer: { clips: [{ a: 1 }] }, list: [{ clips: [{ b: 2 }] }] }) },
  { name: '"clips" only as a string value', text: JSON.stringify({ name: 'clips', x: ['clips', { y: 'clips' }] }) },
  { name: 'an empty object', text: '{}' },
  { name: 'top level is an array', text: JSON.stringify([manifest([{ a: 1 }])]) },
  { name: 'top level is an empty array', text: '[]' },
  { name: 'top level is a string', text: '"clips"' },
  { name: 'top level is a number', text: '42' },
  { name: 'top level is null', text: 'null' },
  { name: 'empty input', text: '' },
  { name: 'only white space', text: ' \r\n\t ' },
  { name: 'only a BOM', text: BOM },
  { name: 'a BOM twice', text: Buffer.concat([BOM, BOM, Buffer.from(BASE)]) },
]

function bytesOf(text: string | Buffer): Buffer {
  return typeof text === 'string' ? Buffer.from(text, 'utf8') : text
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

describe('scanClips on plain manifests', () => {
  test.each(VALID)('$name: each range is exactly one clip, and the array bounds are exact', ({ text, clips }) => {
    const buf = bytesOf(text)
    expectLayoutMatches(buf, scanClips(buf), clips)
  })

  test('byte offsets, not string offsets, where clips hold non-ASCII text', () => {
    const text = JSON.stringify(manifest(CLIPS))
    const buf = Buffer.from(text)
    expect(buf.length).toBeGreaterThan(text.length)
    const layout = scanClips(buf)!
    const [s, e] = pairs(layout.ranges)[3]!
    // The last clip lies past several multi-byte characters: the string offsets differ.
    expect(text.indexOf(JSON.stringify(CLIPS[3]))).not.toBe(s)
    expect(buf.indexOf(JSON.stringify(CLIPS[3]))).toBe(s)
    expect(e - s).toBe(Buffer.byteLength(JSON.stringify(CLIPS[3])))
  })

  test('a BOM shifts every offset by three bytes', () => {
    const text = JSON.stringify(manifest(CLIPS))
    const without = plain(scanClips(Buffer.from(text)))!
    const withBom = plain(scanClips(Buffer.concat([BOM, Buffer.from(text)])))!
    expect(withBom).toEqual({ arrayStart: without.arrayStart + 3, arrayEnd: without.arrayEnd + 3, ranges: without.ranges.map((r) => r + 3) })
  })

  test('an empty clips array gives zero ranges', () => {
    const text = manifestText([])
    const layout = scanClips(Buffer.from(text))!
    expect(layout).not.toBeNull()
    expect(layout.ranges.length).toBe(0)
    expect(text.slice(layout.arrayStart, layout.arrayEnd)).toBe('[]')
  })

  test('thousands of clips (past the initial range capacity)', () => {
    const clips = Array.from({ length: 5000 }, (_, i) => ({ i, s: i % 7 === 0 ? '}]é' : 'x' }))
    const buf = Buffer.from(manifestText(clips))
    expectLayoutMatches(buf, scanClips(buf), clips)
  })

  test('works over a SharedArrayBuffer, as the importer reads pack.json', () => {
    for (const { text, clips } of VALID) {
      const src = bytesOf(text)
      const shared = new Uint8Array(new SharedArrayBuffer(src.length))
      shared.set(src)
      expectLayoutMatches(src, scanClips(shared), clips)
    }
  })

  test('a very long top-level key is not a reason to throw', () => {
    // Unknown extra fields are allowed anywhere; a long key must give a layout (or null), not an exception.
    for (const n of [1_000, 100_000, 1_000_000, 4_000_000]) {
      const clips = [{ a: 1 }]
      const buf = Buffer.from(JSON.stringify({ ['k'.repeat(n)]: 1, clips }))
      let layout = null as ClipLayout | null
      expect(() => (layout = scanClips(buf)), `key of ${n} characters`).not.toThrow()
      expectLayoutMatches(buf, layout, clips)
    }
  })

  test('a very long top-level key with non-ASCII text or escapes is read', () => {
    const clips = [{ a: 1 }]
    const buf = Buffer.from(JSON.stringify({ ['é'.repeat(300_000)]: 1, ['\\'.repeat(1000)]: 2, clips }))
    expectLayoutMatches(buf, scanClips(buf), clips)
  })
})

describe('scanClips refuses shapes that are not plain', () => {
  test.each(INVALID)('$name → null', ({ text }) => {
    expect(plain(scanClips(bytesOf(text)))).toBeNull()
  })

  test('truncated text, cut at every byte, → null', () => {
    for (const { name, text } of [
      { name: 'compact', text: Buffer.from(JSON.stringify(manifest(CLIPS.slice(0, 2)))) },
      { name: 'pretty CRLF with BOM', text: Buffer.concat([BOM, Buffer.from(JSON.stringify(manifest([clipLike(1)]), null, 2).replace(/\n/g, '\r\n'))]) },
      { name: 'tricky', text: Buffer.from(JSON.stringify(manifest([trickyClip(0)]))) },
    ]) {
      const cuts: number[] = []
      for (let cut = 0; cut < text.length; cut++) {
        if (scanClips(text.subarray(0, cut)) !== null) cuts.push(cut)
      }
      expect(cuts, `${name}: cuts that still gave a layout`).toEqual([])
    }
  })

  test('truncated text, cut inside and between clips, → null', () => {
    const text = JSON.stringify(manifest(TRICKY))
    const buf = Buffer.from(text)
    const layout = scanClips(buf)!
    const points = [layout.arrayStart, layout.arrayStart + 1, ...Array.from(layout.ranges), ...Array.from(layout.ranges).map((r) => r + 5), layout.arrayEnd, buf.length - 1].filter((cut) => cut < buf.length)
    for (const cut of points) expect(plain(scanClips(buf.subarray(0, cut))), `cut at ${cut}`).toBeNull()
  })
})

describe('ClipScanner fed piece by piece', () => {
  test.each(VALID)('$name: same layout as scanClips, only whole clips reported on the way', ({ text, clips }) => {
    const buf = bytesOf(text)
    expectLayoutMatches(buf, scanClips(buf), clips)
    expectSameInPieces(buf)
  })

  test.each(INVALID)('$name: null in pieces too', ({ text }) => {
    const buf = bytesOf(text)
    expect(plain(scanClips(buf))).toBeNull()
    expectSameInPieces(buf)
  })

  test('truncated text in pieces: null, like scanClips', () => {
    const buf = Buffer.from(JSON.stringify(manifest([clipLike(1), trickyClip(2)]), null, 1))
    const rand = prng(99)
    for (let k = 0; k < 20; k++) {
      const cut = Math.floor(rand() * buf.length)
      const part = buf.subarray(0, cut)
      expect(plain(scanClips(part)), `cut at ${cut}`).toBeNull()
      expectSameInPieces(part, 3)
    }
  })

  test('ranges reported mid-way are a prefix of the final ranges', () => {
    const buf = Buffer.from(JSON.stringify(manifest([...CLIPS, ...TRICKY]), null, 1))
    const final = Array.from(scanClips(buf)!.ranges)
    const scanner = new ClipScanner(buf)
    const counts: number[] = []
    for (let end = 1; end <= buf.length; end += 37) {
      scanner.feed(end)
      counts.push(scanner.clips)
      expect(Array.from(scanner.rangesOf(0, scanner.clips))).toEqual(final.slice(0, 2 * scanner.clips))
      if (scanner.clips > 1) expect(Array.from(scanner.rangesOf(1, 2))).toEqual(final.slice(2, 4))
    }
    scanner.feed(buf.length)
    expect(plain(scanner.finish())).toEqual(plain(scanClips(buf)))
    // Clips became known progressively, not all at the end.
    expect(new Set(counts).size).toBeGreaterThan(3)
  })

  test('finish() before the last byte is fed → null', () => {
    const buf = Buffer.from(manifestText(CLIPS))
    const scanner = new ClipScanner(buf)
    scanner.feed(buf.length - 1)
    expect(scanner.clips).toBe(CLIPS.length)
    expect(scanner.finish()).toBeNull()
  })
})
