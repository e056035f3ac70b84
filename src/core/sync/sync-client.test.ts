import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { TinjauError } from '../../shared/errors'
import { DecisionDraft } from '../../shared/policy'
import { PushRequest, SIGNATURE_HEADER, type SyncPack } from '../../shared/sync-protocol'
import { verifyEd25519 } from '../device-key'
import { makeClip, type FakeMedia } from '../testing/make-pack'
import { openQuietProfile } from './testing/open-profile'
import { mulberry32 } from '../testing/prng'
import { snapshotFiles, snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'
import type { SyncStatus } from './state'
import { SyncRunError, type SyncClient, type SyncClientOptions } from './sync-client'
import { syncClientFor } from './testing/client-for'
import { json, startFakeServer, type FakeServer } from './testing/fake-server'

const TOKEN = 'tok-fake-server-0123456789abcdef0123456789'

let server: FakeServer
let t: Tinjau & { dataDir: string }
let client: SyncClient
let sleeps: number[]
let media: Map<string, Buffer>

function mediaOf(text: string, mime = 'video/webm'): FakeMedia & { data: Buffer } {
  const data = Buffer.from(text.repeat(50))
  return { path: `media/${text}.webm`, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, mime, duration_ms: 30_000, data }
}

const pack = (id = 'pk-fake'): SyncPack => ({
  pack_id: id,
  manifest_sha256: 'a'.repeat(64),
  created_at: '2025-09-04T08:00:00Z',
  issuer: { name: 'T&S Test' },
  policy: { id: 'live-safety', version: '2025.09' },
  signed: false,
  extra: {},
})

function assigned(id: string, m: FakeMedia & { data: Buffer }, overrides: Record<string, unknown> = {}) {
  media.set(m.sha256, m.data)
  const { data: _data, ...ref } = m
  return { kind: 'assigned' as const, pack_id: 'pk-fake', clip: makeClip(id, ref, overrides), assigned_at: '2025-09-04T09:00:00Z' }
}

/** Pages by the cursor they answer: '' is the first. */
function servePages(pages: Record<string, unknown>) {
  server.routes.set('GET /v1/assignments', (req) => {
    const page = pages[req.query.get('cursor') ?? '']
    return page === undefined ? json(400, { error: { code: 'invalid_request', message: 'unknown cursor' } }) : json(200, page)
  })
}

function makeClient(extra: Partial<SyncClientOptions> = {}): SyncClient {
  return syncClientFor(t, {
    random: mulberry32(11),
    requestBackoff: { baseMs: 10, factor: 2, capMs: 5_000 },
    sleep: async (ms) => void sleeps.push(ms),
    maxAttempts: 4,
    timeoutMs: 5_000,
    ...extra,
  })
}

beforeEach(async () => {
  sleeps = []
  media = new Map()
  server = await startFakeServer()
  server.routes.set('POST /v1/enroll', (req) => {
    const body = JSON.parse(req.body.toString('utf8'))
    if (body.code !== 'GOOD-CODE-1') return json(403, { error: { code: 'enrollment_refused', message: 'unknown code' } })
    return json(200, { reviewer_id: 'rina@ts', reviewer_name: 'Rina', device_id: body.device_id, token: TOKEN })
  })
  server.routes.set('POST /v1/decisions', (req) => {
    const body = PushRequest.parse(JSON.parse(req.body.toString('utf8')))
    return json(200, { results: body.decisions.map((d) => ({ id: d.id, outcome: 'stored' })) })
  })
  server.routes.set('GET /v1/notices', () => json(200, { reviewer_id: 'rina@ts', adjudications: [] }))
  server.routes.set('GET /v1/outcomes', () => json(200, { reviewer_id: 'rina@ts', outcomes: [], cursor: '', more: false }))
  server.routes.set('POST /v1/devices/self/status', () => json(200, { recorded: true }))
  server.routes.set('GET /v1/media/', (req) => {
    const data = media.get(req.path.split('/').pop()!)
    return data ? { status: 200, raw: data, headers: { 'content-type': 'application/octet-stream' } } : json(404, { error: { code: 'not_found', message: 'no media' } })
  })
  servePages({ '': { packs: [], changes: [], cursor: '', more: false } })
  t = openQuietProfile()
  client = makeClient()
})

afterEach(async () => {
  client.close()
  t.close()
  await server.close()
})

const enroll = () => client.enroll(server.url, 'GOOD-CODE-1')
const clipIds = () => t.store.sqlite.prepare('SELECT id FROM clips ORDER BY id').pluck().all()
const cursor = () => t.store.sqlite.prepare("SELECT value FROM settings WHERE key = 'sync.cursor'").pluck().get()

describe('enrollment', () => {
  test("sends the device's id and public key; keeps the token in its own file, adopts the server's reviewer id for new decisions", async () => {
    const before = t.identity.reviewerId
    expect(client.status().state).toBe('not_enrolled')
    const info = await enroll()
    expect(info).toMatchObject({ url: server.url, reviewerId: 'rina@ts', reviewerName: 'Rina' })
    const sent = JSON.parse(server.requests[0]!.body.toString('utf8'))
    expect(sent).toMatchObject({ code: 'GOOD-CODE-1', device_id: t.identity.deviceId, public_key: t.deviceKey().publicKey })
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    expect(t.identity.reviewerId).toBe('rina@ts')
    expect(t.handlers['app.info']({}).reviewerId).toBe('rina@ts')
    expect(client.status()).toMatchObject({ state: 'idle', server: { reviewerId: 'rina@ts' }, counts: { pending: 0, rejected: 0, notices: 0 } })
    const audit = t.store.sqlite.prepare("SELECT payload FROM audit_log WHERE kind = 'sync.enrolled'").pluck().get() as string
    expect(JSON.parse(audit)).toMatchObject({ reviewerId: 'rina@ts', previousReviewerId: before })
    // The token is nowhere in the database files, only (mode 0600) in its own file.
    const dbFiles = readdirSync(t.dataDir).filter((f) => f.startsWith('tinjau.sqlite'))
    expect(dbFiles.length).toBeGreaterThan(0)
    for (const f of dbFiles) expect(readFileSync(path.join(t.dataDir, f)).includes(Buffer.from(TOKEN))).toBe(false)
    expect(readFileSync(path.join(t.dataDir, 'sync-token.json'), 'utf8')).toContain(Buffer.from(TOKEN).toString('base64'))
    // The profile reopened knows it is enrolled.
    expect(makeClient().status()).toMatchObject({ state: 'idle', server: { url: server.url } })
  })

  test('a refused code changes nothing and says what to do', async () => {
    const rows = snapshotRows(t.store.sqlite)
    const err = await client.enroll(server.url, 'BAD-CODE-1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TinjauError)
    expect((err as TinjauError).code).toBe('unauthorized')
    expect((err as Error).message).toMatch(/403 enrollment_refused.*ask the operator for a new one/)
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(client.status().state).toBe('not_enrolled')
  })

  test('a URL with credentials or another scheme is refused before anything is sent', async () => {
    await expect(client.enroll('ftp://example.org', 'GOOD-CODE-1')).rejects.toThrow(/https:\/\/ or http:\/\//)
    await expect(client.enroll('https://user:pw@example.org', 'GOOD-CODE-1')).rejects.toThrow(/user name or password/)
    expect(server.requests).toHaveLength(0)
  })
})

describe('a run against a server that answers well', () => {
  test('push (signed), pull with media, notices: the clips are in the queue and the status is up to date', async () => {
    await enroll()
    const m = mediaOf('one')
    servePages({
      '': { packs: [pack()], changes: [assigned('f-1', m), assigned('f-2', m)], cursor: 'c1', more: true },
      c1: { packs: [pack()], changes: [assigned('f-3', mediaOf('two'))], cursor: 'c2', more: false },
    })
    const seen: SyncStatus[] = []
    client.onStatus((s) => seen.push(s))
    const result = await client.syncNow()
    expect(result.pulled).toMatchObject({ pages: 2, added: 3, mediaDownloaded: 2 })
    expect(clipIds()).toEqual(['f-1', 'f-2', 'f-3'])
    expect(cursor()).toBe('c2')
    expect(t.media.has(m.sha256)).toBe(true)
    expect(t.handlers['queue.list']({ status: ['pending'], limit: 10, offset: 0 }).total).toBe(3)
    expect(t.handlers['clip.get']({ clipId: 'f-1' }).stream.title).toBe('Stream f-1')
    expect(seen.map((s) => s.state)).toContain('syncing')
    expect(seen.at(-1)).toMatchObject({ state: 'up_to_date', counts: { pending: 0 } })
    expect(client.status().lastSuccessAt).not.toBeNull()

    // Now a decision: pushed signed, acked, the clip synced.
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'f-1', categories: ['ok.commerce'], action: 'allow' }))
    expect(client.status().counts.pending).toBe(1)
    servePages({ c2: { packs: [], changes: [], cursor: 'c2', more: false } })
    await client.syncNow()
    const push = server.requests.find((r) => r.path === '/v1/decisions')!
    const signature = Buffer.from(String(push.headers[SIGNATURE_HEADER]), 'base64')
    expect(verifyEd25519(t.deviceKey().publicKey, push.body, signature)).toBe(true)
    expect(PushRequest.parse(JSON.parse(push.body.toString('utf8'))).decisions[0]).toMatchObject({ clip_id: 'f-1', reviewer_id: 'rina@ts', pack_id: 'pk-fake' })
    expect(t.store.sqlite.prepare("SELECT status FROM clips WHERE id = 'f-1'").pluck().get()).toBe('synced')
    expect(client.status().counts.pending).toBe(0)
  })

  test('unassigned: a clip without a decision leaves the queue; one with a decision stays, with it, and is still pushed', async () => {
    await enroll()
    const m = mediaOf('u')
    servePages({ '': { packs: [pack()], changes: [assigned('u-1', m), assigned('u-2', m), assigned('u-3', m)], cursor: 'c1', more: false } })
    await client.syncNow()
    // Pulled clips are searchable like imported ones (the host starts the index after a pull).
    t.search.start()
    await t.search.whenIdle()
    expect(t.queue.page({ search: 'kumpul' }).items.map((i) => i.id)).toEqual(['u-1', 'u-2', 'u-3'])
    const d = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'u-1', categories: ['violence.arson'], action: 'remove', rationale: 'arson call' }))
    t.handlers['clip.skip']({ clipId: 'u-3', reason: 'needs context' })
    const unassign = (id: string) => ({ kind: 'unassigned', pack_id: 'pk-fake', clip_id: id, at: '2025-09-04T10:00:00Z' })
    servePages({
      '': { packs: [pack()], changes: [], cursor: 'c1', more: false },
      c1: { packs: [pack()], changes: [unassign('u-1'), unassign('u-2'), unassign('u-3')], cursor: 'c2', more: false },
    })
    // The decision on u-1 goes to the server first; this server refuses it as no longer assigned.
    server.routes.set('POST /v1/decisions', (req) => {
      const body = PushRequest.parse(JSON.parse(req.body.toString('utf8')))
      return json(200, { results: body.decisions.map((x) => ({ id: x.id, outcome: 'rejected', rejection: 'not_assigned', message: 'not assigned' })) })
    })
    const result = await client.syncNow()
    expect(result.pulled).toMatchObject({ removed: 2, kept: 1 })
    expect(clipIds()).toEqual(['u-1'])
    expect(t.decisions.forClip('u-1').map((x) => x.id)).toEqual([d.id])
    expect(client.rejectedDecisions()).toMatchObject([{ decisionId: d.id, rejection: 'not_assigned' }])
    expect(client.status().counts).toMatchObject({ pending: 0, rejected: 1 })
    expect(t.handlers['queue.list']({ limit: 10, offset: 0 }).items.map((i) => i.id)).toEqual(['u-1'])
    // Gone from search too, with no entry left behind for a later clip on the same rowid.
    expect(t.queue.page({ search: 'kumpul' }).items.map((i) => i.id)).toEqual(['u-1'])
    expect(t.store.sqlite.prepare('SELECT count(*) FROM clip_search_state').pluck().get()).toBe(1)
    expect(t.store.sqlite.prepare('SELECT count(*) FROM clip_flags WHERE clip_id IN (?, ?)').pluck().get('u-2', 'u-3')).toBe(0)
    expect(t.handlers['audit.verify']({}).ok).toBe(true)
  })

  test('a pulled update of a clip with an unacked local decision keeps the decision and the status', async () => {
    await enroll()
    const m = mediaOf('k')
    servePages({ '': { packs: [pack()], changes: [assigned('k-1', m)], cursor: 'c1', more: false } })
    await client.syncNow()
    let decisionId = ''
    // The reviewer decides while the run waits for the page that updates the same clip: the
    // push of this run is over, so the decision is unacked when the page is written.
    server.routes.set('GET /v1/assignments', () => {
      decisionId = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'k-1', categories: ['ok.commerce'], action: 'allow' })).id
      return json(200, { packs: [pack()], changes: [assigned('k-1', m, { priority: 99, stream: { id: 'live-k-1', title: 'Renamed', started_at: '2025-08-29T12:40:00+07:00' } })], cursor: 'c2', more: false })
    })
    const result = await client.syncNow()
    expect(result.pulled.updated).toBe(1)
    expect(t.handlers['clip.get']({ clipId: 'k-1' }).stream.title).toBe('Renamed')
    expect(t.handlers['clip.get']({ clipId: 'k-1' }).priority).toBe(99)
    expect(t.decisions.forClip('k-1').map((x) => [x.id, x.syncState])).toEqual([[decisionId, 'pending']])
    expect(t.store.sqlite.prepare("SELECT status FROM clips WHERE id = 'k-1'").pluck().get()).toBe('decided')
    // The next run pushes it.
    servePages({ c2: { packs: [], changes: [], cursor: 'c2', more: false } })
    await client.syncNow()
    expect(t.decisions.forClip('k-1').map((x) => x.syncState)).toEqual(['acked'])
    expect(t.store.sqlite.prepare("SELECT status FROM clips WHERE id = 'k-1'").pluck().get()).toBe('synced')
  })

  test('a push refused for good (400) does not hold back the pull; the run then reports the push', async () => {
    await enroll()
    servePages({ '': { packs: [pack()], changes: [assigned('b-1', mediaOf('b'))], cursor: 'c1', more: false } })
    await client.syncNow()
    const d = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'b-1', categories: ['ok.commerce'], action: 'allow' }))
    server.routes.set('POST /v1/decisions', () => json(400, { error: { code: 'invalid_request', message: 'decisions.0.policy_version: unknown' } }))
    servePages({ c1: { packs: [pack()], changes: [assigned('b-2', mediaOf('b'))], cursor: 'c2', more: false } })
    const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
    expect(err).toBeInstanceOf(SyncRunError)
    expect(err.failure.code).toBe('refused')
    expect(err.message).toMatch(/push of 1 decision: the server answered 400 invalid_request/)
    expect(clipIds()).toEqual(['b-1', 'b-2'])
    expect(t.store.sqlite.prepare('SELECT attempts, acked_at FROM outbox WHERE decision_id = ?').get(d.id)).toEqual({ attempts: 1, acked_at: null })
    expect(client.status()).toMatchObject({ state: 'error', code: 'refused', counts: { pending: 1 } })
  })
})

