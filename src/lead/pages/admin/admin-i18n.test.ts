import { describe, expect, test } from 'vitest'
import en from '../../i18n/en/admin.json'
import id from '../../i18n/id/admin.json'
import { FIELD_ERRORS } from './admin-forms'

/** The admin page's strings: the same keys and placeholders in both languages, and every key the page looks up. */

function leaves(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]]
  return Object.entries(obj as object).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort()

describe('admin strings', () => {
  test('English and Bahasa Indonesia have the same keys, none empty', () => {
    expect(leaves(id).map(([k]) => k).sort()).toEqual(leaves(en).map(([k]) => k).sort())
    for (const [k, v] of [...leaves(en), ...leaves(id)]) expect(v.trim(), k).not.toBe('')
  })

  test('the same placeholders in both languages', () => {
    const idStrings = new Map(leaves(id))
    for (const [k, v] of leaves(en)) expect(placeholders(idStrings.get(k) ?? ''), k).toEqual(placeholders(v))
  })

  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../AdminPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const used = Object.values(sources).flatMap((src) => [...src.matchAll(/\bt\(\s*'(admin\.[\w.]+)'/g)].map((m) => m[1]!))
    expect(used.length).toBeGreaterThan(40)
    const built = [...Object.entries(FIELD_ERRORS).flatMap(([field, errors]) => errors.map((e) => `admin.errors.${field}.${e}`)), 'admin.code.copied', 'admin.code.selected']
    expect(built).toHaveLength(10)
    const have = new Set(leaves(en).map(([k]) => `admin.${k}`))
    // A counted string is looked up by its plural forms.
    for (const key of [...used, ...built]) expect(have.has(key) || (have.has(`${key}_one`) && have.has(`${key}_other`)), key).toBe(true)
  })
})
