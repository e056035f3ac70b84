import { isDeepStrictEqual } from 'node:util'
import { describe, expect, test } from 'vitest'
import { TinjauError } from '../../shared/errors'
import { PackClip } from '../../shared/field-pack'
import { makeClip, type FakeMedia } from '../testing/make-pack'
import { CLIP_COLUMNS, FLAG_COLUMNS, checkClip, compileFastCheck, processChunk, type ChunkJob } from './clip-chunk'
import { scanClips } from './scan-clips'

/**
 * The fast check (ajv, compiled from the zod schema) must never accept a clip that zod
 * refuses, except for the refinements the JSON Schema cannot express (safe paths, segment
 * order), which checkClip checks itself. checkClip refuses exactly what zod refuses.
 */

// ---------------------------------------------------------------------------------------
// A valid clip, with every optional field present
// ---------------------------------------------------------------------------------------

const SHA_A = '3f2a'.repeat(16)
const SHA_B = '0123456789abcdef'.repeat(4)
const SHA_P = 'e1'.repeat(32)

const MEDIA_A: FakeMedia = { path: 'media/3f/3f2a.webm', sha256: SHA_A, bytes: 512_344, mime: 'video/webm', duration_ms: 30_000 }
const MEDIA_B: FakeMedia = { path: 'media/b/clip-b.mp4', sha256: SHA_B, bytes: 1_000, mime: 'video/mp4', duration_ms: 20_000 }

function fullClip(id = 'clip-000123'): Record<string, unknown> {
  return makeClip(id, MEDIA_A, {
    poster: { path: `media/posters/${id}.jpg`, sha256: SHA_P, bytes: 20_211, mime: 'image/jpeg', width: 320, height: 180 },
    stream: {
      id: 'live-884213',
      title: 'Batik tulis Pekalongan — promo hari ini',
      started_at: '2025-08-29T12:40:00+07:00',
      region: 'ID-JK',
      language: 'id',
      commerce: true,
      viewer_peak: 1840,
    },
    flags: [
      { source: 'classifier', label: 'violence.arson', score: 0.91, at_ms: 12_000 },
      { source: 'user_report', label: 'public_safety.provocation', count: 14 },
      { source: 'authority_request', label: 'public_safety.provocation', reference: 'REQ-2025-0912', due_at: '2025-08-29T17:05:10+07:00' },
    ],
    transcript: [{ at_ms: 11_000, end_ms: 14_000, text: 'ayo kumpul' }],
    chat: [{ at_ms: 12_500, author: 'user123', text: 'bakar!' }],
    priority: 87,
  })
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

type Path = (string | number)[]

interface Mutation {
  /** Dotted, as pack errors write it: `flags.0.label`; '' for the clip itself. */
  path: string
  what: string
  clip: unknown
}

/** Every field path of a value, containers included, depth first. */
function fieldPaths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = []
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push([...prefix, i], ...fieldPaths(v, [...prefix, i])))
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...fieldPaths(v, [...prefix, k]))
  }
  return out
}

function getAt(root: unknown, path: Path): unknown {
  let v = root
  for (const p of path) v = (v as Record<string | number, unknown>)[p]
  return v
}

/** A copy of `root` with the value at `path` set, or removed when `value` is DELETE. */
const DELETE = Symbol('delete')
function withValue(root: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>
  if (path.length === 0) return value
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[]
  const last = path[path.length - 1]!
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else {
    ;(parent as Record<string | number, unknown>)[last] = value
  }
  // What a worker sees: the clip as JSON.parse gives it.
  return JSON.parse(JSON.stringify(copy)) as unknown
}

/** Strings one code unit over a limit in UTF-16 but not in code points, and plain ones at and over it. */
const LIMITS = [16, 35, 128, 200, 500, 1000, 1024, 10_000]
const LONG_STRINGS: [string, string][] = LIMITS.flatMap((n): [string, string][] => [
  [`${n} chars`, 'a'.repeat(n)],
  [`${n + 1} chars`, 'a'.repeat(n + 1)],
  [`${2 * Math.ceil((n + 1) / 2)} UTF-16 units, ${Math.ceil((n + 1) / 2)} code points (emoji)`, '😀'.repeat(Math.ceil((n + 1) / 2))],
  [`${n + 1} UTF-16 units, ${n} code points (one emoji last)`, 'a'.repeat(n - 1) + '😀'],
  [`${n} chars, path-like`, `media/${'p'.repeat(n - 6)}`],
])