describe('outcomes', () => {
  const notice = (clip: string, over: Record<string, unknown> = {}) => ({
    clip_id: clip,
    pack_id: 'pk-fake',
    outcome: { id: `o-${clip}`, kind: 'adjudicated', action: 'remove', categories: ['violence.arson'], rationale: 'Arson call at 0:01.', lead: { id: 'lina', name: 'Lina' }, created_at: '2026-12-06T10:00:00.000Z' },
    your_decision_id: 'd-1',
    upheld: false,
    ...over,
  })

  test('are pulled page by page after the decisions, kept beside them, and never change them', async () => {
    await enroll()
    servePages({ '': { packs: [pack()], changes: [assigned('f-1', mediaOf('one'))], cursor: 'c1', more: false }, c1: { packs: [], changes: [], cursor: 'c1', more: false } })
    await client.syncNow()
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'f-1', categories: ['ok.commerce'], action: 'allow' }))
    const before = t.store.sqlite.prepare('SELECT * FROM decisions').all()
    server.routes.set('GET /v1/outcomes', (req) => {
      const cursor = req.query.get('cursor') ?? ''
      // First the disagreement, on the next page the lead's settlement: the last one stays.
      return cursor === ''
        ? json(200, { reviewer_id: 'rina@ts', outcomes: [notice('f-1', { outcome: { ...notice('f-1').outcome, id: 'o-0', kind: 'disputed', action: null, categories: null, rationale: null, lead: null }, upheld: null })], cursor: '7:1', more: true })
        : json(200, { reviewer_id: 'rina@ts', outcomes: cursor === '7:1' ? [notice('f-1')] : [], cursor: '7:2', more: false })
    })
    const result = await client.syncNow()
    expect(result.outcomes).toBe(2)
    expect(t.handlers['clip.get']({ clipId: 'f-1' }).outcome).toEqual({
      kind: 'adjudicated',
      action: 'remove',
      categories: ['violence.arson'],
      rationale: 'Arson call at 0:01.',
      leadName: 'Lina',
      upheld: false,
      yourDecisionId: 'd-1',
      settledAt: '2026-12-06T10:00:00.000Z',
    })
    expect(t.store.sqlite.prepare('SELECT * FROM decisions').all()).toEqual(before)
    // The next run asks after the stored cursor, and the device said what it holds.
    await client.syncNow()
    expect(server.requests.filter((r) => r.path === '/v1/outcomes').at(-1)!.query.get('cursor')).toBe('7:2')
    const status = server.requests.filter((r) => r.path === '/v1/devices/self/status').at(-1)!
    expect(JSON.parse(status.body.toString('utf8'))).toEqual({ decided_by_pack: { 'pk-fake': 1 }, unsent: 0 })
  })

  test("another reviewer's outcomes, or a broken answer, change nothing", async () => {
    await enroll()
    for (const answer of [
      { reviewer_id: 'budi@ts', outcomes: [notice('f-1')], cursor: '1:1', more: false },
      { reviewer_id: 'rina@ts', outcomes: [notice('f-1', { upheld: 'yes' })], cursor: '1:1', more: false },
    ]) {
      server.routes.set('GET /v1/outcomes', () => json(200, answer))
      const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
      expect(err).toBeInstanceOf(SyncRunError)
      expect(err.failure.code).toBe('invalid_response')
      expect(t.store.sqlite.prepare('SELECT count(*) FROM clip_outcomes').pluck().get()).toBe(0)
      expect(t.store.sqlite.prepare("SELECT count(*) FROM settings WHERE key = 'sync.outcomes_cursor'").pluck().get()).toBe(0)
    }
  })
})

