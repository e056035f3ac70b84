import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { HASHER_ID, type FrameHash } from '../../shared/frame-hashes'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
import { PushRequest } from '../../shared/sync-protocol'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import type { TestServer } from '../../server/testing/test-server'
// eslint-disable-next-line no-restricted-imports
import { one, rows, sql } from '../../server/db/open'
// eslint-disable-next-line no-restricted-imports
import { adjudicate } from '../../server/ops/adjudicate'
// eslint-disable-next-line no-restricted-imports
import { addLead } from '../../server/ops/leads'
import { findPackageRoot } from '../package-root'
import { loadPolicy } from '../policy-loader'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { TEAM_LIST_ID } from './team-hashes'
import type { Tinjau } from '../tinjau'
import { syncClientFor } from './testing/client-for'
import { openQuietProfile } from './testing/open-profile'
import { useTestService } from './testing/use-test-service'

/**
 * Pushes carry the decided media's frame hashes, once; a decision never waits for them, and
 * an answer about them that is broken, or a service that refuses them, costs no decision.
 * The client against the real sync service (PGlite, or PostgreSQL under test:postgres).
 */

let server: TestServer
const dirs: string[] = []
const profiles: (Tinjau & { dataDir: string })[] = []
let serial = 0

useTestService((s) => (server = s), dirs)
afterEach(() => {
  for (const t of profiles.splice(0)) t.close()
})

interface Sent {
  path: string
  body: string
}

type PushRewrite = (answer: Record<string, unknown> | null, sent: PushRequest) => { status: number; body: unknown } | null

/** A fresh profile enrolled as a new reviewer holding `clipIds` of `packId`, synced once; its requests are recorded, its answers may be rewritten. */
async function profileFor(packId: string, clipIds: string[], rewrite?: PushRewrite, rewritePull?: (page: Record<string, unknown>) => unknown, firstSync = true) {
  const reviewer = `rev-${++serial}x${Date.now() % 100000}`
  await server.ops.addReviewer(reviewer, `Reviewer ${serial}`)
  if (clipIds.length > 0) await server.ops.assign(packId, reviewer, clipIds)
  const t = openQuietProfile()
  profiles.push(t)
  dirs.push(t.dataDir)
  const sent: Sent[] = []
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const body = init?.body ? Buffer.from(init.body as Uint8Array).toString('utf8') : ''
    sent.push({ path: url.pathname, body })
    const isPush = url.pathname === '/v1/decisions' && init?.method === 'POST'
    // Asked first without an answer: a service that refuses the request outright.
    const refused = rewrite && isPush ? rewrite(null, JSON.parse(body) as PushRequest) : null
    if (refused) return new Response(JSON.stringify(refused.body), { status: refused.status, headers: { 'content-type': 'application/json', 'tinjau-protocol': '1' } })
    const res = await fetch(input, init)
    const isPull = url.pathname === '/v1/media-hashes' && rewritePull
    if (!(rewrite && isPush) && !isPull) return res
    const text = await res.text()
    const headers = new Headers(res.headers)
    headers.delete('content-length')
    if (res.status !== 200) return new Response(text, { status: res.status, headers })
    if (isPull) return new Response(JSON.stringify(rewritePull!(JSON.parse(text) as Record<string, unknown>)), { status: 200, headers })
    const changed = rewrite!(JSON.parse(text) as Record<string, unknown>, JSON.parse(body) as PushRequest)
    return new Response(changed ? JSON.stringify(changed.body) : text, { status: changed?.status ?? 200, headers })
  }
  const client = syncClientFor(t, { fetch: recording, maxAttempts: 1 })
  await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
  if (firstSync) await client.syncNow()
  t.hashes.clipsChanged()
  return { t, client, reviewer, sent }
}

/** A pack of `n` clips (a media file each) on the service, and a reviewer holding them all (see profileFor). */
async function setup(n: number, rewrite?: PushRewrite) {
  const prefix = `mh${++serial}x${Date.now() % 100000}`
  const dir = tempDir('tinjau-sync-pack-')
  dirs.push(dir)
  const media = Array.from({ length: n }, (_, i) => writeMedia(dir, `media/${prefix}-${i}.webm`, Buffer.from(`${prefix} media ${i} `.repeat(200 + i))))
  const ids = media.map((_, i) => `${prefix}-${i}`)
  const packId = `pk-${prefix}`
  writeManifest(dir, makeManifest(ids.map((id, i) => makeClip(id, media[i]!)), { pack_id: packId }))
  await server.ops.loadPack(dir)
  return { ...(await profileFor(packId, ids, rewrite)), ids, media, packId }
}