const BAD_TIMESTAMPS = [
  '2025-13-01T00:00:00Z',
  '2025-08-29 13:05:10',
  '2025-08-29 13:05:10Z',
  '2025-08-29T13:05:10',
  '2025-08-29t13:05:10Z',
  '2025-08-29T13:05:10z',
  '2025-02-29T00:00:00Z',
  '2025-04-31T00:00:00Z',
  '2025-08-29T24:00:00Z',
  '2025-08-29T13:60:00Z',
  '2025-08-29T13:05:60Z',
  '2025-08-29T13:05:10+0700',
  '2025-08-29T13:05:10+07',
  '2025-08-29T13:05:10+24:00',
  '2025-08-29T13:05:10.Z',
  '2025-08-29',
  '25-08-29T13:05:10Z',
  '2025-08-29T13:05:10Z\n',
  ' 2025-08-29T13:05:10Z',
]
const GOOD_TIMESTAMPS = ['2025-08-29T13:05:10Z', '2025-08-29T13:05:10.123456+07:00', '2024-02-29T00:00:00-03:30', '2000-02-29T23:59:59+23:59']

const SHAS = ['A'.repeat(64), SHA_A.toUpperCase(), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), `${SHA_A}\n`, ` ${SHA_A.slice(1)}`, SHA_B]

const PATHS = [
  '../x',
  'a/../b',
  '..',
  '/abs',
  '/media/a.webm',
  'C:/x',
  'c:x',
  'a\\b',
  'a//b',
  'a/',
  './a',
  'a/./b',
  '.',
  'con',
  'nul.txt',
  'media/COM1.webm',
  'LPT9',
  'aux.tar.gz',
  'a\u0000b',
  'a\tb',
  'a\nb',
  'x'.repeat(1025),
  'media/other.webm',
  'media/é — x.webm',
  'console.webm',
]

const ENUMS = ['video/avi', 'VIDEO/WEBM', 'image/gif', 'video/webm', 'image/jpeg', 'audio/ogg', 'Business', 'business', 'private', 'CLASSIFIER', 'trusted_flagger', 'keyword', 'spam']

/** Every value each field is set to, with a label. */
const VALUES: [string, unknown][] = [
  ['null', null],
  ['0', 0],
  ['1', 1],
  ['2', 2],
  ['100', 100],
  ['101', 101],
  ['-1', -1],
  ['-0.5', -0.5],
  ['0.5', 0.5],
  ['1.5', 1.5],
  ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ['2^53', 2 ** 53],
  ['2^53 + 2', 2 ** 53 + 2],
  ['1e20', 1e20],
  ['1e300', 1e300],
  ['-1e20', -1e20],
  ['true', true],
  ['false', false],
  ['"x"', 'x'],
  ['""', ''],
  ['"1"', '1'],
  ['"true"', 'true'],
  ['{}', {}],
  ['{"a":1}', { a: 1 }],
  ['[]', []],
  ['[1]', [1]],
  ['[{}]', [{}]],
  ['["x"]', ['x']],
  ...LONG_STRINGS,
  ...BAD_TIMESTAMPS.map((t): [string, string] => [`timestamp ${JSON.stringify(t)}`, t]),
  ...GOOD_TIMESTAMPS.map((t): [string, string] => [`timestamp ${JSON.stringify(t)}`, t]),
  ...SHAS.map((s): [string, string] => [`sha ${JSON.stringify(s.length > 20 ? `${s.slice(0, 8)}…(${s.length})` : s)}`, s]),
  ...PATHS.map((p): [string, string] => [`path ${JSON.stringify(p.length > 40 ? `${p.slice(0, 8)}…(${p.length})` : p)}`, p]),
  ...ENUMS.map((e): [string, string] => [`enum ${JSON.stringify(e)}`, e]),
]

