import { describe, test } from 'vitest'
import { expectPageKeys } from '../../testing/i18n-keys'
import { SKIP_REASONS } from './export-runs'

/** The exports page's strings: every key the page looks up. (The same keys and placeholders in both languages: src/lead/i18n/resources.test.ts.) */

describe('DSA export strings', () => {
  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../ExportsPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const built = [
      ...SKIP_REASONS.map((r) => `exports.skip.${r}`),
      'exports.skip.other',
      'exports.result.new',
      'exports.result.all',
      'exports.kind.new',
      'exports.kind.all',
    ]
    // A counted string is looked up by its plural forms.
    expectPageKeys('exports', sources, { moreThan: 25, built, plurals: true })
  })
})
