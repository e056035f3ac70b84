import { describe, expect, test } from 'vitest'
import { MATCHING_DEFAULTS, MatchingSettings } from '../../shared/known-content'
import { DEFAULT_DRAFT, draftOf, invalidFields, needsRematch, settingsOf } from './matching-form'

describe('the matching settings form', () => {
  test('the defaults read back as the defaults, and the contract takes them', () => {
    expect(settingsOf(DEFAULT_DRAFT)).toEqual(MATCHING_DEFAULTS)
    expect(MatchingSettings.safeParse(settingsOf(draftOf({ distanceTolerance: 63, qualityTolerance: 0, queryMatchPercent: 100, comparedMatchPercent: 0 }))).success).toBe(true)
  })

  test('each field out of its range, not whole, or blank is named, and nothing is saved', () => {
    const bad = { distanceTolerance: '64', qualityTolerance: '-1', queryMatchPercent: '80.5', comparedMatchPercent: ' ' }
    expect(invalidFields(bad)).toEqual(['distanceTolerance', 'qualityTolerance', 'queryMatchPercent', 'comparedMatchPercent'])
    expect(settingsOf(bad)).toBeNull()
    expect(invalidFields({ ...DEFAULT_DRAFT, queryMatchPercent: '1e2' })).toEqual(['queryMatchPercent'])
    expect(settingsOf({ ...DEFAULT_DRAFT, distanceTolerance: ' 24 ' })).toEqual({ ...MATCHING_DEFAULTS, distanceTolerance: 24 })
  })

  test('only a new distance or quality means matching again', () => {
    expect(needsRematch(MATCHING_DEFAULTS, { ...MATCHING_DEFAULTS, queryMatchPercent: 50, comparedMatchPercent: 20 })).toBe(false)
    expect(needsRematch(MATCHING_DEFAULTS, { ...MATCHING_DEFAULTS, distanceTolerance: 20 })).toBe(true)
    expect(needsRematch(MATCHING_DEFAULTS, { ...MATCHING_DEFAULTS, qualityTolerance: 60 })).toBe(true)
  })
})