/** Values made from the field's own value: still of its type, but maybe out of its rules. */
function derivedValues(original: unknown): [string, unknown][] {
  if (typeof original === 'string') {
    return [
      ['original + "\\n"', `${original}\n`],
      ['original + " "', `${original} `],
      ['original uppercased', original.toUpperCase()],
      ['original + emoji', `${original}😀`],
    ]
  }
  if (typeof original === 'number') {
    return [
      ['-original', -original],
      ['original + 0.5', original + 0.5],
      ['original as a string', String(original)],
    ]
  }
  if (typeof original === 'boolean') return [['original as a string', String(original)]]
  if (Array.isArray(original)) {
    return [
      ['[] (empty)', []],
      ['original twice', [...original, ...original]],
      ['original with null', [...original, null]],
      ['first element alone', original.slice(0, 1)],
    ]
  }
  return []
}

function mutations(base: Record<string, unknown>): Mutation[] {
  const out: Mutation[] = []
  for (const path of fieldPaths(base)) {
    const dotted = path.join('.')
    const original = getAt(base, path)
    out.push({ path: dotted, what: 'deleted', clip: withValue(base, path, DELETE) })
    for (const [what, value] of [...VALUES, ...derivedValues(original)]) out.push({ path: dotted, what: `set to ${what}`, clip: withValue(base, path, value) })
  }
  // Segment order, the refinement across two fields.
  const seg = (start: number, end: number) => withValue(base, ['segment'], { start_ms: start, end_ms: end })
  out.push({ path: 'segment', what: 'start_ms > end_ms', clip: seg(1_540_001, 1_540_000) })
  out.push({ path: 'segment', what: 'start_ms > end_ms = 0', clip: seg(1, 0) })
  out.push({ path: 'segment', what: 'start_ms = end_ms', clip: seg(5, 5) })
  out.push({ path: 'segment', what: 'start_ms = end_ms = 0', clip: seg(0, 0) })
  // The clip itself is not an object.
  for (const [what, value] of [
    ['null', null],
    ['[]', []],
    ['[clip]', [base]],
    ['"clip"', 'clip'],
    ['5', 5],
    ['{}', {}],
  ] as [string, unknown][]) {
    out.push({ path: '', what: `clip is ${what}`, clip: value })
  }
  return out
}

