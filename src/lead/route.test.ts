import { describe, expect, test } from 'vitest'
import { parseRoute, routeHref } from './route'

describe('routes in the hash', () => {
  test('round-trip, with clip ids of any characters', () => {
    for (const r of [{ page: 'overview' }, { page: 'disputes' }, { page: 'qa' }, { page: 'exports' }, { page: 'admin' }, { page: 'clip', clipId: 'f-1/2 ü#' }] as const) {
      expect(parseRoute(routeHref(r))).toEqual(r)
    }
  })
  test('anything else is the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' })
    expect(parseRoute('#/nope')).toEqual({ page: 'overview' })
    expect(parseRoute('#/clips/%E0%A4%A')).toEqual({ page: 'disputes' })
  })
})
