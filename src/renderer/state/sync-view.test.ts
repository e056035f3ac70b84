import { describe, expect, test } from 'vitest'
import type { SyncStatus } from '../../shared/sync-status'
import { attentionCount, canRunNow, nextStepKey, syncLine } from './sync-view'

const base = {
  server: { url: 'http://127.0.0.1:8787', reviewerId: 'rina', reviewerName: 'Rina', enrolledAt: '2026-11-29T08:00:00Z' },
  lastSuccessAt: null,
  lastAttemptAt: null,
  counts: { pending: 0, rejected: 0, notices: 0 },
  nextRunAt: null,
}
const status = (s: Record<string, unknown>, counts: Partial<SyncStatus['counts']> = {}): SyncStatus =>
  ({ ...base, ...s, counts: { ...base.counts, ...counts } }) as SyncStatus

describe('the sync line', () => {
  test('each state has its words and tone', () => {
    expect(syncLine(status({ state: 'not_enrolled', server: null }))).toEqual({ key: 'line.notEnrolled', values: {}, tone: 'waiting' })
    expect(syncLine(status({ state: 'up_to_date' }))).toMatchObject({ key: 'line.upToDate', tone: 'ok' })
    expect(syncLine(status({ state: 'up_to_date' }, { pending: 3 }))).toMatchObject({ key: 'line.idlePending', values: { count: 3 }, tone: 'waiting' })
    expect(syncLine(status({ state: 'idle' }))).toMatchObject({ key: 'line.idle' })
    expect(syncLine(status({ state: 'syncing', phase: 'push', done: 500, total: 1200 }))).toEqual({
      key: 'line.syncingOf.push',
      values: { done: 500, total: 1200 },
      tone: 'busy',
    })
    expect(syncLine(status({ state: 'syncing', phase: 'pull', done: 2000, total: null }))).toMatchObject({ key: 'line.syncing.pull', values: { done: 2000 } })
    expect(syncLine(status({ state: 'offline', message: 'ECONNREFUSED', nextRetryAt: null }, { pending: 7 }))).toMatchObject({
      key: 'line.offline',
      values: { count: 7 },
      tone: 'waiting',
    })
    expect(syncLine(status({ state: 'error', code: 'unauthorized', message: 'token revoked', next: '', nextRetryAt: null }))).toMatchObject({
      key: 'line.error.unauthorized',
      tone: 'problem',
    })
  })

  test('a run is offered only when enrolled and idle', () => {
    expect(canRunNow(status({ state: 'not_enrolled', server: null }))).toBe(false)
    expect(canRunNow(status({ state: 'syncing', phase: 'media', done: 1, total: 2 }))).toBe(false)
    expect(canRunNow(status({ state: 'offline', message: '', nextRetryAt: null }))).toBe(true)
    expect(canRunNow(status({ state: 'up_to_date' }))).toBe(true)
  })

  test('next steps say whose move it is', () => {
    expect(nextStepKey('unauthorized')).toBe('next.enrollAgain')
    expect(nextStepKey('forbidden')).toBe('next.askLead')
    expect(nextStepKey('server_error')).toBe('next.retryLater')
    expect(nextStepKey('local')).toBe('next.checkDevice')
    expect(attentionCount(status({ state: 'up_to_date' }, { rejected: 2, notices: 1 }))).toBe(3)
  })
})