/** Extra unknown fields on every object of the clip: always accepted. */
function extraFieldMutations(base: Record<string, unknown>): Mutation[] {
  const objects: Path[] = [[], ...fieldPaths(base).filter((p) => typeof getAt(base, p) === 'object' && !Array.isArray(getAt(base, p)))]
  const out: Mutation[] = []
  for (const path of objects) {
    const target = getAt(base, path) as Record<string, unknown>
    for (const [key, value] of [
      ['x_unknown', { nested: [1, 'two', null, { deep: true }] }],
      ['x_null', null],
      ['x_long', 'z'.repeat(20_000)],
      ['constructor', 'c'],
      ['toString', 1],
      ['ID', 5],
    ] as [string, unknown][]) {
      out.push({ path: [...path, key].join('.'), what: `extra field ${key}`, clip: withValue(base, path, { ...target, [key]: value }) })
    }
    // An own "__proto__" key, as JSON.parse makes it.
    const text = JSON.stringify(target).replace(/^\{/, '{"__proto__":{"id":"x"},')
    out.push({ path: [...path, '__proto__'].join('.'), what: 'extra field __proto__', clip: withValue(base, path, JSON.parse(text)) })
  }
  return out
}

/** Does the error name the mutated field (or, for the segment refinement, the segment)? */
function namesField(details: { path: string }[] | undefined, dotted: string): boolean {
  return (details ?? []).some((d) => {
    if (!d.path.startsWith('clips[0]')) return false
    if (dotted === '') return true
    if (d.path.endsWith(` ${dotted}`) || d.path.includes(` ${dotted}.`)) return true
    return dotted.startsWith('segment') && d.path.includes(' segment.')
  })
}

function describe2(m: Mutation): string {
  return `${m.path || '(clip)'} ${m.what}`
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

describe('fast check against zod', () => {
  const base = fullClip()
  const all = mutations(base)
  const fast = compileFastCheck()

  test('the base clip is valid for zod and for the fast check', () => {
    expect(PackClip.safeParse(base).success).toBe(true)
    expect(fast(base)).toBe(true)
    expect(checkClip(base, 0)).toEqual(base)
    // The mutations below cover every field.
    expect(new Set(all.map((m) => m.path)).size).toBeGreaterThan(50)
    expect(all.length).toBeGreaterThan(5000)
  })

  test('the fast check never accepts a clip zod refuses, except for the refinements', () => {
    const disagreements: { mutation: string; fast: boolean; zodIssues: unknown }[] = []
    let refinementOnly = 0
    let refused = 0
    let accepted = 0
    for (const m of all) {
      const parsed = PackClip.safeParse(m.clip)
      if (parsed.success) {
        accepted++
        continue
      }
      refused++
      if (!fast(m.clip)) continue
      // Accepted by the JSON Schema, refused by zod: only zod's refinements may do that.
      if (parsed.error.issues.every((i) => i.code === 'custom')) {
        refinementOnly++
        continue
      }
      disagreements.push({ mutation: describe2(m), fast: true, zodIssues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })) })
    }
    expect(disagreements).toEqual([])
    // The mutations hit both verdicts and the refinements.
    expect(refused).toBeGreaterThan(3000)
    expect(accepted).toBeGreaterThan(500)
    expect(refinementOnly).toBeGreaterThan(30)
  })

  test('checkClip throws exactly when zod refuses, with an invalid_pack error naming clips[0] and the field', () => {
    const wrong: { mutation: string; zodOk: boolean; problem: string }[] = []
    for (const m of all) {
      const parsed = PackClip.safeParse(m.clip)
      let error: unknown = null
      let value: unknown
      try {
        value = checkClip(m.clip, 0)
      } catch (err) {
        error = err
      }
      if (parsed.success) {
        if (error) wrong.push({ mutation: describe2(m), zodOk: true, problem: `threw ${String(error)}` })
        else if (!isDeepStrictEqual(value, parsed.data)) wrong.push({ mutation: describe2(m), zodOk: true, problem: 'returned another value than zod' })
        continue
      }
      if (!error) {
        wrong.push({ mutation: describe2(m), zodOk: false, problem: `accepted (fast check: ${fast(m.clip)})` })
      } else if (!(error instanceof TinjauError) || error.code !== 'invalid_pack') {
        wrong.push({ mutation: describe2(m), zodOk: false, problem: `threw ${String(error)}, not an invalid_pack TinjauError` })
      } else if (!error.message.includes('clips[0]') || !namesField(error.details, m.path)) {
        wrong.push({ mutation: describe2(m), zodOk: false, problem: `error does not name the field: ${error.message} ${JSON.stringify(error.details)}` })
      }
    }
    expect(wrong).toEqual([])
  })

  test('the refinements (unsafe paths, segment order) are refused by checkClip though the fast check passes them', () => {
    const cases: Mutation[] = [
      ...PATHS.filter((p) => !['media/other.webm', 'media/é — x.webm', 'console.webm'].includes(p)).flatMap((p) => [
        { path: 'media.path', what: `path ${JSON.stringify(p)}`, clip: withValue(base, ['media', 'path'], p) },
        { path: 'poster.path', what: `path ${JSON.stringify(p)}`, clip: withValue(base, ['poster', 'path'], p) },
      ]),
      { path: 'segment', what: 'start_ms > end_ms', clip: withValue(base, ['segment'], { start_ms: 2, end_ms: 1 }) },
    ]
    const wrong: { mutation: string; problem: string }[] = []
    for (const m of cases) {
      if (!fast(m.clip)) wrong.push({ mutation: describe2(m), problem: 'the fast check refused it (the test expects it not to see refinements)' })
      if (PackClip.safeParse(m.clip).success) wrong.push({ mutation: describe2(m), problem: 'zod accepted it' })
      try {
        checkClip(m.clip, 0)
        wrong.push({ mutation: describe2(m), problem: 'checkClip accepted it' })
      } catch (err) {
        if (!(err instanceof TinjauError) || err.code !== 'invalid_pack' || !err.message.includes('clips[0]') || !namesField(err.details, m.path)) {
          wrong.push({ mutation: describe2(m), problem: `wrong error: ${String(err)}` })
        }
      }
    }
    expect(wrong).toEqual([])
  })

  test('extra unknown fields on any object are accepted by both and kept', () => {
    const wrong: { mutation: string; fast: boolean; zodOk: boolean; kept: boolean }[] = []
    for (const m of extraFieldMutations(base)) {
      const zodOk = PackClip.safeParse(m.clip).success
      const f = fast(m.clip)
      let kept = false
      try {
        kept = isDeepStrictEqual(checkClip(m.clip, 0), m.clip)
      } catch {
        kept = false
      }
      if (!zodOk || !f || !kept) wrong.push({ mutation: describe2(m), fast: f, zodOk, kept })
    }
    expect(wrong).toEqual([])
  })

  test('string limits at the boundary, in UTF-16 units and in code points: checkClip follows zod', () => {
    // zod measures .min()/.max() in code points, and so does the fast check (ajv's default);
    // whatever the fast check refuses goes to zod anyway, which decides.
    const wrong: { mutation: string; zodOk: boolean; checkClipOk: boolean }[] = []
    for (const [path, max] of [
      [['stream', 'region'], 16],
      [['stream', 'language'], 35],
      [['flags', 0, 'label'], 128],
      [['account', 'id'], 200],
      [['chat', 0, 'author'], 200],
      [['account', 'display_name'], 500],
      [['flags', 2, 'reference'], 500],
      [['stream', 'title'], 1000],
      [['transcript', 0, 'text'], 10_000],
    ] as [Path, number][]) {
      for (const [what, value] of [
        [`${max} emoji`, '😀'.repeat(max)],
        [`${max + 1} emoji`, '😀'.repeat(max + 1)],
        [`${max - 1} chars + 1 emoji`, 'a'.repeat(max - 1) + '😀'],
        [`${max} chars + 1 emoji`, 'a'.repeat(max) + '😀'],
        [`${max} chars`, 'a'.repeat(max)],
        [`${max + 1} chars`, 'a'.repeat(max + 1)],
      ] as [string, string][]) {
        const clip = withValue(base, path, value)
        const zodOk = PackClip.safeParse(clip).success
        let checkClipOk = true
        try {
          checkClip(clip, 0)
        } catch {
          checkClipOk = false
        }
        if (zodOk !== checkClipOk) wrong.push({ mutation: `${path.join('.')} set to ${what}`, zodOk, checkClipOk })
        // Whatever the unit, over the limit in both is refused and within it in both is accepted.
        if (value.length <= max && zodOk !== true) wrong.push({ mutation: `${path.join('.')} set to ${what}`, zodOk, checkClipOk })
        if ([...value].length > max && zodOk !== false) wrong.push({ mutation: `${path.join('.')} set to ${what}`, zodOk, checkClipOk })
      }
    }
    expect(wrong).toEqual([])
  })

  test('the error names the clip by its index and id', () => {
    const clip = withValue(base, ['media', 'sha256'], 'A'.repeat(64))
    let error: unknown
    try {
      checkClip(clip, 41)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(TinjauError)
    expect((error as TinjauError).code).toBe('invalid_pack')
    expect((error as TinjauError).message).toContain('clips[41] (id "clip-000123") media.sha256')
  })
})

