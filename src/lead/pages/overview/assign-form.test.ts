import { describe, expect, test } from 'vitest'
import { AssignBody } from '../../../shared/lead-api'
import { buildAssignBody, EMPTY_ASSIGN_FORM, firstInvalidField, localDateTimeToIso, validateAssignForm, type AssignFormState } from './assign-form'

const form = (s: Partial<AssignFormState>): AssignFormState => ({ ...EMPTY_ASSIGN_FORM, reviewerIds: ['rina'], ...s })

describe('the assignment form', () => {
  test('every clip to each chosen reviewer: no filter, no count, even when filters were typed', () => {
    const built = buildAssignBody('pk-1', form({ reviewerIds: ['rina', 'budi', 'rina'], unassignedOnly: true, minPriority: '5', count: '3' }))
    expect(built).toEqual({ ok: true, body: { pack_id: 'pk-1', reviewer_ids: ['rina', 'budi'], mode: 'all', split: false } })
  })

  test('filter mode sends only the filters set, the deadline as an ISO instant', () => {
    const built = buildAssignBody('pk-1', form({ mode: 'filter', unassignedOnly: true, authorityOnly: false, minPriority: ' 40 ', dueBefore: '2026-12-03T14:00', split: true }))
    expect(built.ok).toBe(true)
    if (!built.ok) return
    expect(built.body).toEqual({
      pack_id: 'pk-1',
      reviewer_ids: ['rina'],
      mode: 'filter',
      split: true,
      filter: { unassigned_only: true, min_priority: 40, due_before: new Date(2026, 11, 3, 14, 0).toISOString() },
    })
    expect(AssignBody.safeParse(built.body).success).toBe(true)
    // No filter set: none sent (the service then takes every clip).
    expect(buildAssignBody('pk-1', form({ mode: 'filter' }))).toEqual({ ok: true, body: { pack_id: 'pk-1', reviewer_ids: ['rina'], mode: 'filter', split: false } })
  })

  test('count mode sends the count with the filters', () => {
    const built = buildAssignBody('pk-1', form({ mode: 'count', count: '25', authorityOnly: true, split: true, reviewerIds: ['rina', 'budi'] }))
    expect(built).toEqual({ ok: true, body: { pack_id: 'pk-1', reviewer_ids: ['rina', 'budi'], mode: 'count', split: true, count: 25, filter: { authority: true } } })
  })

  test('refused before sending: no reviewer, no or a bad count, a bad priority or date', () => {
    expect(validateAssignForm(form({ reviewerIds: [] }))).toEqual({ reviewers: 'reviewersRequired' })
    expect(validateAssignForm(form({ mode: 'count' }))).toEqual({ count: 'countRequired' })
    for (const count of ['0', '-3', '2.5', 'x', '1000001']) expect(validateAssignForm(form({ mode: 'count', count })).count, count).toBe('countInvalid')
    expect(validateAssignForm(form({ mode: 'count', count: '1000000' }))).toEqual({})
    expect(validateAssignForm(form({ mode: 'filter', minPriority: '1001' }))).toEqual({ minPriority: 'minPriorityInvalid' })
    expect(validateAssignForm(form({ mode: 'filter', minPriority: '0' }))).toEqual({})
    expect(validateAssignForm(form({ mode: 'filter', dueBefore: '2026-02-31T10:00' }))).toEqual({ dueBefore: 'dueBeforeInvalid' })
    // A filter left over from another mode does not block "every clip".
    expect(validateAssignForm(form({ mode: 'all', minPriority: 'x', count: 'y' }))).toEqual({})
    const errors = validateAssignForm(form({ reviewerIds: [], mode: 'count', minPriority: '-1' }))
    expect(errors).toEqual({ reviewers: 'reviewersRequired', minPriority: 'minPriorityInvalid', count: 'countRequired' })
    expect(firstInvalidField(errors)).toBe('reviewers')
    expect(firstInvalidField({ count: 'countRequired', dueBefore: 'dueBeforeInvalid' })).toBe('dueBefore')
    expect(firstInvalidField({})).toBeNull()
    expect(buildAssignBody('pk-1', form({ reviewerIds: [] }))).toEqual({ ok: false, errors: { reviewers: 'reviewersRequired' } })
  })

  test('datetime-local values are read in the local time zone', () => {
    expect(localDateTimeToIso('2026-12-03T14:00')).toBe(new Date(2026, 11, 3, 14, 0).toISOString())
    expect(localDateTimeToIso('2026-12-03T14:00:30')).toBe(new Date(2026, 11, 3, 14, 0, 30).toISOString())
    expect(localDateTimeToIso('2026-12-03T14:00:30.5')).toBe(new Date(2026, 11, 3, 14, 0, 30, 500).toISOString())
    for (const bad of ['', '2026-12-03', '2026-13-01T10:00', '2026-12-03T24:00', 'tomorrow']) expect(localDateTimeToIso(bad), bad).toBeNull()
  })
})
