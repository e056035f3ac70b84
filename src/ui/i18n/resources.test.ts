import { describe, expect, it } from 'vitest'
import en from './en.json'
import id from './id.json'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe("the shared components' strings (the ui namespace)", () => {
  it('English and Bahasa Indonesia have the same keys and placeholders, none empty', () => {
    expect(keys(id).sort()).toEqual(keys(en).sort())
    const get = (o: unknown, path: string) => path.split('.').reduce((v: any, k) => v?.[k], o) as string
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
    for (const k of keys(en)) {
      expect(get(en, k).trim(), k).not.toBe('')
      expect(get(id, k).trim(), k).not.toBe('')
      expect(placeholders(get(id, k)), k).toEqual(placeholders(get(en, k)))
    }
  })
})
