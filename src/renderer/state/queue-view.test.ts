import { describe, expect, test } from 'vitest'
import { QueueQuery } from '../../shared/domain'
import { activeFilterCount, DEFAULT_VIEW, queryOf } from './queue-view'

describe('the query of a queue view', () => {
  test('the default view asks for everything, by urgency', () => {
    expect(queryOf(DEFAULT_VIEW)).toEqual({})
    expect(activeFilterCount(DEFAULT_VIEW)).toBe(0)
  })

  test('every choice becomes its filter, and the contract accepts the result', () => {
    const view = {
      status: 'pending',
      category: 'violence.arson',
      source: 'authority_request',
      region: ' id-jk ',
      commerce: 'no',
      dueWithinHours: 4,
      search: '  bakar  ',
      sort: 'priority',
      known: 'decided',
      groupCopies: true,
    } as const
    const q = queryOf(view)
    expect(q).toEqual({
      status: ['pending'],
      categories: ['violence.arson'],
      sources: ['authority_request'],
      region: 'ID-JK',
      commerce: false,
      dueWithinHours: 4,
      search: 'bakar',
      sort: 'priority',
      hasMatch: 'decided',
      groupCopies: true,
    })
    expect(QueueQuery.strict().safeParse(q).success).toBe(true)
    expect(activeFilterCount(view)).toBe(6)
    expect(queryOf({ ...DEFAULT_VIEW, known: 'match' })).toEqual({ hasMatch: 'any' })
  })

  test('over-long input is cut to what the contract takes, never refused', () => {
    const q = queryOf({ ...DEFAULT_VIEW, region: 'x'.repeat(40), search: 'y'.repeat(900), dueWithinHours: 0, commerce: 'yes' })
    expect(QueueQuery.strict().safeParse(q).success).toBe(true)
    expect(q.dueWithinHours).toBe(0)
    expect(q.commerce).toBe(true)
  })
})
