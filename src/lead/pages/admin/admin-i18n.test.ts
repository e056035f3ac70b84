import { describe, expect, test } from 'vitest'
import { expectPageKeys } from '../../testing/i18n-keys'
import { FIELD_ERRORS } from './admin-forms'

/** The admin page's strings: every key the page looks up. (The same keys and placeholders in both languages: src/lead/i18n/resources.test.ts.) */

describe('admin strings', () => {
  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../AdminPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const built = [...Object.entries(FIELD_ERRORS).flatMap(([field, errors]) => errors.map((e) => `admin.errors.${field}.${e}`)), 'admin.code.copied', 'admin.code.selected']
    expect(built).toHaveLength(10)
    // A counted string is looked up by its plural forms.
    expectPageKeys('admin', sources, { moreThan: 40, built, plurals: true })
  })
})
