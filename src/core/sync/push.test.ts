import { afterEach, describe, expect, test } from 'vitest'
import { DecisionsDocument } from '../../shared/decision-pack-format'
import { PushRequest, type PushResult } from '../../shared/sync-protocol'
import { buildDecisionsJson } from '../export/decision-pack'
import { resolveSelection } from '../export/selection'
import { openExportProfile, type TestProfile } from '../export/test-profile'
import { SyncRequestError } from './http'
import { checkResults, Outbox, OUTBOX_COUNT_SQL } from './push'

let p: TestProfile | null = null
afterEach(() => {
  p?.close()
  p = null
})

async function profileWithDecisions() {
  p = openExportProfile()
  await p.importPack('pk-push', [{ id: 'c-1' }, { id: 'c-2' }, { id: 'c-3' }, { id: 'c-4' }])
  const a = p.record({ clipId: 'c-1', categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn', ranges: [{ startMs: 1000, endMs: 4000, label: 'call', note: 'n' }] })
  p.at('2025-09-01T08:01:00.000Z')
  const b = p.record({ clipId: 'c-2', categories: ['ok.commerce'], action: 'allow' })
  p.at('2025-09-01T08:02:00.000Z')
  const a2 = p.record({ clipId: 'c-1', categories: ['violence.arson'], action: 'limit', rationale: 'limit instead', revisesId: a.id })
  p.at('2025-09-01T08:03:00.000Z')
  const c = p.record({ clipId: 'c-3', categories: ['public_safety.coordination'], action: 'escalate', escalationTarget: 'imminent_harm', rationale: 'time and place' })
  return { p, ids: [a.id, b.id, a2.id, c.id] }
}

const status = (p: TestProfile, clipId: string) => p.t.store.sqlite.prepare('SELECT status FROM clips WHERE id = ?').pluck().get(clipId)
const outboxRow = (p: TestProfile, id: string) => p.t.store.sqlite.prepare('SELECT * FROM outbox WHERE decision_id = ?').get(id) as Record<string, unknown>

describe('outbox batches', () => {
  test('a batch is a valid signed-push body: unsent decisions in outbox order, each exactly as a decision pack holds it', async () => {
    const { p, ids } = await profileWithDecisions()
    const outbox = new Outbox(p.t.store.sqlite, p.t.identity)
    const batch = outbox.nextBatch(0, 500)!
    const body = PushRequest.parse(JSON.parse(batch.body.toString('utf8')))
    expect(body.device_id).toBe(p.t.identity.deviceId)
    expect(body.batch_id).toBe(batch.batchId)
    expect(body.decisions.map((d) => d.id)).toEqual(ids)
    expect(batch.ids).toEqual(ids)
    expect(batch.clipIds).toEqual(['c-1', 'c-2', 'c-1', 'c-3'])
    // The mapping is the decision pack's own: the same decisions exported are the same objects.
    const sel = resolveSelection(p.t.store.sqlite, {})
    const doc = DecisionsDocument.parse(JSON.parse(buildDecisionsJson(p.source, 'ed25519:' + 'A'.repeat(43) + '=', sel, '2025-09-02T00:00:00Z').bytes.toString('utf8')))
    const exported = new Map(doc.decisions.map((d) => [d.id, d]))
    for (const d of body.decisions) expect(d).toEqual(exported.get(d.id))
    expect(body.decisions[2]).toMatchObject({ revises_id: ids[0], action: 'limit', pack_id: 'pk-push' })
    expect(body.decisions[0]!.ranges).toEqual([{ start_ms: 1000, end_ms: 4000, label: 'call', note: 'n' }])
  })

  test('batches hold at most `limit` decisions, and past the first at most `maxBytes` of body', async () => {
    const { p, ids } = await profileWithDecisions()
    const outbox = new Outbox(p.t.store.sqlite, p.t.identity)
    const first = outbox.nextBatch(0, 3)!
    expect(first.ids).toEqual(ids.slice(0, 3))
    const second = outbox.nextBatch(first.seqs.at(-1)!, 3)!
    expect(second.ids).toEqual(ids.slice(3))
    expect(outbox.nextBatch(second.seqs.at(-1)!, 3)).toBeNull()
    // A tiny byte budget: one decision each, never none.
    const tiny = outbox.nextBatch(0, 500, 10)!
    expect(tiny.ids).toEqual(ids.slice(0, 1))
    const oneLine = tiny.body.length
    const two = outbox.nextBatch(0, 500, oneLine * 2)!
    expect(two.ids.length).toBeGreaterThanOrEqual(1)
    expect(two.body.length).toBeLessThanOrEqual(oneLine * 2)
    expect(PushRequest.safeParse(JSON.parse(two.body.toString('utf8'))).success).toBe(true)
  })

  test('answers: stored and duplicate are acks, rejected rows are kept with the reason and left out of later batches', async () => {
    const { p, ids } = await profileWithDecisions()
    const outbox = new Outbox(p.t.store.sqlite, p.t.identity, () => new Date('2025-09-03T00:00:00.000Z'))
    const batch = outbox.nextBatch(0, 500)!
    const decisionsBefore = p.t.store.sqlite.prepare('SELECT * FROM decisions ORDER BY id').all()
    const results: PushResult[] = [
      { id: ids[0]!, outcome: 'stored' },
      { id: ids[1]!, outcome: 'rejected', rejection: 'not_assigned', message: 'clip c-2 is not assigned to you' },
      { id: ids[2]!, outcome: 'duplicate' },
      { id: ids[3]!, outcome: 'stored', adjudication: true },
    ]
    expect(outbox.applyResults(batch, checkResults(batch, { results }, 'push'))).toEqual({ stored: 2, duplicate: 1, rejected: 1 })
    expect(outboxRow(p, ids[0]!)).toMatchObject({ acked_at: '2025-09-03T00:00:00.000Z', rejected_at: null, attempts: 1 })
    expect(outboxRow(p, ids[1]!)).toMatchObject({ acked_at: null, rejected_at: '2025-09-03T00:00:00.000Z', rejection: 'not_assigned', last_error: 'clip c-2 is not assigned to you' })
    // Every decision on c-1 (the first and its revision) acknowledged: synced. c-2's was refused: still decided.
    // c-3's escalation was acknowledged, and the clip still waits for the escalation's target.
    expect([status(p, 'c-1'), status(p, 'c-2'), status(p, 'c-3'), status(p, 'c-4')]).toEqual(['synced', 'decided', 'escalated', 'pending'])
    // The decisions themselves are untouched (and the database would refuse otherwise).
    expect(p.t.store.sqlite.prepare('SELECT * FROM decisions ORDER BY id').all()).toEqual(decisionsBefore)
    expect(outbox.pendingCount()).toBe(0)
    expect(outbox.rejectedCount()).toBe(1)
    expect(outbox.nextBatch(0, 500)).toBeNull()
    expect(outbox.rejectedDecisions()).toEqual([
      { decisionId: ids[1], clipId: 'c-2', reviewerId: p.t.identity.reviewerId, decidedAt: '2025-09-01T08:01:00.000Z', rejectedAt: '2025-09-03T00:00:00.000Z', rejection: 'not_assigned', message: 'clip c-2 is not assigned to you' },
    ])
    expect(p.t.store.sqlite.prepare("SELECT payload FROM audit_log WHERE kind = 'sync.pushed'").pluck().all().map((s) => JSON.parse(s as string))).toEqual([
      { stored: 2, duplicate: 1, rejected: 1, rejectedDecisions: [{ id: ids[1], rejection: 'not_assigned' }] },
    ])
    // Put back by hand, it is sent again.
    expect(outbox.requeueRejected()).toBe(1)
    expect(outbox.nextBatch(0, 500)!.ids).toEqual([ids[1]])
  })

  test('a push that got no answer counts an attempt and keeps the reason on each of its rows', async () => {
    const { p, ids } = await profileWithDecisions()
    const outbox = new Outbox(p.t.store.sqlite, p.t.identity)
    const batch = outbox.nextBatch(0, 2)!
    outbox.recordFailure(batch, 'push of 2 decisions: the server could not be reached (ECONNREFUSED)')
    outbox.recordFailure(batch, 'push of 2 decisions: the server answered 503 unavailable')
    expect(outboxRow(p, ids[0]!)).toMatchObject({ attempts: 2, last_error: 'push of 2 decisions: the server answered 503 unavailable', acked_at: null })
    expect(outboxRow(p, ids[2]!)).toMatchObject({ attempts: 0, last_error: null })
    expect(outbox.nextBatch(0, 500)!.ids).toEqual(ids)
  })

  test('an answer that does not speak of exactly the decisions sent, in order, is refused whole', async () => {
    const { p, ids } = await profileWithDecisions()
    const outbox = new Outbox(p.t.store.sqlite, p.t.identity)
    const batch = outbox.nextBatch(0, 2)!
    const short = () => checkResults(batch, { results: [{ id: ids[0]!, outcome: 'stored' }] }, 'push of 2 decisions')
    expect(short).toThrow(SyncRequestError)
    expect(short).toThrow(/answered for 1 decisions, not the 2 pushed/)
    const swapped = () => checkResults(batch, { results: [{ id: ids[1]!, outcome: 'stored' }, { id: ids[0]!, outcome: 'stored' }] }, 'push')
    expect(swapped).toThrow(/answer 0 is for decision/)
  })

  test('the counts read after every save walk an index of the rows they count, never the whole outbox', async () => {
    const { p } = await profileWithDecisions()
    const sqlite = p.t.store.sqlite
    const plan = (q: string) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail)
    // The outbox keeps every row it ever held: a plain scan grows with the profile's whole history.
    expect(plan(OUTBOX_COUNT_SQL.pending)).toEqual(['SCAN outbox USING INDEX outbox_unsent'])
    expect(plan(OUTBOX_COUNT_SQL.rejected)).toEqual(['SCAN outbox USING INDEX outbox_rejected'])
    // And they count what they say, with rows of every state in the table.
    const outbox = new Outbox(sqlite, p.t.identity)
    const batch = outbox.nextBatch(0, 500)!
    const results: PushResult[] = batch.ids.map((id, i) => (i === 1 ? { id, outcome: 'rejected', rejection: 'not_assigned', message: 'not assigned' } : { id, outcome: 'stored' }))
    outbox.applyResults(batch, results)
    p.record({ clipId: 'c-4', categories: ['ok.commerce'], action: 'allow' })
    expect([outbox.pendingCount(), outbox.rejectedCount()]).toEqual([1, 1])
    expect(sqlite.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(5)
  })
})
