import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MediaHashesResponse, PushResponse, type KnownMedia, type MediaFrameHashes } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import { pullMediaHashes } from './ops/media-hashes'
import type { TestPack } from './testing/fixtures'
import { errorOf } from './testing/responses'
import { settleAsTestLead, startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/** Pushes carry the decided media's frame hashes; every device pulls the team's, with the outcomes in force. */

let server: TestServer
let pack: TestPack
let ana: TestDevice
let budi: TestDevice
let citra: TestDevice

/** Random but valid frame hashes of one media object. */
function frames(sha256: string, n = 3, perFrame = 4, hasher = 'pdq/1fps/v2'): MediaFrameHashes {
  return {
    sha256,
    hasher,
    hashes_per_frame: perFrame,
    times_ms: Array.from({ length: n }, (_, i) => i * 1000),
    hashes: randomBytes(n * perFrame * 32).toString('hex'),
    qualities: Array.from({ length: n * perFrame }, (_, i) => (i * 7) % 101),
  }
}

async function pushed(res: Response): Promise<PushResponse> {
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return PushResponse.parse(JSON.parse(text))
}

async function stored(): Promise<{ sha256: string; hasher: string; hashes: string; qualities: string; times_ms: number[]; reviewer_id: string }[]> {
  return rows(server.db(), sql`SELECT sha256, hasher, encode(hashes, 'hex') AS hashes, encode(qualities, 'hex') AS qualities, times_ms, reviewer_id FROM media_hashes ORDER BY seq`)
}

async function pullAll(device: TestDevice, limit = 200, from = ''): Promise<{ items: KnownMedia[]; cursor: string; pages: number }> {
  const items: KnownMedia[] = []
  let cursor = from
  let pages = 0
  for (;;) {
    const res = await device.request('GET', `/v1/media-hashes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    const text = await res.text()
    expect(res.status, text).toBe(200)
    const page = MediaHashesResponse.parse(JSON.parse(text))
    items.push(...page.items)
    cursor = page.cursor
    pages++
    if (!page.more) return { items, cursor, pages }
  }
}

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi, citra } } = await startReviewTeam({
    pack: { clips: 6 },
    reviewers: { ana: { assigned: (c) => c.slice(0, 4) }, budi: { assigned: (c) => c.slice(2) }, citra: {} },
    lead: true,
  }))
}, 120_000)
afterAll(() => server?.stop())

describe('pushes carry media hashes', () => {
  it('stores them once per media and hasher, beside the decisions, and says so per entry', async () => {
    const m0 = frames(pack.media[0]!.sha256)
    const d0 = ana.decision(pack.clipIds[0]!)
    const first = await pushed(await ana.pushRaw(ana.pushBody([d0], undefined, [m0])))
    expect(first.results).toEqual([{ id: d0.id, outcome: 'stored' }])
    expect(first.media_hashes).toEqual([{ sha256: m0.sha256, hasher: 'pdq/1fps/v2', outcome: 'stored' }])
    const rowsNow = await stored()
    expect(rowsNow).toEqual([
      { sha256: m0.sha256, hasher: 'pdq/1fps/v2', hashes: m0.hashes, qualities: Buffer.from(m0.qualities).toString('hex'), times_ms: m0.times_ms, reviewer_id: 'ana' },
    ])

    // The same again (a retry), and other frames for the same media and hasher: duplicate, the first kept.
    const again = await pushed(await ana.pushRaw(ana.pushBody([d0], undefined, [m0, frames(pack.media[0]!.sha256, 2, 1, 'pdq/1fps/v1')])))
    expect(again.results[0]!.outcome).toBe('duplicate')
    expect(again.media_hashes!.map((r) => r.outcome)).toEqual(['duplicate', 'stored'])
    const other = await pushed(await budi.pushRaw(budi.pushBody([], undefined, [frames(pack.media[0]!.sha256)])))
    // budi was never assigned clip 0: refused, and nothing of it kept.
    expect(other.media_hashes).toMatchObject([{ outcome: 'rejected', message: expect.stringContaining('not the media of a clip assigned') }])
    const after = await stored()
    expect(after.map((r) => [r.sha256, r.hasher])).toEqual([
      [m0.sha256, 'pdq/1fps/v2'],
      [m0.sha256, 'pdq/1fps/v1'],
    ])
    expect(after[0]!.hashes).toBe(m0.hashes)
  })

  it('takes hashes alone (a media hashed after its decision went) and answers without media_hashes when none came', async () => {
    const d2 = ana.decision(pack.clipIds[2]!)
    const plain = await pushed(await ana.push([d2]))
    expect(plain.media_hashes).toBeUndefined()
    const m2 = frames(pack.media[2]!.sha256, 5)
    const alone = await pushed(await ana.pushRaw(ana.pushBody([], undefined, [m2])))
    expect(alone).toEqual({ results: [], media_hashes: [{ sha256: m2.sha256, hasher: 'pdq/1fps/v2', outcome: 'stored' }] })
  })

  it('refuses bad hashes with an error that says where, storing nothing of the push (not its decisions either)', async () => {
    const before = { hashes: (await stored()).length, decisions: (await server.ops.decisions()).length }
    const d = ana.decision(pack.clipIds[1]!)
    const good = frames(pack.media[1]!.sha256)
    const cases: [string, unknown, string][] = [
      ['upper-case hex', { ...good, hashes: good.hashes.toUpperCase() }, 'media_hashes.0.hashes'],
      ['too few hex characters', { ...good, hashes: good.hashes.slice(64) }, 'media_hashes.0.hashes'],
      ['a quality per hash', { ...good, qualities: good.qualities.slice(1) }, 'media_hashes.0.qualities'],
      ['quality above 100', { ...good, qualities: good.qualities.map(() => 101) }, 'media_hashes.0.qualities.0'],
      ['times that go back', { ...good, times_ms: [0, 2000, 1000] }, 'media_hashes.0.times_ms.2'],
      ['too many hashes a frame', { ...good, hashes_per_frame: 9 }, 'media_hashes.0.hashes_per_frame'],
      ['a bad hasher id', { ...good, hasher: 'PDQ v2!' }, 'media_hashes.0.hasher'],
      ['an unknown field', { ...good, extra: 1 }, 'media_hashes.0'],
    ]
    for (const [what, entry, where] of cases) {
      const body = Buffer.from(JSON.stringify({ batch_id: `b-${what}`, device_id: ana.deviceId, decisions: [d], media_hashes: [entry] }))
      const res = await ana.pushRaw(body)
      expect(res.status, what).toBe(400)
      const error = await errorOf(res)
      expect(error.code, what).toBe('invalid_request')
      expect(error.details?.map((x) => x.path), what).toContain(`body.${where}`)
    }
    const twice = Buffer.from(JSON.stringify({ batch_id: 'b-twice', device_id: ana.deviceId, decisions: [], media_hashes: [good, good] }))
    expect((await errorOf(await ana.pushRaw(twice))).details?.[0]).toMatchObject({ path: 'body.media_hashes.1', message: expect.stringContaining('come twice') })
    const empty = Buffer.from(JSON.stringify({ batch_id: 'b-empty', device_id: ana.deviceId, decisions: [] }))
    expect((await errorOf(await ana.pushRaw(empty))).details?.[0]).toMatchObject({ path: 'body.decisions', message: expect.stringContaining('at least one decision or media_hashes') })
    expect((await stored()).length).toBe(before.hashes)
    expect((await server.ops.decisions()).length).toBe(before.decisions)
  })
})

describe('GET /v1/media-hashes', () => {
  it("brings any device the team's decided media with the outcomes in force, a page at a time, each hash row once", async () => {
    const all = await pullAll(citra)
    const withFrames = all.items.filter((i) => i.frames !== null)
    expect(withFrames.map((i) => [i.sha256, i.frames!.hasher])).toEqual([
      [pack.media[0]!.sha256, 'pdq/1fps/v2'],
      [pack.media[0]!.sha256, 'pdq/1fps/v1'],
      [pack.media[2]!.sha256, 'pdq/1fps/v2'],
    ])
    const db = await stored()
    withFrames.forEach((item, i) => {
      expect(item.frames!.hashes).toBe(db[i]!.hashes)
      expect(Buffer.from(item.frames!.qualities).toString('hex')).toBe(db[i]!.qualities)
      expect(item.frames!.times_ms).toEqual(db[i]!.times_ms)
    })
    expect(withFrames[0]!.clips).toEqual([
      {
        clip_id: pack.clipIds[0],
        pack_id: pack.packId,
        outcome: expect.objectContaining({ kind: 'single_review', action: 'remove', categories: ['violence.arson'], rationale: 'Calls to burn the market.', lead: null }),
        reviewer_ids: ['ana'],
      },
    ])
    // Page by page, the same items in the same order.
    const paged = await pullAll(citra, 1)
    expect(paged.pages).toBeGreaterThan(3)
    expect(paged.items).toEqual(all.items)
    // Nothing new after the cursor.
    expect((await pullAll(citra, 200, all.cursor)).items).toEqual([])
  })

  it('sends a media again, without frames, when the outcome of a clip using it changes', async () => {
    const { cursor } = await pullAll(budi)
    const clip = pack.clipIds[2]!
    const b = budi.decision(clip, { action: 'allow', categories: ['ok.news'], rationale: '' })
    expect((await budi.push([b])).status).toBe(200)
    let next = await pullAll(budi, 200, cursor)
    expect(next.items.map((i) => [i.sha256, i.frames])).toEqual([[pack.media[2]!.sha256, null]])
    expect(next.items[0]!.clips[0]).toMatchObject({ clip_id: clip, outcome: { kind: 'disputed', action: null }, reviewer_ids: ['ana', 'budi'] })

    await settleAsTestLead(server, clip)
    next = await pullAll(budi, 200, next.cursor)
    expect(next.items.at(-1)!.clips[0]).toMatchObject({
      clip_id: clip,
      outcome: { kind: 'adjudicated', action: 'remove', lead: { id: 'lina', name: 'Lina Hartono' }, rationale: 'The call to burn is plain at 0:01.' },
    })
    // An outcome on a clip whose media has no hashes brings nothing.
    expect((await ana.push([ana.decision(pack.clipIds[3]!)])).status).toBe(200)
    expect((await pullAll(budi, 200, next.cursor)).items).toEqual([])
  })

  it("keeps a page's hashes under its byte budget, past the first item, and the next page goes on from there", async () => {
    // The hash rows: media 0 by v2, 3 frames × 4 hashes (768 hex characters); by v1, 2 × 1 (128); media 2, 5 × 4 (1,280).
    const all = (await pullAll(citra)).items.filter((i) => i.frames !== null)
    expect(all.map((i) => i.frames!.hashes.length)).toEqual([768, 128, 1280])
    const seen: string[] = []
    let cursor = ''
    let pages = 0
    for (;;) {
      const page = await pullMediaHashes(server.db(), cursor, 200, 1000)
      const withFrames = page.items.filter((i) => i.frames !== null)
      const hex = withFrames.reduce((n, i) => n + i.frames!.hashes.length, 0)
      // The first item always goes; past it, the page stays under the budget.
      expect(withFrames.length <= 1 || hex <= 1000).toBe(true)
      seen.push(...withFrames.map((i) => `${i.sha256}/${i.frames!.hasher}`))
      cursor = page.cursor
      pages++
      if (!page.more) break
    }
    expect(seen).toEqual(all.map((i) => `${i.sha256}/${i.frames!.hasher}`))
    // 768 + 128 fit 1,000; media 2 does not, and opens the next page although alone it is over the budget.
    expect(pages).toBeGreaterThan(1)
  })

  it('needs a device token and refuses a cursor it did not give', async () => {
    expect((await citra.request('GET', '/v1/media-hashes', { token: null })).status).toBe(401)
    const bad = await citra.request('GET', '/v1/media-hashes?cursor=12:7')
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).details).toEqual([{ path: 'query.cursor', message: 'not a cursor from an earlier page' }])
    expect((await citra.request('GET', '/v1/media-hashes?limit=0')).status).toBe(400)
  })
})