describe('retries and failures', () => {
  test('5xx, a cut connection and a truncated answer are retried with the seeded backoff; the run then succeeds', async () => {
    await enroll()
    const answers: (() => ReturnType<typeof json> | 'drop')[] = [
      () => json(503, { error: { code: 'unavailable', message: 'starting' } }),
      () => 'drop',
      () => ({ status: 200, raw: '{"packs":[],"changes":[' }),
      () => json(200, { packs: [], changes: [], cursor: 'c9', more: false }),
    ]
    server.routes.set('GET /v1/assignments', () => answers.shift()!())
    await client.syncNow()
    expect(cursor()).toBe('c9')
    expect(sleeps).toHaveLength(3)
    const r = mulberry32(11)
    expect(sleeps).toEqual([0, 1, 2].map((n) => Math.floor(r() * Math.min(5_000, 10 * 2 ** n))))
  })

  test('429 waits at least Retry-After', async () => {
    await enroll()
    let calls = 0
    server.routes.set('GET /v1/assignments', () => (++calls === 1 ? json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '3' }) : json(200, { packs: [], changes: [], cursor: '', more: false })))
    await client.syncNow()
    expect(sleeps).toEqual([3_000])
  })

  test('401 stops the run at once: error state, says to enroll again, decisions stay queued', async () => {
    await enroll()
    servePages({ '': { packs: [pack()], changes: [assigned('x-1', mediaOf('x'))], cursor: 'c1', more: false } })
    await client.syncNow()
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'x-1', categories: ['ok.commerce'], action: 'allow' }))
    server.routes.set('POST /v1/decisions', () => json(401, { error: { code: 'unauthorized', message: 'token revoked' } }))
    const n = server.requests.length
    const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
    expect(err).toBeInstanceOf(SyncRunError)
    expect(err.failure.code).toBe('unauthorized')
    expect(err.message).toMatch(/push of 1 decision: the server answered 401 unauthorized: token revoked — sync is paused until this device is enrolled again/)
    expect(err.message).not.toContain(TOKEN)
    expect(server.requests.length - n).toBe(1)
    expect(client.status()).toMatchObject({ state: 'error', code: 'unauthorized', counts: { pending: 1 } })
  })

  test('an unreachable server is "offline", not an error; the outbox is untouched but for the attempt count', async () => {
    await enroll()
    await server.close()
    const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
    expect(err).toBeInstanceOf(SyncRunError)
    expect(err.failure.offline).toBe(true)
    expect(client.status()).toMatchObject({ state: 'offline' })
    expect((client.status() as { message: string }).message).toMatch(/could not be reached/)
    server = await startFakeServer() // for afterEach
  })
})

