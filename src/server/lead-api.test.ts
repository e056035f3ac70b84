import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { zipDirectory } from '../core/testing/make-zip'
import { AgreementReport, ClipDetail, DisputeList, ExportRun, Overview, OutcomeView, PackLoadResult, type AdjudicateBody } from '../shared/lead-api'
import { DsaStatement } from '../shared/dsa-statement'
import { SyncErrorBody } from '../shared/sync-protocol'
import { one, sql } from './db/open'
import { LEAD_SESSION_COOKIE } from './http/lead-auth'
import { addLead } from './ops/leads'
import { writeTestPack } from './testing/fixtures'
import { TestDevice } from './testing/test-device'
import { startTestServer, type TestServer } from './testing/test-server'

/**
 * The lead console's API on the real service (HTTP, PGlite or the real PostgreSQL): a lead
 * loads a pack, assigns it to two reviewers, sees the disagreement, settles it; the DSA
 * export then files one statement per restricting clip. Each refusal changes nothing.
 */

const PASSWORD = 'correct horse battery staple'
let server: TestServer
let pack: ReturnType<typeof writeTestPack>
let adminCookie = ''
let leadCookie = ''
let ana: TestDevice
let budi: TestDevice

interface Call {
  method?: string
  json?: unknown
  body?: BodyInit
  type?: string
  cookie?: string | null
  origin?: string | null
  headers?: Record<string, string>
}

async function call(path: string, opts: Call = {}): Promise<Response> {
  const method = opts.method ?? (opts.json !== undefined || opts.body !== undefined ? 'POST' : 'GET')
  const headers: Record<string, string> = { ...opts.headers }
  const origin = opts.origin === undefined ? server.url : opts.origin
  if (method !== 'GET' && origin !== null) headers.origin = origin
  const cookie = opts.cookie === undefined ? leadCookie : opts.cookie
  if (cookie) headers.cookie = `${LEAD_SESSION_COOKIE}=${cookie}`
  let body: BodyInit | undefined = opts.body
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.type) headers['content-type'] = opts.type
  return fetch(`${server.url}/lead/api${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
}

async function ok<T>(res: Response, schema?: { parse(v: unknown): T }): Promise<T> {
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${res.status}: ${text}`)
  const value = JSON.parse(text) as unknown
  return schema ? schema.parse(value) : (value as T)
}

async function refused(res: Response, status: number, code: string): Promise<string> {
  const body = SyncErrorBody.parse(await res.json())
  expect({ status: res.status, code: body.error.code }).toEqual({ status, code })
  return body.error.message
}

async function signIn(id: string): Promise<string> {
  const res = await call('/session', { json: { id, password: PASSWORD }, cookie: null })
  expect(res.status).toBe(200)
  const set = res.headers.get('set-cookie') ?? ''
  expect(set).toMatch(/HttpOnly/i)
  expect(set).toMatch(/SameSite=Strict/i)
  return /tinjau_lead=([^;]+)/.exec(set)![1]!
}

async function counts(): Promise<{ outcomes: number; packs: number; assignments: number; audit: number }> {
  return (await one<{ outcomes: number; packs: number; assignments: number; audit: number }>(
    server.db(),
    sql`SELECT (SELECT count(*)::int FROM outcomes) AS outcomes, (SELECT count(*)::int FROM packs) AS packs,
               (SELECT count(*)::int FROM assignments) AS assignments, (SELECT count(*)::int FROM service_audit) AS audit`,
  ))!
}

beforeAll(async () => {
  server = await startTestServer()
  await addLead(server.db(), { id: 'adi', name: 'Adi', role: 'admin', password: PASSWORD })
  await addLead(server.db(), { id: 'lina', name: 'Lina', role: 'lead', password: PASSWORD })
  adminCookie = await signIn('adi')
  leadCookie = await signIn('lina')
  pack = writeTestPack(6)
}, 120_000)
afterAll(() => server?.stop())

