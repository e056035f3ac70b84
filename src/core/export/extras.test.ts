import { describe, expect, test } from 'vitest'
import { makeClip } from '../testing/make-pack'
import { mulberry32 } from '../testing/prng'
import { CLIP_FIELDS, mayHaveUnknownFields, unknownFields } from './extras'

const media = { path: 'media/a.webm', sha256: 'a'.repeat(64), bytes: 10, mime: 'video/webm', duration_ms: 30_000 }
const scan = (value: unknown, space?: number) => mayHaveUnknownFields(Buffer.from(JSON.stringify(value, null, space)), CLIP_FIELDS)

describe('unknown fields of a clip', () => {
  test('a clip with only the fields of field-pack v1 has none', () => {
    const clip = makeClip('c-1', media)
    expect(unknownFields(clip, CLIP_FIELDS)).toBeUndefined()
    expect(scan(clip)).toBe(false)
    expect(scan(clip, 2)).toBe(false)
  })

  test('unknown fields are kept where they are, arrays keeping their positions', () => {
    const clip = makeClip('c-1', media, {
      vendor: { a: [1, { b: 2 }] },
      account: { id: 'x', type: 'business', tier: 'gold' },
      chat: [{ at_ms: 1, author: 'u', text: 't' }, { at_ms: 2, author: 'v', text: 'w', mod: true }],
    })
    expect(unknownFields(clip, CLIP_FIELDS)).toEqual({ vendor: { a: [1, { b: 2 }] }, account: { tier: 'gold' }, chat: [{}, { mod: true }] })
    expect(scan(clip)).toBe(true)
  })

  test('known names in the wrong place, and keys in text, are told apart', () => {
    // "label" is a flag's field, not a stream's; values that look like keys are values.
    const misplaced = makeClip('c-1', media, { stream: { id: 's', label: 'x' } })
    expect(unknownFields(misplaced, CLIP_FIELDS)).toEqual({ stream: { label: 'x' } })
    expect(scan(misplaced)).toBe(true)
    const tricky = makeClip('c-1', media, { transcript: [{ at_ms: 1, text: '"vendor": {"x": [1]} \\" } ] { "a":' }] })
    expect(unknownFields(tricky, CLIP_FIELDS)).toBeUndefined()
    expect(scan(tricky)).toBe(false)
  })

  test('the byte scan never misses what a parse finds (random clips)', () => {
    const rand = mulberry32(7)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'é ünïcode 🔥', '{"id":1}', '":', '\\"', 'a\nb', '']
    const names = ['id', 'label', 'text', 'vendor', 'x', 'é', 'sha256', 'a"b', 'tab\t']
    const value = (depth: number): unknown => {
      const r = rand()
      if (depth > 2 || r < 0.4) return pick([1, 2.5, true, null, ...texts])
      if (r < 0.7) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(names), value(depth + 1)]))
    }
    const sprinkle = (target: Record<string, unknown>) => {
      if (rand() < 0.5) target[pick(names)] = value(0)
    }
    let withExtras = 0
    for (let i = 0; i < 2_000; i++) {
      const clip = makeClip(`c-${i}`, media, { transcript: [{ at_ms: 1, text: pick(texts) }] }) as Record<string, Record<string, unknown> & unknown[]>
      if (rand() < 0.3) sprinkle(clip)
      if (rand() < 0.3) sprinkle(clip.stream!)
      if (rand() < 0.3) sprinkle(clip.flags![0] as Record<string, unknown>)
      if (rand() < 0.3) sprinkle(clip.segment!)
      const found = unknownFields(JSON.parse(JSON.stringify(clip)), CLIP_FIELDS) !== undefined
      if (found) {
        withExtras++
        expect(scan(clip), JSON.stringify(clip)).toBe(true)
        expect(scan(clip, 1), JSON.stringify(clip)).toBe(true)
      }
    }
    expect(withExtras).toBeGreaterThan(200)
  })
})
