import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import { TinjauError } from '../shared/errors'
import { DecisionDraft } from '../shared/policy'
import { SKIP_REASON_MAX, type SkipInput } from '../shared/wellness'
import { makePack } from './testing/make-pack'
import { openTestTinjau } from './testing/open-test-tinjau'
import { refusedWithoutChange } from './testing/expect-refused'
import { snapshotRows } from './testing/store-snapshot'
import type { Tinjau } from './tinjau'

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

async function profileWithClips(n = 3) {
  const t = openTestTinjau(undefined, { now: () => new Date('2026-11-29T10:00:00.000Z') })
  open.push(t)
  await t.handlers['pack.importDirectory']({ path: makePack(n) })
  return t
}

const status = (t: Tinjau, id: string) => t.store.sqlite.prepare('SELECT status FROM clips WHERE id = ?').pluck().get(id)
const skipAudit = (t: Tinjau) =>
  (t.store.sqlite.prepare("SELECT kind, subject, actor, device_id, payload FROM audit_log WHERE kind = 'clip.skipped' ORDER BY seq").all() as any[]).map(
    (r) => ({ ...r, payload: JSON.parse(r.payload) }),
  )

/** Calls the handler directly; expects a TinjauError and no change to any row or file. */
function refusedDirectly(t: Tinjau & { dataDir: string }, input: SkipInput): TinjauError {
  return refusedWithoutChange(t, () => t.handlers['clip.skip'](input))
}

describe('skipping a clip', () => {
  test('sets the status and appends an audit entry, and nothing goes to the outbox', async () => {
    const t = await profileWithClips()
    const events: unknown[] = []
    t.onEvent((e, p) => events.push([e, p]))
    const r = t.handlers['clip.skip']({ clipId: 'clip-000001', reason: '  Needs someone who reads Javanese  ' })
    expect(r).toEqual({ clipId: 'clip-000001', reason: 'Needs someone who reads Javanese', skippedAt: '2026-11-29T10:00:00.000Z', previousStatus: 'pending' })
    expect(status(t, 'clip-000001')).toBe('skipped')
    expect(skipAudit(t)).toEqual([
      {
        kind: 'clip.skipped',
        subject: 'clip-000001',
        actor: t.identity.reviewerId,
        device_id: t.identity.deviceId,
        payload: { reason: 'Needs someone who reads Javanese', previousStatus: 'pending' },
      },
    ])
    expect(t.store.sqlite.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0)
    expect(t.handlers['queue.list']({ status: ['skipped'], limit: 10, offset: 0 }).items.map((i) => i.id)).toEqual(['clip-000001'])
    expect(events).toEqual([['queue.changed', { reason: 'skip' }]])
    expect(t.handlers['audit.verify']({}).ok).toBe(true)
  })

  test('status and audit entry are one transaction: a failing audit write leaves the status as it was', async () => {
    const t = await profileWithClips()
    const { sqlite } = t.store
    // Make the audit insert fail inside the transaction, after the status update ran.
    sqlite.exec("CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON audit_log WHEN NEW.kind = 'clip.skipped' BEGIN SELECT RAISE(ABORT, 'audit refused'); END")
    const rows = snapshotRows(sqlite)
    expect(() => t.handlers['clip.skip']({ clipId: 'clip-000000', reason: 'unclear audio' })).toThrow(/audit refused/)
    expect(snapshotRows(sqlite)).toEqual(rows)
    expect(status(t, 'clip-000000')).toBe('pending')
    sqlite.exec('DROP TRIGGER fail_audit')
    t.handlers['clip.skip']({ clipId: 'clip-000000', reason: 'unclear audio' })
    expect(status(t, 'clip-000000')).toBe('skipped')
  })

  test('a skipped clip can be skipped again (new reason, new entry) and decided later', async () => {
    const t = await profileWithClips()
    t.handlers['clip.skip']({ clipId: 'clip-000000', reason: 'first look: need a break' })
    t.handlers['clip.skip']({ clipId: 'clip-000000', reason: 'still unsure' })
    expect(skipAudit(t).map((a) => a.payload)).toEqual([
      { reason: 'first look: need a break', previousStatus: 'pending' },
      { reason: 'still unsure', previousStatus: 'skipped' },
    ])
    const d = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000000', categories: ['ok.commerce'], action: 'allow' }))
    expect(d.revisesId).toBeNull()
    expect(status(t, 'clip-000000')).toBe('decided')
  })

  test('a clip with a decision in force cannot be skipped', async () => {
    const t = await profileWithClips()
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000002', categories: ['ok.commerce'], action: 'allow' }))
    const err = refusedDirectly(t, { clipId: 'clip-000002', reason: 'changed my mind' })
    expect(err.code).toBe('conflict')
    expect(err.details).toEqual([{ path: 'clipId', message: 'clip is decided' }])
  })

  test('an unknown clip, an empty reason or a too long one is refused and changes nothing', async () => {
    const t = await profileWithClips()
    expect(refusedDirectly(t, { clipId: 'no-such-clip', reason: 'x' }).toApiError()).toEqual({
      code: 'not_found',
      message: 'no clip with id "no-such-clip"',
      details: [{ path: 'clipId', message: 'unknown clip' }],
    })
    for (const reason of ['', '   \n ']) {
      const err = refusedDirectly(t, { clipId: 'clip-000000', reason })
      expect(err.code).toBe('invalid_input')
      expect(err.details?.[0]?.path).toBe('reason')
    }
    const long = refusedDirectly(t, { clipId: 'clip-000000', reason: 'x'.repeat(SKIP_REASON_MAX + 1) })
    expect(long.code).toBe('invalid_input')
    expect(long.details).toEqual([{ path: 'reason', message: `at most ${SKIP_REASON_MAX} characters` }])
    expect(status(t, 'clip-000000')).toBe('pending')
  })

  test('through the contract: the schema refuses bad input with details, and changes nothing', async () => {
    const t = await profileWithClips()
    const rows = snapshotRows(t.store.sqlite)
    const cases: [unknown, string, string][] = [
      [{ clipId: 'clip-000000', reason: '' }, 'invalid_input', 'reason'],
      [{ clipId: 'clip-000000', reason: '   ' }, 'invalid_input', 'reason'],
      [{ clipId: 'clip-000000', reason: 'y'.repeat(SKIP_REASON_MAX + 1) }, 'invalid_input', 'reason'],
      [{ clipId: 'clip-000000' }, 'invalid_input', 'reason'],
      [{ clipId: '', reason: 'ok' }, 'invalid_input', 'clipId'],
      [{ clipId: 'clip-000000', reason: 'ok', extra: 1 }, 'invalid_input', '(root)'],
      [{ clipId: 'missing', reason: 'ok' }, 'not_found', 'clipId'],
    ]
    for (const [payload, code, path] of cases) {
      const r = await dispatch(t.handlers, 'clip.skip', payload)
      expect(r.ok, JSON.stringify(payload)).toBe(false)
      if (r.ok) continue
      expect(r.error.code).toBe(code)
      expect(r.error.details?.[0]?.path).toBe(path)
    }
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    const ok = await dispatch(t.handlers, 'clip.skip', { clipId: 'clip-000000', reason: 'ok' })
    expect(ok.ok).toBe(true)
  })
})
