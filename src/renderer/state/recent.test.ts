import { describe, expect, it } from 'vitest'
import type { DecisionRecord } from '../../shared/domain'
import { RECENT_LIMIT, recentEntries, sessionDecisionCount } from './recent'

let n = 0
function decision(over: Partial<DecisionRecord>): DecisionRecord {
  n++
  return {
    id: `d-${n}`,
    clipId: 'clip-1',
    revisesId: null,
    policyId: 'live-safety',
    policyVersion: '2025.09',
    categories: ['ok.commerce'],
    action: 'allow',
    escalationTarget: null,
    ranges: [],
    rationale: '',
    reviewerId: 'r',
    deviceId: 'dev',
    decidedAt: '2026-11-29T10:00:00.000Z',
    matchedFrom: null,
    syncState: 'pending',
    ...over,
  }
}

const start = Date.parse('2026-11-29T09:00:00.000Z')

describe('recent decisions strip', () => {
  it('shows this session and this device only, newest first, one entry per clip', () => {
    const revision = decision({ clipId: 'a', decidedAt: '2026-11-29T10:05:00.000Z', revisesId: 'x' })
    const original = decision({ clipId: 'a', decidedAt: '2026-11-29T10:01:00.000Z' })
    const other = decision({ clipId: 'b', decidedAt: '2026-11-29T10:02:00.000Z' })
    const before = decision({ clipId: 'c', decidedAt: '2026-11-29T08:59:59.999Z' })
    const elsewhere = decision({ clipId: 'd', decidedAt: '2026-11-29T10:03:00.000Z', deviceId: 'other' })
    const entries = recentEntries([revision, elsewhere, other, original, before], start, 'dev')
    expect(entries.map((e) => [e.decision.id, e.count])).toEqual([
      [revision.id, 2],
      [other.id, 1],
    ])
  })

  it('can revise an entry until it is synced', () => {
    const entries = recentEntries([decision({ clipId: 'a', syncState: 'acked' }), decision({ clipId: 'b' })], start, 'dev')
    expect(entries.map((e) => e.revisable)).toEqual([false, true])
  })

  it('keeps at least the last ten', () => {
    const many = Array.from({ length: 30 }, (_, i) => decision({ clipId: `c${i}`, decidedAt: new Date(start + (30 - i) * 1000).toISOString() }))
    const entries = recentEntries(many, start, 'dev')
    expect(RECENT_LIMIT).toBeGreaterThanOrEqual(10)
    expect(entries).toHaveLength(RECENT_LIMIT)
    expect(entries[0]!.decision.clipId).toBe('c0')
  })

  it('counts decisions of the session from the profile total', () => {
    expect(sessionDecisionCount(57, 50)).toBe(7)
    expect(sessionDecisionCount(5, null)).toBe(0)
    expect(sessionDecisionCount(3, 5)).toBe(0)
  })
})
