import { describe, expect, it } from 'vitest'
import { SYNC_ERROR_CODES } from '../../shared/sync-protocol'
import { createLeadI18n, leadStrings } from './i18n'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}
const get = (o: unknown, path: string) => path.split('.').reduce((v: any, k) => v?.[k], o) as string
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
/** Placeholders by name however they are written: `{{ count }}`, `{{count, number}}`. */
const named = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort()

describe("the lead console's strings", () => {
  it('every part has the same keys and placeholders in English and Bahasa Indonesia, none empty', () => {
    expect(Object.keys(leadStrings.id).sort()).toEqual(Object.keys(leadStrings.en).sort())
    expect(Object.keys(leadStrings.en)).toContain('common')
    expect(keys(leadStrings.id).sort()).toEqual(keys(leadStrings.en).sort())
    for (const k of keys(leadStrings.en)) {
      expect(get(leadStrings.en, k).trim(), k).not.toBe('')
      expect(get(leadStrings.id, k).trim(), k).not.toBe('')
      expect(placeholders(get(leadStrings.id, k)), k).toEqual(placeholders(get(leadStrings.en, k)))
      expect(named(get(leadStrings.id, k)), k).toEqual(named(get(leadStrings.en, k)))
    }
  })

  it("names every error the service or the client can give", () => {
    for (const code of [...SYNC_ERROR_CODES, 'network', 'invalid_response']) expect(get(leadStrings.en, `common.errors.title.${code}`), code).toBeTruthy()
  })

  it('reads the shared components’ strings from the ui namespace', () => {
    const id = createLeadI18n('id')
    expect(id.t('ui:wellness.reveal')).toBe('Tampilkan')
    expect(id.t('disputes.title')).toBe('Klip yang disengketakan')
  })
})