// ---------------------------------------------------------------------------------------
// processChunk
// ---------------------------------------------------------------------------------------

function packBytes(clips: unknown[], lead = 0): { bytes: Uint8Array; ranges: Float64Array } {
  const text = JSON.stringify({ format: 'tinjau.pack', version: 1, pack_id: 'p', created_at: '2025-09-04T08:00:00Z', clips })
  // The chunk's bytes are a view into a larger buffer, as a SharedArrayBuffer's may be.
  const big = Buffer.alloc(lead + Buffer.byteLength(text))
  big.write(text, lead, 'utf8')
  const bytes = new Uint8Array(big.buffer, big.byteOffset + lead, big.length - lead)
  const layout = scanClips(bytes)
  expect(layout).not.toBeNull()
  return { bytes, ranges: layout!.ranges }
}

function rowsOf<C extends readonly string[]>(columns: C, values: unknown[]): Record<C[number], unknown>[] {
  expect(values.length % columns.length).toBe(0)
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < values.length; i += columns.length) out.push(Object.fromEntries(columns.map((c, k) => [c, values[i + k]])))
  return out as Record<C[number], unknown>[]
}

describe('processChunk', () => {
  const c0 = makeClip('c0', MEDIA_A, { stream: { id: 's', title: 'Café — promo' } })
  const c1 = makeClip('c1', MEDIA_A, { due_at: undefined, priority: undefined, flags: [{ source: 'keyword', label: 'hate' }] })
  const c2 = makeClip('c2', MEDIA_B, { poster: { path: 'media/p/c2.png', sha256: SHA_P, bytes: 9, mime: 'image/png' } })

  test('valid clips → rows in order, with byte ranges, flags and deduplicated media', () => {
    const { bytes, ranges } = packBytes([c0, c1, c2], 7)
    const job: ChunkJob = { seq: 4, first: 0, ranges }
    const result = processChunk(bytes, job)
    expect(result.kind).toBe('rows')
    if (result.kind !== 'rows') return
    expect(result).toMatchObject({ seq: 4, first: 0, count: 3, ids: ['c0', 'c1', 'c2'] })
    expect(result.clips.length).toBe(3 * CLIP_COLUMNS.length)
    const rows = rowsOf(CLIP_COLUMNS, result.clips)
    expect(rows.map((r) => r.id)).toEqual(['c0', 'c1', 'c2'])
    rows.forEach((r, k) => {
      expect(r.json_offset).toBe(ranges[2 * k])
      expect(r.json_length).toBe(ranges[2 * k + 1]! - ranges[2 * k]!)
      expect(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + (r.json_offset as number), r.json_length as number).toString('utf8'))).toEqual(
        JSON.parse(JSON.stringify([c0, c1, c2][k])),
      )
    })
    expect(rows[0]).toEqual({
      id: 'c0',
      captured_at: '2025-08-29T13:05:10+07:00',
      due_at: '2025-08-29T17:05:10+07:00',
      due_sort: Date.parse('2025-08-29T17:05:10+07:00'),
      priority: 50,
      media_sha256: SHA_A,
      poster_sha256: null,
      duration_ms: 30_000,
      stream_title: 'Café — promo',
      account_handle: 'seller.c0',
      region: null,
      commerce: 0,
      flag_labels: '["violence.arson","public_safety.provocation"]',
      flag_sources: '["classifier","user_report"]',
      json_offset: ranges[0],
      json_length: ranges[1]! - ranges[0]!,
      authority: 0,
    })
    expect(rows[1]).toMatchObject({ due_at: null, priority: null, commerce: 1, flag_labels: '["hate"]', flag_sources: '["keyword"]' })
    expect(rows[2]).toMatchObject({ media_sha256: SHA_B, poster_sha256: SHA_P, duration_ms: 20_000 })

    // Two flags for c0 and c2, one for c1.
    expect(result.flags.length).toBe(5 * FLAG_COLUMNS.length)
    const flags = rowsOf(FLAG_COLUMNS, result.flags)
    expect(flags.map((f) => [f.clip_id, f.idx, f.source, f.label])).toEqual([
      ['c0', 0, 'classifier', 'violence.arson'],
      ['c0', 1, 'user_report', 'public_safety.provocation'],
      ['c1', 0, 'keyword', 'hate'],
      ['c2', 0, 'classifier', 'violence.arson'],
      ['c2', 1, 'user_report', 'public_safety.provocation'],
    ])
    expect(flags[0]).toEqual({ clip_id: 'c0', idx: 0, source: 'classifier', label: 'violence.arson', score: 0.91, at_ms: 12_000, count: null, reference: null, due_at: null })
    expect(flags[1]).toMatchObject({ score: null, at_ms: null, count: 14 })

    // c0 and c1 share media A: one declaration, from c0.
    expect(result.media).toEqual([
      { path: MEDIA_A.path, sha256: SHA_A, bytes: MEDIA_A.bytes, mime: 'video/webm', index: 0, id: 'c0', field: 'media' },
      { path: MEDIA_B.path, sha256: SHA_B, bytes: MEDIA_B.bytes, mime: 'video/mp4', index: 2, id: 'c2', field: 'media' },
      { path: 'media/p/c2.png', sha256: SHA_P, bytes: 9, mime: 'image/png', index: 2, id: 'c2', field: 'poster' },
    ])
  })

  test('a chunk in the middle of the pack: indexes count from job.first', () => {
    const { bytes, ranges } = packBytes([c0, c1, c2])
    const result = processChunk(bytes, { seq: 1, first: 1, ranges: ranges.slice(2) })
    expect(result).toMatchObject({ kind: 'rows', first: 1, count: 2, ids: ['c1', 'c2'] })
    if (result.kind !== 'rows') return
    // c1 is the first in this chunk to declare media A.
    expect(result.media.map((m) => [m.index, m.id, m.field])).toEqual([
      [1, 'c1', 'media'],
      [2, 'c2', 'media'],
      [2, 'c2', 'poster'],
    ])
  })

  test('the same path with another sha256 is declared again (the pack-wide rule judges it)', () => {
    const other = makeClip('c3', { ...MEDIA_A, sha256: SHA_B })
    const { bytes, ranges } = packBytes([c0, other, c1])
    const result = processChunk(bytes, { seq: 0, first: 0, ranges })
    expect(result.kind).toBe('rows')
    if (result.kind !== 'rows') return
    expect(result.media.map((m) => [m.id, m.sha256])).toEqual([
      ['c0', SHA_A],
      ['c3', SHA_B],
    ])
  })

  test('an invalid second clip → invalid, naming clips[1], with what the clips before it declared', () => {
    const bad = makeClip('c1', MEDIA_A, { media: { ...MEDIA_A, sha256: SHA_A.toUpperCase() } })
    const { bytes, ranges } = packBytes([c0, bad, c2])
    const result = processChunk(bytes, { seq: 9, first: 0, ranges })
    expect(result).toMatchObject({ seq: 9, kind: 'invalid', first: 0, ids: ['c0'] })
    if (result.kind !== 'invalid') return
    expect(result.message).toContain('clips[1] (id "c1") media.sha256')
    expect(result.details?.[0]?.path).toBe('clips[1] (id "c1") media.sha256')
    expect(result.media).toEqual([{ path: MEDIA_A.path, sha256: SHA_A, bytes: MEDIA_A.bytes, mime: 'video/webm', index: 0, id: 'c0', field: 'media' }])
  })

  test('a clip breaking a refinement or a clip rule → invalid, naming it', () => {
    const unsafe = makeClip('c1', { ...MEDIA_A, path: 'media/../../etc/passwd' })
    const late = makeClip('c1', MEDIA_A, { flags: [{ source: 'classifier', label: 'x', at_ms: 30_001 }] })
    const order = makeClip('c1', MEDIA_A, { segment: { start_ms: 10, end_ms: 9 } })
    for (const [bad, field] of [
      [unsafe, 'media.path'],
      [late, 'flags[0].at_ms'],
      [order, 'segment.end_ms'],
    ] as const) {
      const { bytes, ranges } = packBytes([c0, bad, c2])
      const result = processChunk(bytes, { seq: 0, first: 0, ranges })
      expect(result, field).toMatchObject({ kind: 'invalid', first: 0, ids: ['c0'] })
      if (result.kind === 'invalid') expect(result.message).toContain(`clips[1] (id "c1") ${field}`)
    }
  })

  test('an invalid first clip of a later chunk: its pack index, and no ids', () => {
    const bad = makeClip('c1', MEDIA_A, { flags: [] })
    const { bytes, ranges } = packBytes([c0, bad, c2])
    const result = processChunk(bytes, { seq: 2, first: 1, ranges: ranges.slice(2) })
    expect(result).toMatchObject({ seq: 2, kind: 'invalid', first: 1, ids: [], media: [] })
    if (result.kind === 'invalid') expect(result.message).toContain('clips[1] (id "c1") flags')
  })

  test('bytes that are not JSON → unparsable', () => {
    const { bytes, ranges } = packBytes([c0, c1, c2])
    const [s0, e0, s1, e1] = Array.from(ranges) as [number, number, number, number]
    const half = (s: number, e: number) => s + Math.floor((e - s) / 2)
    for (const cut of [
      [s0, e0, s1, half(s1, e1)],
      [s0, half(s0, e0)],
      [half(s0, e0), e0],
      [s0, e0 - 1],
      [s0, e1],
      [s0 - 1, e0],
      [s0, s0],
    ]) {
      expect(processChunk(bytes, { seq: 3, first: 0, ranges: new Float64Array(cut) }), `ranges ${cut.join(',')}`).toEqual({ seq: 3, kind: 'unparsable' })
    }
  })
})
