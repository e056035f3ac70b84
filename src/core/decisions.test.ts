import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import { TinjauError } from '../shared/errors'
import { DecisionDraft, type DecisionDraftInput } from '../shared/policy'
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
  const t = openTestTinjau()
  open.push(t)
  await t.handlers['pack.importDirectory']({ path: makePack(n) })
  return t
}

const record = (t: Tinjau, input: DecisionDraftInput) => t.handlers['decision.record'](DecisionDraft.parse(input))
const removal: DecisionDraftInput = { clipId: 'clip-000000', categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn the market' }

function refusal(t: Tinjau & { dataDir: string }, input: DecisionDraftInput): TinjauError {
  return refusedWithoutChange(t, () => record(t, input))
}

describe('recording a decision', () => {
  test('writes decision, outbox entry, clip status and audit entry together', async () => {
    const t = await profileWithClips()
    const d = record(t, { ...removal, ranges: [{ startMs: 1000, endMs: 4000, label: 'call to burn', note: 'at the market' }] })
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(d).toMatchObject({ policyId: 'live-safety', policyVersion: '2025.09', syncState: 'pending', revisesId: null, deviceId: t.identity.deviceId })
    const { sqlite } = t.store
    expect(sqlite.prepare('SELECT decision_id FROM outbox').pluck().all()).toEqual([d.id])
    expect(sqlite.prepare("SELECT status FROM clips WHERE id = 'clip-000000'").pluck().get()).toBe('decided')
    const audit = sqlite.prepare("SELECT kind, subject, payload FROM audit_log WHERE kind LIKE 'decision.%'").all() as any[]
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0].payload).decisionId).toBe(d.id)
    expect(t.handlers['clip.get']({ clipId: 'clip-000000' }).decisions[0]!.ranges).toEqual([{ startMs: 1000, endMs: 4000, label: 'call to burn', note: 'at the market' }])
  })

  test('escalation puts the clip in the escalated state', async () => {
    const t = await profileWithClips()
    record(t, { clipId: 'clip-000001', categories: ['public_safety.coordination'], action: 'escalate', escalationTarget: 'imminent_harm', rationale: 'names a place and time' })
    expect(t.handlers['queue.list']({ status: ['escalated'], limit: 10, offset: 0 }).items.map((i) => i.id)).toEqual(['clip-000001'])
  })

  test('allow needs no rationale', async () => {
    const t = await profileWithClips()
    expect(record(t, { clipId: 'clip-000002', categories: ['ok.commerce'], action: 'allow' }).rationale).toBe('')
  })

  test('a revision is a new decision pointing at the old one; both are kept', async () => {
    const t = await profileWithClips()
    const first = record(t, removal)
    const second = record(t, { ...removal, action: 'limit', rationale: 'on reflection, limit reach', revisesId: first.id })
    expect(second.revisesId).toBe(first.id)
    const history = t.handlers['clip.get']({ clipId: 'clip-000000' }).decisions
    expect(history.map((d) => d.id)).toEqual([first.id, second.id])
    expect(t.store.sqlite.prepare("SELECT kind FROM audit_log WHERE kind LIKE 'decision.%' ORDER BY seq").pluck().all()).toEqual(['decision.recorded', 'decision.revised'])
  })

  test('decisions can be listed newest first, for a clip or all', async () => {
    const t = await profileWithClips()
    const a = record(t, removal)
    const b = record(t, { clipId: 'clip-000002', categories: ['ok.commerce'], action: 'allow' })
    expect(t.handlers['decision.list']({ limit: 10, offset: 0 })).toMatchObject({ total: 2, items: [{ id: b.id }, { id: a.id }] })
    expect(t.handlers['decision.list']({ clipId: 'clip-000002', limit: 10, offset: 0 }).items.map((d) => d.id)).toEqual([b.id])
  })
})