/** Frames as the renderer's hasher would answer them (random hashes), recorded for one media file. */
function record(t: Tinjau, sha256: string): FrameHash[] {
  const frames = Array.from({ length: 3 }, (_, i) => ({
    tMs: i * 1000,
    hashes: Array.from({ length: 4 }, (_, k) => ({ hash: randomBytes(32).toString('hex'), quality: 60 + i + k })),
  }))
  t.hashes.record({ outcome: 'hashed', sha256, hasher: HASHER_ID, frames })
  return frames
}

/** Claims every media file waiting to be hashed (as the hasher does, one at a time) and returns them. */
function claimAll(t: Tinjau): string[] {
  const claimed: string[] = []
  for (let job = t.hashes.next(); job; job = t.hashes.next()) claimed.push(job.sha256)
  return claimed
}

/** Hashes every media file waiting. */
function hashAll(t: Tinjau): void {
  for (const sha256 of claimAll(t)) record(t, sha256)
}

const decide = (t: Tinjau, input: DecisionDraftInput) => t.handlers['decision.record'](DecisionDraft.parse(input))
const remove = (clipId: string) => ({ clipId, categories: ['violence.arson'], action: 'remove' as const, rationale: 'calls to burn' })

/** The pushes a client sent, parsed, from `from` on. */
function pushes(sent: Sent[], from = 0): PushRequest[] {
  return sent
    .slice(from)
    .filter((s) => s.path === '/v1/decisions')
    .map((s) => PushRequest.parse(JSON.parse(s.body)))
}

async function serverHashes(sha256s: string[]) {
  return rows<{ sha256: string; hasher: string; hashes: string; qualities: string; times_ms: number[] }>(
    server.db(),
    sql`SELECT sha256, hasher, encode(hashes, 'hex') AS hashes, encode(qualities, 'hex') AS qualities, times_ms FROM media_hashes
        WHERE sha256 IN (SELECT jsonb_array_elements_text(${JSON.stringify(sha256s)}::jsonb)) ORDER BY sha256`,
  )
}

const serverDecisionsOf = async (reviewer: string) => (await server.ops.decisions()).filter((d) => d.reviewer_id === reviewer)
const answered = (t: Tinjau) => t.store.sqlite.prepare('SELECT sha256, hasher, outcome FROM media_hash_pushes ORDER BY sha256').all()
const unacked = (t: Tinjau) => t.store.sqlite.prepare('SELECT count(*) FROM outbox WHERE acked_at IS NULL').pluck().get()

