import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import type { TestServer } from '../../server/testing/test-server'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openQuietProfile } from './testing/open-profile'
import { mulberry32 } from '../testing/prng'
import { snapshotFiles, snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'
import { SyncRunError, type SyncClient, type SyncClientOptions } from './sync-client'
import { syncClientFor } from './testing/client-for'
import { json, startFakeServer } from './testing/fake-server'
import { useTestService } from './testing/use-test-service'

/**
 * The sync client (core/sync) against the real sync service (src/server, on PGlite or the
 * PostgreSQL that TINJAU_TEST_DATABASE_URL names): enrollment, pull with media, push,
 * repeats, revisions, rejections, unassignments, a server restart between pages.
 */

let server: TestServer
const dirs: string[] = []
const profiles: (Tinjau & { dataDir: string })[] = []
let serial = 0

useTestService((s) => (server = s), dirs)

afterEach(() => {
  for (const t of profiles.splice(0)) t.close()
})

/** A pack folder with `n` clips `<prefix>-000…`, sharing `mediaCount` media files (ids are unique per test: the server's clip ids are global). */
function packFolder(prefix: string, n: number, opts: { mediaCount?: number; overrides?: (i: number) => Record<string, unknown> } = {}): { dir: string; packId: string; ids: string[] } {
  const dir = tempDir('tinjau-sync-pack-')
  dirs.push(dir)
  const media = Array.from({ length: opts.mediaCount ?? 1 }, (_, i) => writeMedia(dir, `media/${prefix}-${i}.webm`, Buffer.from(`${prefix} media ${i} `.repeat(200 + i))))
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
  const packId = `pk-${prefix}`
  writeManifest(dir, makeManifest(ids.map((id, i) => makeClip(id, media[i % media.length]!, { priority: i % 100, ...opts.overrides?.(i) })), { pack_id: packId }))
  return { dir, packId, ids }
}

interface Setup {
  t: Tinjau & { dataDir: string }
  client: SyncClient
  reviewer: string
}

/** A reviewer on the server, a fresh profile enrolled as them. */
async function enrolledProfile(extra: Partial<SyncClientOptions> = {}): Promise<Setup> {
  const reviewer = `rev-${++serial}-${Date.now()}`
  await server.ops.addReviewer(reviewer, `Reviewer ${serial}`)
  const t = openQuietProfile()
  profiles.push(t)
  dirs.push(t.dataDir)
  const client = Object.keys(extra).length === 0 ? t.sync : syncClientFor(t, extra)
  await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
  return { t, client, reviewer }
}

const decide = (t: Tinjau, input: DecisionDraftInput) => t.handlers['decision.record'](DecisionDraft.parse(input))
const localClipIds = (t: Tinjau) => t.store.sqlite.prepare('SELECT id FROM clips ORDER BY id').pluck().all() as string[]
const serverDecisionsOf = async (reviewer: string) => (await server.ops.decisions()).filter((d) => d.reviewer_id === reviewer)

describe('sync client against the real sync service', () => {
  test('enroll, pull (clips in the queue with their media), decide, push: each decision held once; pushing again doubles nothing', async () => {
    const { t, client, reviewer } = await enrolledProfile()
    expect(t.identity.reviewerId).toBe(reviewer)
    const p = packFolder(`a${serial}`, 6, { mediaCount: 2 })
    await server.ops.loadPack(p.dir)
    expect(await server.ops.assign(p.packId, reviewer)).toBe(6)

    const first = await client.syncNow()
    expect(first.pulled).toMatchObject({ added: 6, mediaDownloaded: 2 })
    expect(localClipIds(t)).toEqual(p.ids)
    expect(t.handlers['queue.list']({ status: ['pending'], limit: 50, offset: 0 }).total).toBe(6)
    const detail = t.handlers['clip.get']({ clipId: p.ids[0]! })
    expect(t.media.has(detail.media.sha256)).toBe(true)
    expect(client.status()).toMatchObject({ state: 'up_to_date', counts: { pending: 0, rejected: 0 } })

    const d0 = decide(t, { clipId: p.ids[0]!, categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn', ranges: [{ startMs: 1000, endMs: 2000, label: 'call', note: '' }] })
    const d1 = decide(t, { clipId: p.ids[1]!, categories: ['ok.commerce'], action: 'allow' })
    const d2 = decide(t, { clipId: p.ids[2]!, categories: ['public_safety.coordination'], action: 'escalate', escalationTarget: 'imminent_harm', rationale: 'time and place' })
    expect(client.status().counts.pending).toBe(3)
    const second = await client.syncNow()
    expect(second.pushed).toEqual({ stored: 3, duplicate: 0, rejected: 0 })
    let held = await serverDecisionsOf(reviewer)
    expect(held.map((d) => d.id).sort()).toEqual([d0.id, d1.id, d2.id].sort())
    expect(held.every((d) => d.device_id === t.identity.deviceId)).toBe(true)
    expect(t.decisions.forClip(p.ids[0]!)[0]!.syncState).toBe('acked')
    expect(t.handlers['queue.list']({ status: ['synced'], limit: 50, offset: 0 }).total).toBe(2)
    // The escalation reached the server, and the clip still waits for its target.
    expect(t.handlers['queue.list']({ status: ['escalated'], limit: 50, offset: 0 }).items.map((c) => c.id)).toEqual([p.ids[2]])

    // Nothing new: nothing sent. Then a crash between the server's answer and the local ack,
    // simulated by taking the acks back: the repeat is a duplicate, and the server still holds each once.
    expect((await client.syncNow()).pushed).toEqual({ stored: 0, duplicate: 0, rejected: 0 })
    t.store.sqlite.prepare('UPDATE outbox SET acked_at = NULL').run()
    expect((await client.syncNow()).pushed).toEqual({ stored: 0, duplicate: 3, rejected: 0 })
    held = await serverDecisionsOf(reviewer)
    expect(held).toHaveLength(3)

    // A revision: a new decision pointing at the old one; the server keeps both.
    const r0 = decide(t, { clipId: p.ids[0]!, categories: ['violence.arson'], action: 'limit', rationale: 'limit reach instead', revisesId: d0.id })
    expect((await client.syncNow()).pushed).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    held = await serverDecisionsOf(reviewer)
    expect(held).toHaveLength(4)
    expect(held.find((d) => d.id === r0.id)).toMatchObject({ revises_id: d0.id, action: 'limit', clip_id: p.ids[0] })
  }, 60_000)

  test('rejections stay on the device, marked: a clip not assigned, and a decision made before enrollment under another id', async () => {
    const reviewer = `rev-${++serial}-${Date.now()}`
    await server.ops.addReviewer(reviewer, 'Early')
    const t = openQuietProfile()
    profiles.push(t)
    dirs.push(t.dataDir)
    // A pack the server holds but did not assign to this reviewer, brought in on a USB stick.
    const usb = packFolder(`u${serial}`, 2)
    await server.ops.loadPack(usb.dir)
    await t.handlers['pack.importDirectory']({ path: usb.dir })
    const before = decide(t, { clipId: usb.ids[0]!, categories: ['ok.commerce'], action: 'allow' })
    expect(before.reviewerId).not.toBe(reviewer)
    await t.sync.enroll(server.url, await server.ops.enrollmentCode(reviewer))
    const after = decide(t, { clipId: usb.ids[1]!, categories: ['ok.commerce'], action: 'allow' })
    expect(after.reviewerId).toBe(reviewer)

    const run = await t.sync.syncNow()
    expect(run.pushed).toEqual({ stored: 0, duplicate: 0, rejected: 2 })
    const rejected = t.sync.rejectedDecisions()
    expect(rejected.map((r) => [r.decisionId, r.rejection])).toEqual([
      [before.id, 'not_own_decision'],
      [after.id, 'not_assigned'],
    ])
    expect(t.sync.status()).toMatchObject({ counts: { pending: 0, rejected: 2 } })
    // Kept, unchanged, and not sent again by the next run.
    expect(t.decisions.forClip(usb.ids[0]!).map((d) => d.id)).toEqual([before.id])
    expect((await t.sync.syncNow()).pushed).toEqual({ stored: 0, duplicate: 0, rejected: 0 })
    expect(await serverDecisionsOf(reviewer)).toHaveLength(0)
  }, 60_000)

  test('a newer pack updates a clip that has an unacked local decision: the decision stays and is pushed; unassigned clips leave unless decided', async () => {
    const { t, client, reviewer } = await enrolledProfile()
    const prefix = `b${serial}`
    const p = packFolder(prefix, 4)
    await server.ops.loadPack(p.dir)
    await server.ops.assign(p.packId, reviewer)
    await client.syncNow()

    // The reviewer decides offline (the push fails: a closed port), then the operator loads a newer pack.
    const d = decide(t, { clipId: p.ids[0]!, categories: ['ok.commerce'], action: 'allow' })
    const v2 = packFolder(prefix, 4, { overrides: (i) => (i === 0 ? { priority: 99, stream: { id: 'live-x', title: 'Updated title', started_at: '2025-08-29T12:40:00+07:00' } } : {}) })
    await server.ops.loadPack(v2.dir)
    const offline = syncClientFor(t, { maxAttempts: 1, fetch: () => Promise.reject(new TypeError('fetch failed')) })
    await expect(offline.syncNow()).rejects.toBeInstanceOf(SyncRunError)
    offline.close()
    expect(t.decisions.forClip(p.ids[0]!)[0]!.syncState).toBe('pending')

    // The pull of a run comes after its push; to have decisions unacked while a page is
    // written, they are recorded while the run waits for the page (a fetch that decides
    // first): a revision on clip 0, which the page updates, and a decision on clip 1, which
    // the page unassigns.
    let revision = ''
    const c2 = syncClientFor(t, {
      fetch: async (input, init) => {
        if (String(input).includes('/v1/assignments') && revision === '') {
          revision = decide(t, { clipId: p.ids[0]!, categories: ['violence.arson'], action: 'label', rationale: 'on second look', revisesId: d.id }).id
          decide(t, { clipId: p.ids[1]!, categories: ['ok.commerce'], action: 'allow' })
        }
        return fetch(input, init)
      },
    })
    // Clip 1 is unassigned too, after the reviewer has decided on it; clips 2 and 3 are not decided.
    await server.ops.unassign(p.packId, reviewer, [p.ids[1]!, p.ids[2]!])
    const run = await c2.syncNow()
    c2.close()
    expect(run.pulled).toMatchObject({ updated: 1, removed: 1, kept: 1 })
    expect(t.handlers['clip.get']({ clipId: p.ids[0]! })).toMatchObject({ priority: 99, stream: { title: 'Updated title' } })
    expect(t.decisions.forClip(p.ids[0]!).map((x) => [x.id, x.syncState])).toEqual([
      [d.id, 'acked'],
      [revision, 'pending'],
    ])
    expect(t.store.sqlite.prepare('SELECT status FROM clips WHERE id = ?').pluck().get(p.ids[0])).toBe('decided')
    expect(localClipIds(t)).toEqual([p.ids[0], p.ids[1], p.ids[3]])
    // The next run pushes both, and the server answers for each (whether it takes a decision
    // on a clip it has since unassigned is its call: this server does).
    const next = await client.syncNow()
    expect(next.pushed.stored + next.pushed.rejected).toBe(2)
    expect(client.status().counts.pending).toBe(0)
    const held = (await serverDecisionsOf(reviewer)).map((x) => x.id)
    expect(held).toEqual(expect.arrayContaining([d.id, revision]))
    expect(held).toHaveLength(2 + next.pushed.stored - 1)
  }, 60_000)

  test('the server restarted between pull pages: the run retries, and every clip arrives once', async () => {
    let pages = 0
    const { t, client, reviewer } = await enrolledProfile({
      pullPage: 5,
      random: mulberry32(5),
      requestBackoff: { baseMs: 100, factor: 2, capMs: 2_000 },
      maxAttempts: 10,
      fetch: async (input, init) => {
        if (String(input).includes('/v1/assignments') && ++pages === 3) await server.restart()
        return fetch(input, init)
      },
    })
    const p = packFolder(`r${serial}`, 23)
    await server.ops.loadPack(p.dir)
    await server.ops.assign(p.packId, reviewer)
    const run = await client.syncNow()
    expect(pages).toBeGreaterThanOrEqual(5)
    expect(run.pulled).toMatchObject({ added: 23, pages: 5 })
    expect(localClipIds(t)).toEqual(p.ids)
    expect((await client.syncNow()).pulled).toMatchObject({ added: 0, updated: 0 })
  }, 90_000)

  test('a hostile answer in place of the server changes nothing', async () => {
    const { t, reviewer } = await enrolledProfile()
    const p = packFolder(`h${serial}`, 2)
    await server.ops.loadPack(p.dir)
    await server.ops.assign(p.packId, reviewer)
    // A man in the middle: the real server's page with one clip's media path made unsafe.
    const fake = await startFakeServer()
    try {
      fake.routes.set('GET /v1/assignments', async (req) => {
        const real = await fetch(`${server.url}/v1/assignments?${req.query.toString()}`, { headers: { authorization: String(req.headers.authorization), 'tinjau-protocol': '1' } })
        const page = (await real.json()) as { changes: { clip: { media: { path: string } } }[] }
        page.changes[1]!.clip.media.path = '/etc/passwd'
        return json(200, page)
      })
      const server2 = fake.url
      const c = syncClientFor(t)
      t.store.sqlite.prepare("UPDATE settings SET value = ? WHERE key = 'sync.server_url'").run(server2)
      const rows = snapshotRows(t.store.sqlite)
      const files = snapshotFiles(t.dataDir)
      const err = (await c.syncNow().catch((e: unknown) => e)) as SyncRunError
      c.close()
      expect(err).toBeInstanceOf(SyncRunError)
      expect(err.failure.code).toBe('invalid_response')
      expect(err.message).toMatch(/changes\.1\.clip\.media\.path/)
      expect(snapshotRows(t.store.sqlite)).toEqual(rows)
      expect(snapshotFiles(t.dataDir)).toEqual(files)
    } finally {
      await fake.close()
    }
  }, 60_000)

  test('10,000 assignments pulled (figure printed; media excluded: one shared file)', async () => {
    let serverMs = 0
    const { t, client, reviewer } = await enrolledProfile({
      pullPage: 2000,
      // Times the server's part (answer fully received) apart from the client's.
      fetch: async (input, init) => {
        const t0 = performance.now()
        const r = await fetch(input, init)
        const body = await r.arrayBuffer()
        serverMs += performance.now() - t0
        return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers })
      },
    })
    const p = packFolder(`big${serial}`, 10_000)
    await server.ops.loadPack(p.dir)
    await server.ops.assign(p.packId, reviewer)
    const started = performance.now()
    const run = await client.syncNow()
    const ms = performance.now() - started
    console.log(`sync pull: 10,000 assignments in ${ms.toFixed(0)} ms (${run.pulled.pages} pages; waiting for the server's answers: ${serverMs.toFixed(0)} ms)`)
    expect(run.pulled.added).toBe(10_000)
    expect(t.handlers['queue.list']({ status: ['pending'], limit: 1, offset: 0 }).total).toBe(10_000)
  }, 120_000)
})
