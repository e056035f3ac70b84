import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { HASHER_ID, type FrameHash } from '../../shared/frame-hashes'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
import { PushRequest } from '../../shared/sync-protocol'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import { startTestServer, type TestServer } from '../../server/testing/test-server'
// eslint-disable-next-line no-restricted-imports
import { rows, sql } from '../../server/db/open'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import type { Tinjau } from '../tinjau'
import { syncClientFor } from './testing/client-for'
import { openQuietProfile } from './testing/open-profile'

/**
 * Pushes carry the decided media's frame hashes, once; a decision never waits for them, and
 * an answer about them that is broken, or a service that refuses them, costs no decision.
 * The client against the real sync service (PGlite, or PostgreSQL under test:postgres).
 */

let server: TestServer
const dirs: string[] = []
const profiles: (Tinjau & { dataDir: string })[] = []
let serial = 0

beforeAll(async () => {
  server = await startTestServer()
}, 120_000)
afterAll(async () => {
  await server?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
afterEach(() => {
  for (const t of profiles.splice(0)) t.close()
})

interface Sent {
  path: string
  body: string
}

/**
 * A reviewer with a pack of `n` clips (a media file each) pulled onto a fresh profile; its
 * client's requests are recorded, and `rewrite` may change the service's answer to a push.
 */
async function setup(n: number, rewrite?: (answer: Record<string, unknown> | null, sent: PushRequest) => { status: number; body: unknown } | null) {
  const prefix = `mh${++serial}x${Date.now() % 100000}`
  const reviewer = `rev-${prefix}`
  await server.ops.addReviewer(reviewer, `Reviewer ${prefix}`)
  const dir = tempDir('tinjau-sync-pack-')
  dirs.push(dir)
  const media = Array.from({ length: n }, (_, i) => writeMedia(dir, `media/${prefix}-${i}.webm`, Buffer.from(`${prefix} media ${i} `.repeat(200 + i))))
  const ids = media.map((_, i) => `${prefix}-${i}`)
  writeManifest(dir, makeManifest(ids.map((id, i) => makeClip(id, media[i]!)), { pack_id: `pk-${prefix}` }))
  await server.ops.loadPack(dir)
  await server.ops.assign(`pk-${prefix}`, reviewer)

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
    if (!rewrite || !isPush) return res
    const text = await res.text()
    const changed = res.status === 200 ? rewrite(JSON.parse(text) as Record<string, unknown>, JSON.parse(body) as PushRequest) : null
    const headers = new Headers(res.headers)
    headers.delete('content-length')
    return new Response(changed ? JSON.stringify(changed.body) : text, { status: changed?.status ?? res.status, headers })
  }
  const client = syncClientFor(t, { fetch: recording, maxAttempts: 1 })
  await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
  await client.syncNow()
  t.hashes.clipsChanged()
  return { t, client, ids, media, reviewer, sent }
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
