import { describe, expect, test } from 'vitest'
import { makeRedactor } from './redact'

describe('redacting personal strings from free text', () => {
  test('identifiers, whatever their case, as whole words only', () => {
    const redact = makeRedactor(['ana', 'batik.bu.sri', 'Batik Bu Sri', null, undefined, '  '])
    expect(redact('ANA checked @batik.bu.sri (batik bu sri); analysis by banana')).toBe('[redacted] checked @[redacted] ([redacted]); analysis by banana')
  })

  test('whole chat and transcript lines wherever they stand; short ones are left', () => {
    const redact = makeRedactor([], ['bakar saja tokonya!', 'ok', 'ayo kumpul'])
    expect(redact('chat said "Bakar saja tokonya!" and ok, then ayo kumpulkan')).toBe('chat said "[redacted]" and ok, then [redacted]kan')
  })

  test('overlapping matches become one', () => {
    const redact = makeRedactor(['Batik Bu Sri', 'Bu Sri'])
    expect(redact('Batik Bu Sri, Bu Sri')).toBe('[redacted], [redacted]')
  })

  test('text whose lower case is longer (İ) is searched as written', () => {
    const redact = makeRedactor(['seller77'])
    expect(redact('İstanbul: seller77 again')).toBe('İstanbul: [redacted] again')
  })

  test('short identifiers are not searched for', () => {
    expect(makeRedactor(['ab'])('ab cd')).toBe('ab cd')
  })
})