describe('refused decisions change nothing', () => {
  test('unknown clip', async () => {
    const t = await profileWithClips()
    const err = refusal(t, { ...removal, clipId: 'no-such-clip' })
    expect(err.code).toBe('not_found')
    expect(err.message).toBe('no clip with id "no-such-clip"')
  })

  test('category the policy does not have', async () => {
    const t = await profileWithClips()
    const err = refusal(t, { ...removal, categories: ['violence.arson', 'made.up'] })
    expect(err.code).toBe('policy_violation')
    expect(err.message).toMatch(/category "made\.up" is not in the policy/)
    expect(err.details).toContainEqual({ path: 'categories', message: 'category "made.up" is not in the policy' })
  })

  test('rationale missing where required', async () => {
    const t = await profileWithClips()
    const err = refusal(t, { ...removal, rationale: '   ' })
    expect(err.code).toBe('policy_violation')
    expect(err.message).toMatch(/a rationale is required for action "remove"/)
  })

  test('violations mixed with no-violation labels, and an action the kind does not allow', async () => {
    const t = await profileWithClips()
    expect(refusal(t, { ...removal, categories: ['violence.arson', 'ok.news'] }).message).toMatch(/mix violations and no-violation/)
    expect(refusal(t, { ...removal, categories: ['ok.news'], action: 'remove' }).message).toMatch(/action "remove" is not allowed with no_violation/)
    expect(refusal(t, { ...removal, action: 'allow' }).message).toMatch(/action "allow" is not allowed with violation/)
  })

  test('escalation without a target, and ranges outside the clip', async () => {
    const t = await profileWithClips()
    expect(refusal(t, { ...removal, action: 'escalate' }).message).toMatch(/escalation target is required/)
    expect(refusal(t, { ...removal, ranges: [{ startMs: 5000, endMs: 1000, label: '', note: '' }] }).message).toMatch(/ends before it starts/)
    expect(refusal(t, { ...removal, ranges: [{ startMs: 0, endMs: 60_000, label: '', note: '' }] }).message).toMatch(/ends after the clip \(30000 ms\)/)
  })

  test('a second decision must revise the one in force, never overwrite it', async () => {
    const t = await profileWithClips()
    const first = record(t, removal)
    const err = refusal(t, removal)
    expect(err.code).toBe('conflict')
    expect(err.message).toContain(first.id)
    const second = record(t, { ...removal, revisesId: first.id })
    expect(refusal(t, { ...removal, revisesId: first.id }).message).toMatch(`is not the one in force on clip "clip-000000" (that is ${second.id})`)
  })
})

describe('the contract validates before anything runs', () => {
  test('invalid payloads get structured errors and change nothing', async () => {
    const t = await profileWithClips()
    const rows = snapshotRows(t.store.sqlite)
    const bad = await dispatch(t.handlers, 'decision.record', { clipId: 'clip-000000', categories: 'violence.arson', action: 'remove' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_input')
      expect(bad.error.details?.[0]?.path).toBe('categories')
    }
    const extra = await dispatch(t.handlers, 'decision.record', { ...removal, sneaky: true })
    expect(extra.ok || extra.error.message).toMatch(/sneaky/)
    const unknown = await dispatch(t.handlers, 'system.exec', {})
    expect(unknown).toEqual({ ok: false, error: { code: 'invalid_input', message: 'unknown method "system.exec"' } })
    const notObject = await dispatch(t.handlers, 'queue.list', 'DROP TABLE clips')
    expect(notObject.ok).toBe(false)
    const tooBig = await dispatch(t.handlers, 'queue.list', { limit: 100_000 })
    expect(tooBig.ok || tooBig.error.details?.[0]?.path).toBe('limit')
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
  })

  test('a valid payload goes through, and handler errors keep their code', async () => {
    const t = await profileWithClips()
    const ok = await dispatch(t.handlers, 'decision.record', removal)
    expect(ok.ok).toBe(true)
    const missing = await dispatch(t.handlers, 'clip.get', { clipId: 'nope' })
    expect(missing).toEqual({ ok: false, error: { code: 'not_found', message: 'no clip with id "nope"', details: [{ path: 'clipId', message: 'unknown clip' }] } })
  })
})