describe('pushes carry the decided media’s hashes', () => {
  test('with the decision when hashed before it, alone in a later push when hashed after; once each, as the profile holds them', async () => {
    const { t, client, ids, media, sent } = await setup(3)
    expect(claimAll(t).sort()).toEqual(media.map((m) => m.sha256).sort())
    const frames = record(t, media[0]!.sha256)
    decide(t, remove(ids[0]!))
    decide(t, remove(ids[1]!)) // its media is not hashed yet
    let from = sent.length
    expect((await client.syncNow()).pushed).toEqual({ stored: 2, duplicate: 0, rejected: 0 })
    let sentPushes = pushes(sent, from)
    expect(sentPushes).toHaveLength(1)
    expect(sentPushes[0]!.decisions).toHaveLength(2)
    expect(sentPushes[0]!.media_hashes?.map((m) => m.sha256)).toEqual([media[0]!.sha256])
    // The service holds exactly the profile's frames.
    expect(await serverHashes([media[0]!.sha256])).toEqual([
      {
        sha256: media[0]!.sha256,
        hasher: HASHER_ID,
        hashes: frames.flatMap((f) => f.hashes.map((h) => h.hash)).join(''),
        qualities: Buffer.from(frames.flatMap((f) => f.hashes.map((h) => h.quality))).toString('hex'),
        times_ms: [0, 1000, 2000],
      },
    ])
    expect(answered(t)).toEqual([{ sha256: media[0]!.sha256, hasher: HASHER_ID, outcome: 'stored' }])

    // Nothing new: no push at all, the hashes not again.
    from = sent.length
    await client.syncNow()
    expect(pushes(sent, from)).toEqual([])

    // Clip 1's media hashed after its decision went: a push of hashes alone. Clip 2's media is hashed but undecided: not sent.
    record(t, media[1]!.sha256)
    record(t, media[2]!.sha256)
    from = sent.length
    expect((await client.syncNow()).pushed).toEqual({ stored: 0, duplicate: 0, rejected: 0 })
    sentPushes = pushes(sent, from)
    expect(sentPushes.map((p) => [p.decisions.length, p.media_hashes?.map((m) => m.sha256)])).toEqual([[0, [media[1]!.sha256]]])
    expect((await serverHashes(media.map((m) => m.sha256))).map((r) => r.sha256)).toEqual([media[0]!.sha256, media[1]!.sha256].sort())
    from = sent.length
    await client.syncNow()
    expect(pushes(sent, from)).toEqual([])
  }, 60_000)

  test('within the body budget: a batch takes the hashes that fit beside its decisions, the rest go alone, each media once', async () => {
    const { t, ids, media, sent, reviewer } = await setup(4)
    hashAll(t)
    for (const id of ids) decide(t, remove(id))
    const budget = 2500
    const client = syncClientFor(t, { pushBodyBytes: budget, fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
      sent.push({ path: url.pathname, body: init?.body ? Buffer.from(init.body as Uint8Array).toString('utf8') : '' })
      return fetch(input, init)
    }) as typeof fetch })
    const from = sent.length
    expect((await client.syncNow()).pushed).toEqual({ stored: 4, duplicate: 0, rejected: 0 })
    const bodies = sent.slice(from).filter((s) => s.path === '/v1/decisions')
    const parsed = bodies.map((b) => PushRequest.parse(JSON.parse(b.body)))
    expect(parsed.length).toBeGreaterThan(1)
    bodies.forEach((b, i) => {
      const alone = parsed[i]!.decisions.length === 0 && parsed[i]!.media_hashes?.length === 1
      if (!alone) expect(Buffer.byteLength(b.body), `push ${i} of ${bodies.length}`).toBeLessThanOrEqual(budget)
    })
    // Some hashes did not fit beside the decisions and went alone; every media once.
    expect(parsed.some((p) => p.decisions.length === 0)).toBe(true)
    const sentMedia = parsed.flatMap((p) => p.media_hashes?.map((m) => m.sha256) ?? [])
    expect(sentMedia.sort()).toEqual(media.map((m) => m.sha256).sort())
    expect((await serverHashes(media.map((m) => m.sha256))).length).toBe(4)
    expect((await serverDecisionsOf(reviewer)).length).toBe(4)
  }, 60_000)

  test('an answer about the hashes that is broken marks none of them and loses no decision; the next push sends them again', async () => {
    let breakIt: 'other media' | 'garbage' | null = 'other media'
    const { t, client, ids, media, sent } = await setup(2, (answer, push) => {
      if (!answer || !breakIt || !push.media_hashes) return null
      // The decisions' part intact, the hashes' part about other media, or not a list at all.
      const hashes = breakIt === 'garbage' ? 'stored' : [{ sha256: 'f'.repeat(64), hasher: HASHER_ID, outcome: 'stored' }]
      return { status: 200, body: { ...answer, media_hashes: hashes } }
    })
    hashAll(t)
    const d0 = decide(t, remove(ids[0]!))
    expect((await client.syncNow()).pushed).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    expect(unacked(t)).toBe(0)
    expect(t.decisions.forClip(ids[0]!)[0]).toMatchObject({ id: d0.id, syncState: 'acked' })
    expect(answered(t)).toEqual([])

    // Garbage in place of the list: the same.
    breakIt = 'garbage'
    const d1 = decide(t, remove(ids[1]!))
    const before = sent.length
    await client.syncNow()
    expect(pushes(sent, before).flatMap((p) => p.media_hashes?.map((m) => m.sha256) ?? []).sort()).toEqual(media.map((m) => m.sha256).sort())
    expect(t.decisions.forClip(ids[1]!)[0]).toMatchObject({ id: d1.id, syncState: 'acked' })
    expect(answered(t)).toEqual([])

    breakIt = null
    await client.syncNow()
    expect(answered(t)).toEqual(
      media
        .map((m) => ({ sha256: m.sha256, hasher: HASHER_ID, outcome: 'duplicate' }))
        .sort((a, b) => a.sha256.localeCompare(b.sha256)),
    )
  }, 60_000)

  test('a push of hashes alone that fails ends the hashes of the run, not the run: they go next time', async () => {
    let failHashes = true
    const { t, client, ids, media } = await setup(1, (answer, push) =>
      !answer && failHashes && push.decisions.length === 0 ? { status: 500, body: { error: { code: 'server_error', message: 'the service failed' } } } : null,
    )
    const d = decide(t, remove(ids[0]!))
    expect((await client.syncNow()).pushed).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    hashAll(t)
    const run = await client.syncNow()
    expect(run.pushed).toEqual({ stored: 0, duplicate: 0, rejected: 0 })
    expect(client.status().state).toBe('up_to_date')
    expect(t.decisions.forClip(ids[0]!)[0]).toMatchObject({ id: d.id, syncState: 'acked' })
    expect(answered(t)).toEqual([])
    failHashes = false
    await client.syncNow()
    expect(answered(t)).toEqual([{ sha256: media[0]!.sha256, hasher: HASHER_ID, outcome: 'stored' }])
  }, 60_000)

  test('a service that refuses pushes carrying hashes (one older than them) still takes the decisions, sent alone', async () => {
    const { t, client, ids, sent } = await setup(1, (answer, push) =>
      !answer && push.media_hashes ? { status: 400, body: { error: { code: 'invalid_request', message: 'body: unrecognized key "media_hashes"' } } } : null,
    )
    hashAll(t)
    const d = decide(t, remove(ids[0]!))
    const from = sent.length
    expect((await client.syncNow()).pushed).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    expect(pushes(sent, from).map((p) => [p.decisions.map((x) => x.id), p.media_hashes === undefined])).toEqual([
      [[d.id], false],
      [[d.id], true],
    ])
    expect(unacked(t)).toBe(0)
    expect(answered(t)).toEqual([])
  }, 60_000)
})