describe('a hostile or broken server changes nothing', () => {
  const m = () => mediaOf('h')
  const cases: [string, () => unknown, RegExp][] = [
    ['a page that breaks the schema', () => ({ packs: [pack()], changes: [{ kind: 'moved', pack_id: 'pk-fake', clip_id: 'h-1' }], cursor: 'c1', more: false }), /does not match sync protocol 1/],
    ['an unknown field in the page', () => ({ packs: [pack()], changes: [], cursor: 'c1', more: false, admin: true }), /does not match sync protocol 1/],
    ['a clip that breaks field pack v1 (a flag after the end of the clip)', () => ({ packs: [pack()], changes: [assigned('h-1', m(), { flags: [{ source: 'classifier', label: 'violence.arson', at_ms: 999_999 }] })], cursor: 'c1', more: false }), /changes\[0\] \(id "h-1"\) flags\[0\]\.at_ms: 999999 ms is outside the clip/],
    ['a clip with an unsafe media path', () => ({ packs: [pack()], changes: [assigned('h-1', { ...m(), path: '../../etc/passwd' })], cursor: 'c1', more: false }), /changes\.0\.clip\.media\.path/],
    ['a change of a pack the page does not describe', () => ({ packs: [], changes: [assigned('h-1', m())], cursor: 'c1', more: false }), /which the page does not describe/],
    ['one hash declared with two sizes', () => ({ packs: [pack()], changes: [assigned('h-1', m()), assigned('h-2', { ...m(), path: 'media/other.webm', bytes: 5 })], cursor: 'c1', more: false }), /declared with 5 bytes/],
    ['"more" without moving the cursor', () => ({ packs: [pack()], changes: [], cursor: '', more: true }), /did not move the cursor/],
  ]
  for (const [name, page, message] of cases) {
    test(name, async () => {
      await enroll()
      servePages({ '': page() })
      const rows = snapshotRows(t.store.sqlite)
      const files = snapshotFiles(t.dataDir)
      const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
      expect(err).toBeInstanceOf(SyncRunError)
      expect(err.failure.code).toBe('invalid_response')
      expect(err.message).toMatch(message)
      expect(snapshotRows(t.store.sqlite)).toEqual(rows)
      expect(snapshotFiles(t.dataDir)).toEqual(files)
      expect(client.status()).toMatchObject({ state: 'error', code: 'invalid_response' })
    })
  }

  test('media whose bytes do not match the hash: refused after the retries; no clip, no media, no cursor', async () => {
    await enroll()
    const good = mediaOf('g')
    servePages({ '': { packs: [pack()], changes: [assigned('g-1', good)], cursor: 'c1', more: false } })
    media.set(good.sha256, Buffer.from('not the bytes you are looking for'.padEnd(good.bytes, '!')))
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
    expect(err.message).toMatch(/not the declared sha256/)
    expect(server.requests.filter((r) => r.path.startsWith('/v1/media/'))).toHaveLength(4)
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  })

  test('a push answer for other decisions marks none as sent', async () => {
    await enroll()
    servePages({ '': { packs: [pack()], changes: [assigned('p-1', mediaOf('p'))], cursor: 'c1', more: false } })
    await client.syncNow()
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'p-1', categories: ['ok.commerce'], action: 'allow' }))
    server.routes.set('POST /v1/decisions', () => json(200, { results: [{ id: '0190c3a1-0000-7000-8000-000000000000', outcome: 'stored' }] }))
    servePages({ c1: { packs: [], changes: [], cursor: 'c1', more: false } })
    await expect(client.syncNow()).rejects.toThrow(/none was marked as sent/)
    expect(client.status().counts.pending).toBe(1)
  })
})

