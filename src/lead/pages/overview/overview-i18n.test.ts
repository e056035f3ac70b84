import { describe, test } from 'vitest'
import { expectPageKeys } from '../../testing/i18n-keys'
import { ASSIGN_PROBLEMS } from './assign-form'
import { OUTCOME_ORDER } from './PackSection'

/** The overview's strings: every key the page looks up. (The same keys and placeholders in both languages: src/lead/i18n/resources.test.ts.) */

describe('overview strings', () => {
  test('every key the page looks up is there, the built ones too', () => {
    const sources = import.meta.glob<string>(['./*.tsx', '../OverviewPage.tsx', '!./*.test.tsx'], { query: '?raw', import: 'default', eager: true })
    const built = [...OUTCOME_ORDER.map((k) => `overview.outcomes.${k}`), ...ASSIGN_PROBLEMS.map((p) => `overview.assign.errors.${p}`)]
    // No counted strings here: each key stands as it is looked up.
    expectPageKeys('overview', sources, { moreThan: 50, built })
  })
})