/** The team's list as a profile holds it: entries by media, with their frames as hex and the decision they carry. */
function teamEntries(t: Tinjau, only?: readonly string[]) {
  const out = new Map<string, { hashes: string; times: number[]; decision: ReturnType<Tinjau['hashLists']['detail']> }>()
  for (const e of t.hashLists.allEntries()) {
    // Pulls are the organisation's: earlier tests' media come too.
    if (e.listId !== TEAM_LIST_ID || (only && !only.includes(e.mediaSha256!))) continue
    const hex = Array.from(e.hashes, (w) => w.toString(16).padStart(8, '0')).join('')
    out.set(e.mediaSha256!, { hashes: hex, times: [...e.timesMs], decision: t.hashLists.detail(e.listId, e.entryId) })
  }
  return out
}
const waiting = (t: Tinjau, only: readonly string[]) => (t.store.sqlite.prepare('SELECT sha256 FROM team_hashes_waiting ORDER BY sha256').pluck().all() as string[]).filter((x) => only.includes(x))
const hexOf = (frames: FrameHash[]) => frames.flatMap((f) => f.hashes.map((h) => h.hash)).join('')

describe('pulls bring the team’s hashes', () => {
  test("another reviewer's device keeps them as the 'team' hash list, with the decision in force; frames wait while it is disputed", async () => {
    // ana holds both clips; budi holds clip 1 only, so clip 0's outcome is ana's alone.
    const ana = await setup(2)
    const [m0, m1] = ana.media.map((m) => m.sha256) as [string, string]
    claimAll(ana.t)
    const f0 = record(ana.t, m0)
    const f1 = record(ana.t, m1)
    // budi holds clip 1 before ana's decision reaches the service, so its outcome waits for budi.
    const budi = await profileFor(ana.packId, [ana.ids[1]!], undefined, undefined, false)
    decide(ana.t, remove(ana.ids[0]!))
    decide(ana.t, remove(ana.ids[1]!))
    await ana.client.syncNow()
    await budi.client.syncNow()
    const notified: number[] = []
    const list = () => budi.t.hashLists.lists().find((l) => l.id === TEAM_LIST_ID)

    // Clip 0 decided: in the list. Clip 1 waits for budi: pending, its frames kept aside.
    let held = teamEntries(budi.t, [m0, m1])
    expect([...held.keys()]).toEqual([m0])
    expect(held.get(m0)).toMatchObject({ hashes: hexOf(f0), times: [0, 1000, 2000] })
    expect(held.get(m0)!.decision).toMatchObject({
      source: 'team',
      label: `clip ${ana.ids[0]} (${ana.packId})`,
      decision: { action: 'remove', categories: ['violence.arson'], rationale: 'calls to burn', decided_by: ana.reviewer, source_clip_id: ana.ids[0] },
    })
    expect(waiting(budi.t, [m0, m1])).toEqual([m1])
    const entriesBefore = list()!.entries
    expect(list()).toMatchObject({ source: 'team', issuerName: server.url })

    // budi disagrees: disputed, still waiting. A lead settles it: the entry comes back with the frames kept aside.
    decide(budi.t, { clipId: ana.ids[1]!, categories: ['ok.news'], action: 'allow' })
    await budi.client.syncNow()
    expect([...teamEntries(budi.t, [m0, m1]).keys()]).toEqual([m0])
    expect(waiting(budi.t, [m0, m1])).toEqual([m1])
    await addLead(server.db(), { id: `lead-${serial}`, name: 'Lina Hartono', role: 'lead', password: 'correct horse battery staple' }).catch(() => {})
    const outcome = await one<{ outcome_id: string }>(server.db(), sql`SELECT outcome_id FROM clip_outcomes WHERE clip_id = ${ana.ids[1]!}`)
    await adjudicate(server.db(), loadPolicy(path.join(findPackageRoot(__dirname), 'resources')), { id: `lead-${serial}`, name: 'Lina Hartono' }, ana.ids[1]!, {
      expected_outcome_id: outcome!.outcome_id,
      action: 'remove',
      categories: ['violence.arson'],
      escalation_target: null,
      ranges: [],
      rationale: 'Settled: the call to burn is plain.',
      adopted_decision_id: null,
    })
    const client = syncClientFor(budi.t, { onTeamHashesChanged: () => notified.push(1) })
    await client.syncNow()
    held = teamEntries(budi.t, [m0, m1])
    expect([...held.keys()].sort()).toEqual([m0, m1].sort())
    expect(held.get(m1)).toMatchObject({ hashes: hexOf(f1), decision: { decision: { action: 'remove', rationale: 'Settled: the call to burn is plain.', decided_by: `lead-${serial}` } } })
    expect(waiting(budi.t, [m0, m1])).toEqual([])
    expect(list()!.entries).toBe(entriesBefore + 1)
    expect(notified.length).toBe(1)
    // Nothing new: nothing changes, no notice.
    await client.syncNow()
    expect(notified.length).toBe(1)
    // Unenrolled: the team's list belongs to that service, and goes.
    await client.unenroll()
    expect(notified.length).toBe(2)
    expect(list()).toBeUndefined()
    expect(teamEntries(budi.t).size).toBe(0)
    expect(budi.t.store.sqlite.prepare('SELECT count(*) FROM team_hashes_waiting').pluck().get()).toBe(0)
  }, 90_000)

  test('a page the protocol refuses changes nothing (not the list, not the cursor) and costs no decision; the next good page applies', async () => {
    let broken = true
    const ana = await setup(2)
    claimAll(ana.t)
    record(ana.t, ana.media[0]!.sha256)
    decide(ana.t, remove(ana.ids[0]!))
    await ana.client.syncNow()
    const budi = await profileFor(
      ana.packId,
      [ana.ids[1]!],
      undefined,
      (page) => {
        if (!broken) return page
        const items = page.items as { frames: { hashes: string } | null }[]
        // One character of one hash is not hex.
        return { ...page, items: items.map((i) => (i.frames ? { ...i, frames: { ...i.frames, hashes: `Z${i.frames.hashes.slice(1)}` } } : i)) }
      },
      false,
    )
    const cursor = () => budi.t.store.sqlite.prepare("SELECT value FROM settings WHERE key = 'sync.media_hashes_cursor'").pluck().get()
    await expect(budi.client.syncNow()).rejects.toMatchObject({ failure: { code: 'invalid_response' } })
    // The clip came before the refused page; budi decides it and syncs: the decision goes, the page is refused again.
    const d = decide(budi.t, { clipId: ana.ids[1]!, categories: ['ok.news'], action: 'allow' })
    await expect(budi.client.syncNow()).rejects.toMatchObject({ failure: { code: 'invalid_response' } })
    expect(budi.t.decisions.forClip(ana.ids[1]!)[0]).toMatchObject({ id: d.id, syncState: 'acked' })
    expect(budi.t.hashLists.lists()).toEqual([])
    expect(budi.t.store.sqlite.prepare('SELECT count(*) FROM team_hashes_waiting').pluck().get()).toBe(0)
    expect(cursor()).toBeUndefined()

    broken = false
    await budi.client.syncNow()
    expect([...teamEntries(budi.t, ana.media.map((m) => m.sha256)).keys()]).toEqual([ana.media[0]!.sha256])
    expect(cursor()).toEqual(expect.any(String))
  }, 60_000)
})