describe('runs', () => {
  test('a second call during a run joins it: one run, one set of requests', async () => {
    await enroll()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    server.routes.set('GET /v1/assignments', async () => {
      await gate
      return json(200, { packs: [], changes: [], cursor: '', more: false })
    })
    const a = client.syncNow()
    const b = client.syncNow()
    expect(b).toBe(a)
    setTimeout(release, 50)
    await Promise.all([a, b])
    expect(server.requests.filter((r) => r.path === '/v1/assignments')).toHaveLength(1)
  })

  test("two clients on one profile (the host's and another) run one after the other, never side by side", async () => {
    await enroll()
    let inFlight = 0
    let most = 0
    server.routes.set('GET /v1/assignments', async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 40))
      inFlight--
      return json(200, { packs: [], changes: [], cursor: '', more: false })
    })
    const other = makeClient()
    await Promise.all([client.syncNow(), other.syncNow(), client.syncNow(), other.syncNow()])
    other.close()
    expect(most).toBe(1)
    expect(server.requests.filter((r) => r.path === '/v1/assignments')).toHaveLength(2)
  })

  test('aborting stops the run with "cancelled" and leaves the state as it was', async () => {
    await enroll()
    server.routes.set('GET /v1/assignments', () => new Promise(() => {}))
    const stop = new AbortController()
    const run = client.syncNow({ signal: stop.signal })
    setTimeout(() => stop.abort(), 50)
    const err = (await run.catch((e: unknown) => e)) as TinjauError
    expect(err).toBeInstanceOf(TinjauError)
    expect(err.code).toBe('cancelled')
    expect(client.status().state).toBe('idle')
  })

  test('the schedule runs again after its interval, never two runs at once, and stops when told', async () => {
    await enroll()
    let inFlight = 0
    let most = 0
    let runs = 0
    server.routes.set('GET /v1/assignments', async () => {
      inFlight++
      runs++
      most = Math.max(most, inFlight)
      await new Promise((r) => setTimeout(r, 30))
      inFlight--
      return json(200, { packs: [], changes: [], cursor: '', more: false })
    })
    const stop = client.startSchedule(5)
    // Manual runs while the schedule goes on join the run in progress or start their own, never beside one.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 25))
      await client.syncNow().catch(() => {})
    }
    stop()
    const after = runs
    await new Promise((r) => setTimeout(r, 100))
    expect(most).toBe(1)
    expect(after).toBeGreaterThanOrEqual(3)
    expect(runs).toBeLessThanOrEqual(after + 1)
  })

  test('after a failed run the schedule waits a jittered backoff and shows when it will try again', async () => {
    await enroll()
    await server.close()
    const c = makeClient({ runBackoff: { baseMs: 60_000, factor: 2, capMs: 600_000 } })
    const stop = c.startSchedule(1_000)
    await new Promise((r) => setTimeout(r, 200))
    const s = c.status()
    stop()
    c.close()
    expect(s.state).toBe('offline')
    const next = Date.parse((s as { nextRetryAt: string }).nextRetryAt)
    expect(next - Date.now()).toBeGreaterThan(0)
    expect(next - Date.now()).toBeLessThanOrEqual(60_000)
    server = await startFakeServer()
  })
})
