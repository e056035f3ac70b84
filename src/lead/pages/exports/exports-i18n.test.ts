import { describe, expect, test } from 'vitest'
import en from '../../i18n/en/exports.json'
import id from '../../i18n/id/exports.json'
import { SKIP_REASONS } from './export-runs'

/** The exports page's strings: the same keys and placeholders in both languages, and every key the page looks up. */

function leaves(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]]
  return Object.entries(obj as object).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort()

describe('DSA export strings', () => {
  test('English and Bahasa Indonesia have the same keys, none empty', () => {
    expect(leaves(id).map(([k]) => k).sort()).toEqual(leaves(en).map(([k]) => k).sort())
    for (const [k, v] of [...leaves(en), ...leaves(id)]) expect(v.trim(), k).not.toBe('')
  })

  test('the same placeholders in both languages', () => {
    const idStrings = new Map(leaves(id))
    for (const [k, v] of leaves(en)) expect(placeholders(idStrings.get(k) ?? ''), k).toEqual(placeholders(v))
  })

  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../ExportsPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const used = Object.values(sources).flatMap((src) => [...src.matchAll(/\bt\(\s*'(exports\.[\w.]+)'/g)].map((m) => m[1]!))
    expect(used.length).toBeGreaterThan(25)
    const built = [
      ...SKIP_REASONS.map((r) => `exports.skip.${r}`),
      'exports.skip.other',
      'exports.result.new',
      'exports.result.all',
      'exports.kind.new',
      'exports.kind.all',
    ]
    const have = new Set(leaves(en).map(([k]) => `exports.${k}`))
    // A counted string is looked up by its plural forms.
    for (const key of [...used, ...built]) expect(have.has(key) || (have.has(`${key}_one`) && have.has(`${key}_other`)), key).toBe(true)
  })
})
