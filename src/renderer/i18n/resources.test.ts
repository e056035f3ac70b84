import { describe, expect, it } from 'vitest'
import { CLIP_STATUSES } from '../../shared/domain'
import { ERROR_CODES } from '../../shared/errors'
import { FLAG_SOURCES } from '../../shared/field-pack'
import { Policy } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import en from './en.json'
import id from './id.json'
import { createI18n } from './i18n'
import { PROBLEM_CODES, problemMessage } from '../../ui/i18n/problems'
import uiEn from '../../ui/i18n/en.json'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('translations', () => {
  it('English and Bahasa Indonesia have the same keys, none empty', () => {
    expect(keys(id).sort()).toEqual(keys(en).sort())
    const values = (o: unknown): string[] => (typeof o === 'string' ? [o] : Object.values(o as object).flatMap(values))
    for (const v of [...values(en), ...values(id)]) expect(v.trim()).not.toBe('')
  })

  it('uses the same placeholders in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
    const get = (o: unknown, path: string) => path.split('.').reduce((v: any, k) => v?.[k], o) as string
    for (const k of keys(en)) expect(placeholders(get(id, k)), k).toEqual(placeholders(get(en, k)))
  })

  it('covers every status, flag source, error code and problem code', () => {
    const all = new Set(keys(en))
    for (const s of CLIP_STATUSES) expect(all.has(`status.${s}`)).toBe(true)
    for (const s of FLAG_SOURCES) expect(all.has(`source.${s}`)).toBe(true)
    for (const c of ERROR_CODES) expect(all.has(`error.title.${c}`)).toBe(true)
    const ui = new Set(keys(uiEn))
    for (const c of PROBLEM_CODES) expect(ui.has(`problem.${c}`)).toBe(true)
  })

  it('fills problem messages with names from the policy', () => {
    const policy = Policy.parse(policyJson)
    const i18n = createI18n('id')
    const msg = problemMessage(i18n.t, policy, 'id', { code: 'action_not_allowed', field: 'action', params: { action: 'allow', kind: 'violation' } })
    expect(msg).toBe('“Izinkan” tidak diizinkan untuk kategori Pelanggaran.')
    const en = createI18n('en')
    expect(problemMessage(en.t, policy, 'en', { code: 'range_outside_clip', field: 'ranges', params: { index: 0, durationMs: 7500 } })).toBe(
      'Time range 1 ends after the clip (0:07.5).',
    )
  })
})
