import { describe, test } from 'vitest'
import { expectPageKeys } from '../../testing/i18n-keys'
import { KAPPA_STRENGTHS } from './qa-format'
import { RULE_ERRORS } from './qa-rule-form'
import { DRAW_BLOCKED } from './QaRules'
import { WINDOW_ERRORS } from './qa-window'

/** The QA page's strings: every key the page looks up. (The same keys and placeholders in both languages: src/lead/i18n/resources.test.ts.) */

describe('QA strings', () => {
  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../QaPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const built = [
      ...RULE_ERRORS.map((e) => `qa.rules.invalid.${e}`),
      ...DRAW_BLOCKED.map((e) => `qa.rules.drawBlocked.${e}`),
      ...WINDOW_ERRORS.map((e) => `qa.report.invalid.${e}`),
      ...KAPPA_STRENGTHS.map((s) => `qa.report.strength.${s}`),
      'qa.rules.saved',
      'qa.rules.savedStratified',
      'qa.rules.inForce',
      'qa.rules.inForceStratified',
    ]
    // A counted string is looked up by its plural forms.
    expectPageKeys('qa', sources, { moreThan: 40, built, plurals: true })
  })
})
