import { AssignBody } from '../../../shared/lead-api'

/**
 * The assignment form's state as typed, its checks, and the AssignBody it sends
 * (docs/lead-api.md, POST /assignments). Filters apply in "filter" and "count" modes (count
 * takes the first N matching clips, most urgent first); "all" sends none.
 */

export type AssignMode = AssignBody['mode']
export const ASSIGN_MODES: readonly AssignMode[] = ['all', 'filter', 'count']

export interface AssignFormState {
  reviewerIds: string[]
  mode: AssignMode
  unassignedOnly: boolean
  authorityOnly: boolean
  /** As typed in the number field; empty: no minimum. */
  minPriority: string
  /** A datetime-local value ("2026-12-03T14:00", the lead's own time); empty: no deadline. */
  dueBefore: string
  /** As typed; needed in "count" mode. */
  count: string
  split: boolean
}

export const EMPTY_ASSIGN_FORM: AssignFormState = {
  reviewerIds: [],
  mode: 'all',
  unassignedOnly: false,
  authorityOnly: false,
  minPriority: '',
  dueBefore: '',
  count: '',
  split: false,
}

export const MIN_PRIORITY_MAX = 1000
export const COUNT_MAX = 1_000_000

export type AssignField = 'reviewers' | 'minPriority' | 'dueBefore' | 'count'
/** Why a field is refused; each has its message in overview.assign.errors. */
export const ASSIGN_PROBLEMS = ['reviewersRequired', 'countRequired', 'countInvalid', 'minPriorityInvalid', 'dueBeforeInvalid'] as const
export type AssignProblem = (typeof ASSIGN_PROBLEMS)[number]
export type AssignErrors = Partial<Record<AssignField, AssignProblem>>

/** The order a lead reads the form in: the first refused field gets the focus. */
export const ASSIGN_FIELD_ORDER: readonly AssignField[] = ['reviewers', 'minPriority', 'dueBefore', 'count']

/** A whole number from a field as typed, or null (blank, fractional, not a number, out of range). */
function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return null
  const n = Number(trimmed)
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null
}

/**
 * A datetime-local value (the browser's own time zone) as an ISO instant, or null when it
 * is not a date and time.
 */
export function localDateTimeToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim())
  if (!m) return null
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number]
  const d = new Date(year, month - 1, day, hour, minute, Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0')))
  // new Date rolls 2026-02-31 over into March: a date that is not one is refused.
  if (Number.isNaN(d.getTime()) || d.getFullYear() !== year || d.getMonth() !== month - 1 || d.getDate() !== day || hour > 23 || minute > 59) return null
  return d.toISOString()
}

export function usesFilter(mode: AssignMode): boolean {
  return mode !== 'all'
}

export function validateAssignForm(state: AssignFormState): AssignErrors {
  const errors: AssignErrors = {}
  if (state.reviewerIds.length === 0) errors.reviewers = 'reviewersRequired'
  if (usesFilter(state.mode)) {
    if (state.minPriority.trim() !== '' && wholeNumber(state.minPriority, 0, MIN_PRIORITY_MAX) === null) errors.minPriority = 'minPriorityInvalid'
    if (state.dueBefore.trim() !== '' && localDateTimeToIso(state.dueBefore) === null) errors.dueBefore = 'dueBeforeInvalid'
  }
  if (state.mode === 'count') {
    if (state.count.trim() === '') errors.count = 'countRequired'
    else if (wholeNumber(state.count, 1, COUNT_MAX) === null) errors.count = 'countInvalid'
  }
  return errors
}

export type AssignBuild = { ok: true; body: AssignBody } | { ok: false; errors: AssignErrors }

/** The request the form makes, or why it cannot be sent yet. */
export function buildAssignBody(packId: string, state: AssignFormState): AssignBuild {
  const errors = validateAssignForm(state)
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  const body: AssignBody = { pack_id: packId, reviewer_ids: [...new Set(state.reviewerIds)], mode: state.mode, split: state.split }
  if (usesFilter(state.mode)) {
    const filter: NonNullable<AssignBody['filter']> = {}
    if (state.unassignedOnly) filter.unassigned_only = true
    if (state.authorityOnly) filter.authority = true
    if (state.minPriority.trim() !== '') filter.min_priority = wholeNumber(state.minPriority, 0, MIN_PRIORITY_MAX)!
    if (state.dueBefore.trim() !== '') filter.due_before = localDateTimeToIso(state.dueBefore)!
    if (Object.keys(filter).length > 0) body.filter = filter
  }
  if (state.mode === 'count') body.count = wholeNumber(state.count, 1, COUNT_MAX)!
  // The schema the service checks against: what passes here passes there.
  return { ok: true, body: AssignBody.parse(body) }
}

export function firstInvalidField(errors: AssignErrors): AssignField | null {
  return ASSIGN_FIELD_ORDER.find((f) => errors[f] !== undefined) ?? null
}
