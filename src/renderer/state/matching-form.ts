import { MATCHING_DEFAULTS, MATCHING_MAX_DISTANCE, type MatchingSettings } from '../../shared/known-content'

/** The matching settings dialog's fields as typed, and what they mean (issue 14). */

export const MATCHING_FIELDS = ['distanceTolerance', 'qualityTolerance', 'queryMatchPercent', 'comparedMatchPercent'] as const
export type MatchingField = (typeof MATCHING_FIELDS)[number]

export const MATCHING_MAX: Record<MatchingField, number> = {
  distanceTolerance: MATCHING_MAX_DISTANCE,
  qualityTolerance: 100,
  queryMatchPercent: 100,
  comparedMatchPercent: 100,
}

export type MatchingDraft = Record<MatchingField, string>

export function draftOf(s: MatchingSettings): MatchingDraft {
  return {
    distanceTolerance: String(s.distanceTolerance),
    qualityTolerance: String(s.qualityTolerance),
    queryMatchPercent: String(s.queryMatchPercent),
    comparedMatchPercent: String(s.comparedMatchPercent),
  }
}

export const DEFAULT_DRAFT: MatchingDraft = draftOf(MATCHING_DEFAULTS)

/** A whole number from 0 to the field's maximum, as typed (no blanks, signs, decimals or exponents). */
function fieldValue(field: MatchingField, text: string): number | null {
  const t = text.trim()
  if (!/^\d{1,3}$/.test(t)) return null
  const n = Number(t)
  return n <= MATCHING_MAX[field] ? n : null
}

/** The fields that are not valid, in field order. */
export function invalidFields(d: MatchingDraft): MatchingField[] {
  return MATCHING_FIELDS.filter((f) => fieldValue(f, d[f]) === null)
}

/** The settings the draft means, or null while a field is not valid. */
export function settingsOf(d: MatchingDraft): MatchingSettings | null {
  if (invalidFields(d).length > 0) return null
  return {
    distanceTolerance: fieldValue('distanceTolerance', d.distanceTolerance)!,
    qualityTolerance: fieldValue('qualityTolerance', d.qualityTolerance)!,
    queryMatchPercent: fieldValue('queryMatchPercent', d.queryMatchPercent)!,
    comparedMatchPercent: fieldValue('comparedMatchPercent', d.comparedMatchPercent)!,
  }
}

/** Whether saving these means matching every hashed video again (the host does it in the background). */
export function needsRematch(before: MatchingSettings, after: MatchingSettings): boolean {
  return before.distanceTolerance !== after.distanceTolerance || before.qualityTolerance !== after.qualityTolerance
}