describe('lead console API', () => {
  it('loads a pack by upload, refusing a broken one without a trace', async () => {
    const before = await counts()
    await refused(await call('/packs', { body: Buffer.from('PK\u0003\u0004 not really a zip'), type: 'application/zip' }), 400, 'invalid_request')
    await refused(await call('/packs', { body: Buffer.from('{}'), type: 'application/json' }), 400, 'invalid_request')
    expect(await counts()).toEqual(before)

    const zip = readFileSync(zipDirectory(pack.dir))
    const loaded = await ok(await call('/packs', { body: zip, type: 'application/zip' }), PackLoadResult)
    expect(loaded).toMatchObject({ pack_id: pack.packId, clips: 6, added: 6, already_loaded: false })
    expect((await ok(await call('/packs', { body: zip, type: 'application/zip' }), PackLoadResult)).already_loaded).toBe(true)
  })

  it('adds reviewers and enrollment codes (admin), and the codes enroll devices', async () => {
    for (const id of ['ana', 'budi']) {
      expect((await call('/admin/reviewers', { json: { id, name: id.toUpperCase() }, cookie: adminCookie })).status).toBe(201)
    }
    // A lead who is not an admin may not.
    const before = await counts()
    await refused(await call('/admin/reviewers', { json: { id: 'eve', name: 'Eve' } }), 403, 'forbidden')
    await refused(await call('/admin/reviewers/ana/codes', { method: 'POST' }), 403, 'forbidden')
    expect(await counts()).toEqual(before)

    const code = async (id: string) => (await ok<{ code: string }>(await call(`/admin/reviewers/${id}/codes`, { method: 'POST', cookie: adminCookie }))).code
    ana = new TestDevice(server.url)
    await ana.enroll(await code('ana'))
    budi = new TestDevice(server.url)
    await budi.enroll(await code('budi'))
  })

  it('assigns all, by filter and by count; an unknown reviewer changes nothing', async () => {
    const before = await counts()
    await refused(await call('/assignments', { json: { pack_id: pack.packId, reviewer_ids: ['ana', 'nobody'], mode: 'all' } }), 404, 'not_found')
    await refused(await call('/assignments', { json: { pack_id: pack.packId, reviewer_ids: ['ana'], mode: 'count' } }), 400, 'invalid_request')
    await refused(await call('/assignments', { json: { pack_id: pack.packId, reviewer_ids: ['ana'], mode: 'all', extra: 1 } }), 400, 'invalid_request')
    expect(await counts()).toEqual(before)

    // The first 4 (urgency, then pack order) to both; then the rest, dealt out, to whoever has none yet.
    const first = await ok<{ changed: Record<string, number>; clips: number }>(
      await call('/assignments', { json: { pack_id: pack.packId, reviewer_ids: ['ana', 'budi'], mode: 'count', count: 4 } }),
    )
    expect(first).toEqual({ changed: { ana: 4, budi: 4 }, clips: 4 })
    const rest = await ok<{ changed: Record<string, number>; clips: number }>(
      await call('/assignments', { json: { pack_id: pack.packId, reviewer_ids: ['ana', 'budi'], mode: 'filter', filter: { unassigned_only: true }, split: true } }),
    )
    expect(rest).toEqual({ changed: { ana: 1, budi: 1 }, clips: 2 })
    const o = await ok(await call('/overview'), Overview)
    const p = o.packs.find((x) => x.pack_id === pack.packId)!
    expect(p.assigned).toBe(6)
    expect(Object.fromEntries(p.reviewers.map((r) => [r.reviewer_id, r.assigned]))).toEqual({ ana: 5, budi: 5 })
  })

  let disputedClip = ''
  it('lists the disputed clips, most urgent first, a page at a time', async () => {
    const c = pack.clipIds
    const t0 = Date.now() - 10 * 60_000
    const at = (s: number) => new Date(t0 + s * 1000).toISOString()
    // Both remove clip 0; they disagree on 1, 2 and 3.
    expect((await ana.push([0, 1, 2, 3].map((i) => ana.decision(c[i]!, { decided_at: at(i * 30) })))).status).toBe(200)
    expect(
      (
        await budi.push([
          budi.decision(c[0]!, { decided_at: at(10) }),
          ...[1, 2, 3].map((i) => budi.decision(c[i]!, { decided_at: at(10 + i * 40), action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' })),
        ])
      ).status,
    ).toBe(200)

    const all = await ok(await call('/disputes'), DisputeList)
    expect(all.total).toBe(3)
    expect(all.items.map((i) => i.clip_id).sort()).toEqual([c[1], c[2], c[3]])
    expect(all.items[0]!.decisions.map((d) => d.reviewer_id).sort()).toEqual(['ana', 'budi'])
    // Paged one by one, the same clips in the same order, none twice.
    const paged: string[] = []
    let cursor: string | null = null
    do {
      const page: DisputeList = await ok(await call(`/disputes?limit=1${cursor ? `&cursor=${cursor}` : ''}`), DisputeList)
      paged.push(...page.items.map((i) => i.clip_id))
      cursor = page.next
    } while (cursor)
    expect(paged).toEqual(all.items.map((i) => i.clip_id))
    await refused(await call('/disputes?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid_request')
    await refused(await call('/disputes?limit=0'), 400, 'invalid_request')
    disputedClip = all.items[0]!.clip_id

    const o = await ok(await call('/overview'), Overview)
    const p = o.packs.find((x) => x.pack_id === pack.packId)!
    expect(p.outcomes).toMatchObject({ consensus: 1, disputed: 3 })
    expect(p.actions).toEqual({ remove: 5, allow: 3 })
    const anaRow = p.reviewers.find((r) => r.reviewer_id === 'ana')!
    // ana's decisions 30 s apart.
    expect(anaRow).toMatchObject({ synced: 4, median_seconds_per_clip: 30 })
    expect(o.disputed).toBe(3)
  })

  it('shows a clip with the decisions side by side, and serves its media with ranges', async () => {
    const d = await ok(await call(`/clips/${disputedClip}`), ClipDetail)
    expect(d.outcome?.kind).toBe('disputed')
    expect(d.decisions.map((x) => [x.reviewer_id, x.action])).toEqual(
      expect.arrayContaining([
        ['ana', 'remove'],
        ['budi', 'allow'],
      ]),
    )
    expect(d.decisions.find((x) => x.reviewer_id === 'ana')!.ranges).toEqual([{ start_ms: 1000, end_ms: 2000, label: 'call to burn', note: '' }])
    const media = await call(d.media_url.replace('/lead/api', ''), { headers: { range: 'bytes=0-9' } })
    expect(media.status).toBe(206)
    expect((await media.arrayBuffer()).byteLength).toBe(10)
    await refused(await call(`/media/${'0'.repeat(64)}`), 404, 'not_found')
    await refused(await call('/media/..%2F..%2Fetc%2Fpasswd'), 400, 'invalid_request')
    await refused(await call('/clips/no-such-clip'), 404, 'not_found')
  })

  it('refuses an outcome that is stale, on a clip not disputed, or against the policy — changing nothing', async () => {
    const d = await ok(await call(`/clips/${disputedClip}`), ClipDetail)
    const body: AdjudicateBody = {
      expected_outcome_id: d.outcome!.id,
      action: 'remove',
      categories: ['violence.arson'],
      escalation_target: null,
      ranges: [{ start_ms: 1000, end_ms: 2000, label: 'call to burn', note: '' }],
      rationale: 'Calls to burn the market; the news framing does not hold.',
      adopted_decision_id: null,
    }
    const before = await counts()
    await refused(await call(`/clips/${pack.clipIds[0]}/outcome`, { json: { ...body, expected_outcome_id: 'x' } }), 409, 'conflict')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: { ...body, expected_outcome_id: 'not-the-one' } }), 409, 'conflict')
    const unknown = await refused(await call(`/clips/${disputedClip}/outcome`, { json: { ...body, categories: ['no.such'] } }), 422, 'policy_violation')
    expect(unknown).toMatch(/no\.such/)
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: { ...body, rationale: '  ' } }), 422, 'policy_violation')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: { ...body, adopted_decision_id: 'nope' } }), 400, 'invalid_request')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: { ...body, action: undefined } }), 400, 'invalid_request')
    // Cross-site, or with no session, or a forged one.
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: body, origin: 'https://evil.example' }), 403, 'forbidden')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: body, origin: null }), 403, 'forbidden')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: body, cookie: null }), 401, 'unauthorized')
    await refused(await call(`/clips/${disputedClip}/outcome`, { json: body, cookie: `tjl_${'A'.repeat(43)}` }), 401, 'unauthorized')
    expect(await counts()).toEqual(before)
    expect((await ok(await call(`/clips/${disputedClip}`), ClipDetail)).outcome!.id).toBe(d.outcome!.id)
  })

  it('settles a disputed clip; the DSA export then files one statement per restricting clip, never twice', async () => {
    // Settle all three: one by adopting ana's decision, one written by the lead, one allowed.
    const list = await ok(await call('/disputes'), DisputeList)
    const settled: Record<string, string> = {}
    for (const [i, item] of list.items.entries()) {
      const d = await ok(await call(`/clips/${item.clip_id}`), ClipDetail)
      const anaDecision = d.decisions.find((x) => x.reviewer_id === 'ana')!
      const budiDecision = d.decisions.find((x) => x.reviewer_id === 'budi')!
      const pick = i === 2 ? budiDecision : anaDecision
      const body: AdjudicateBody = {
        expected_outcome_id: d.outcome!.id,
        action: pick.action,
        categories: pick.categories,
        escalation_target: null,
        ranges: pick.ranges,
        rationale: i === 1 ? 'Written by the lead: arson call at 0:01.' : pick.rationale,
        adopted_decision_id: i === 1 ? null : pick.id,
      }
      const outcome = await ok(await call(`/clips/${item.clip_id}/outcome`, { json: body }), OutcomeView)
      expect(outcome).toMatchObject({ kind: 'adjudicated', action: pick.action, lead_id: 'lina', previous_id: d.outcome!.id })
      expect(outcome.basis.map((b) => b.reviewer_id).sort()).toEqual(['ana', 'budi'])
      settled[item.clip_id] = pick.action
    }
    expect((await ok(await call('/disputes'), DisputeList)).total).toBe(0)
    const detail = await ok(await call(`/clips/${list.items[0]!.clip_id}`), ClipDetail)
    expect(detail.history.map((h) => h.kind)).toEqual(['pending', 'disputed', 'adjudicated'])

    // Restricting outcomes: clip 0 (consensus), two adjudicated removals, clips 4/5 (single review, not decided yet: none).
    const run = await ok(await call('/exports', { json: { since_last: true } }), ExportRun)
    expect(run.statements).toBe(3)
    // The allowed one is counted, not filed.
    expect(run.skipped).toMatchObject({ not_restrictive: 1, disputed: 0, already_filed: 0 })
    const file = await call(`/exports/${run.id}/files/0`)
    expect(file.headers.get('content-disposition')).toMatch(/attachment; filename="dsa-statements-0001\.json"/)
    const statements = ((await file.json()) as { statements: unknown[] }).statements.map((s) => DsaStatement.parse(s))
    expect(statements).toHaveLength(3)
    const again = await ok(await call('/exports', { json: { since_last: true } }), ExportRun)
    expect(again.statements).toBe(0)
    expect(again.skipped).toMatchObject({ not_restrictive: 1, already_filed: 3 })
    expect((await ok<unknown[]>(await call('/exports'))).length).toBe(2)
    await refused(await call(`/exports/${run.id}/files/7`), 404, 'not_found')

    // A lead revises an adjudication: the new outcome names the one before.
    const d = await ok(await call(`/clips/${list.items[2]!.clip_id}`), ClipDetail)
    expect(d.outcome!.kind).toBe('adjudicated')
    const revised = await ok(
      await call(`/clips/${d.clip.id}/outcome`, {
        json: { expected_outcome_id: d.outcome!.id, action: 'label', categories: ['misinformation'], escalation_target: null, ranges: [], rationale: 'On second look: label.', adopted_decision_id: null },
      }),
      OutcomeView,
    )
    expect(revised.previous_id).toBe(d.outcome!.id)
    expect((await ok(await call(`/clips/${d.clip.id}`), ClipDetail)).history.map((h) => h.kind)).toEqual(['pending', 'disputed', 'adjudicated', 'adjudicated'])
    const audit = await one<{ n: number }>(server.db(), sql`SELECT count(*)::int AS n FROM service_audit WHERE actor = 'lead:lina' AND action IN ('outcome.adjudicate', 'outcome.revise')`)
    expect(audit!.n).toBe(4)
  })

  it('sets a QA rule, draws, and reports agreement over a window', async () => {
    await refused(await call(`/qa/rules/${pack.packId}`, { method: 'PUT', json: { percent: 140, stratify_by_action: true } }), 400, 'invalid_request')
    await refused(await call('/qa/rules/no-such-pack', { method: 'PUT', json: { percent: 10, stratify_by_action: true } }), 404, 'not_found')
    const rule = await ok<{ percent: number; updated_by: string }>(await call(`/qa/rules/${pack.packId}`, { method: 'PUT', json: { percent: 50, stratify_by_action: false } }))
    expect(rule).toMatchObject({ percent: 50, updated_by: 'lead:lina' })
    expect(await ok<unknown[]>(await call('/qa/rules'))).toHaveLength(1)
    // Clips 0-3 were decided by both; nothing decided alone yet: nothing to draw.
    expect(await ok(await call(`/qa/draw/${pack.packId}`, { method: 'POST' }))).toEqual({ pack_id: pack.packId, sampled: {}, unmatched: [] })
    const report = await ok(await call(`/qa/report?pack=${pack.packId}`), AgreementReport)
    // clip 0 agreed (remove/remove); 1-3 did not (remove/allow).
    expect(report).toMatchObject({ clips: 4, percent_agreement: 0.25 })
    expect(report.confusion).toEqual({ labels: ['allow', 'remove'], counts: [[0, 0], [3, 1]] })
    await refused(await call('/qa/report?from=soon'), 400, 'invalid_request')
    await refused(await call('/qa/report?colour=red'), 400, 'invalid_request')
  })

  it('keeps device tokens and lead sessions apart, and admin routes to admins', async () => {
    // A device's bearer token is no lead session.
    const asDevice = await fetch(`${server.url}/lead/api/overview`, { headers: { authorization: `Bearer ${ana.token}` } })
    expect(asDevice.status).toBe(401)
    // A lead's session is no device token.
    const asLead = await fetch(`${server.url}/v1/assignments`, { headers: { authorization: `Bearer ${leadCookie}`, cookie: `${LEAD_SESSION_COOKIE}=${leadCookie}` } })
    expect(asLead.status).toBe(401)
    await refused(await call('/admin/leads'), 403, 'forbidden')
    expect((await call('/admin/leads', { cookie: adminCookie })).status).toBe(200)
    await refused(await call('/overview', { cookie: null }), 401, 'unauthorized')
    // Signed out, the same cookie opens nothing (a replayed session).
    const spare = await signIn('lina')
    expect((await call('/session', { method: 'DELETE', cookie: spare })).status).toBe(200)
    await refused(await call('/overview', { cookie: spare }), 401, 'unauthorized')
  })

  it('revokes a device (admin): its token stops working', async () => {
    const o = await ok(await call('/overview'), Overview)
    const device = o.devices.find((d) => d.reviewer_id === 'budi')!
    expect(device.revoked_at).toBeNull()
    expect((await call(`/admin/devices/${device.device_id}/revoke`, { method: 'POST', cookie: adminCookie })).status).toBe(200)
    expect((await budi.request('GET', '/v1/assignments')).status).toBe(401)
  })
})
