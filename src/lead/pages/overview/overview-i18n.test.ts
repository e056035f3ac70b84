import { describe, expect, test } from 'vitest'
import en from '../../i18n/en/overview.json'
import id from '../../i18n/id/overview.json'
import { ASSIGN_PROBLEMS } from './assign-form'
import { OUTCOME_ORDER } from './PackSection'

/** Both languages of the overview's strings have the same keys and the same placeholders. */

function leaves(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]]
  return Object.entries(obj as object).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort()

describe('overview strings', () => {
  test('English and Bahasa Indonesia have the same keys, none empty', () => {
    const enKeys = leaves(en).map(([k]) => k)
    expect(leaves(id).map(([k]) => k).sort()).toEqual([...enKeys].sort())
    for (const [k, v] of [...leaves(en), ...leaves(id)]) expect(v.trim(), k).not.toBe('')
  })

  test('the same placeholders in both languages', () => {
    const idStrings = new Map(leaves(id))
    for (const [k, v] of leaves(en)) expect(placeholders(idStrings.get(k) ?? ''), k).toEqual(placeholders(v))
  })

  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../OverviewPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const used = Object.values(sources).flatMap((src) => [...src.matchAll(/\bt\(\s*'(overview\.[\w.]+)'/g)].map((m) => m[1]!))
    expect(used.length).toBeGreaterThan(50)
    const built = [...OUTCOME_ORDER.map((k) => `overview.outcomes.${k}`), ...ASSIGN_PROBLEMS.map((p) => `overview.assign.errors.${p}`)]
    const have = new Set(leaves(en).map(([k]) => `overview.${k}`))
    for (const key of [...used, ...built]) expect(have.has(key), key).toBe(true)
  })
})
