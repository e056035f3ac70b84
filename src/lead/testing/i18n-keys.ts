import { expect } from 'vitest'
import { leadStrings } from '../i18n/i18n'

/**
 * That a page finds its strings: every key its source looks up as a literal (`t('qa.rules.save')`)
 * and every key it builds is in the page's part of the console's strings. That English and
 * Bahasa Indonesia have the same keys and placeholders is checked for all parts at once
 * (src/lead/i18n/resources.test.ts), so English stands for both here.
 */

function leaves(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]]
  return Object.entries(obj as object).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}

/** The English keys of one part, each with the part in front (`admin.leads.none`). */
export function partKeys(part: string): Set<string> {
  const strings = leadStrings.en[part]
  expect(strings, `en/${part}.json`).toBeTypeOf('object')
  return new Set(leaves(strings).map(([k]) => `${part}.${k}`))
}

/** The keys of `part` that these sources look up as literals, once per lookup. */
export function keysLookedUp(part: string, sources: Record<string, string>): string[] {
  const literal = new RegExp(String.raw`\bt\(\s*'(${part}\.[\w.]+)'`, 'g')
  return Object.values(sources).flatMap((src) => [...src.matchAll(literal)].map((m) => m[1]!))
}

export interface KeysCheck {
  /** The sources look up more keys than this (so a scan that finds nothing cannot pass). */
  moreThan: number
  /** Keys the page builds from its values (`qa.report.strength.${s}`), which no scan finds. */
  built?: readonly string[]
  /** A key may stand as its plural forms (`key_one` and `key_other`), as a counted string is looked up. */
  plurals?: boolean
}

/** Every key of `part` the sources look up, and every built one, is in the part's strings. */
export function expectPageKeys(part: string, sources: Record<string, string>, { moreThan, built = [], plurals = false }: KeysCheck): void {
  const used = keysLookedUp(part, sources)
  expect(used.length).toBeGreaterThan(moreThan)
  const have = partKeys(part)
  for (const key of [...used, ...built]) expect(have.has(key) || (plurals && have.has(`${key}_one`) && have.has(`${key}_other`)), key).toBe(true)
}
