import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutcomesResponse, SyncErrorBody, type OutcomeNotice } from '../shared/sync-protocol'
import { overview } from './ops/lead-views'
import type { TestPack } from './testing/fixtures'
import { settleAsTestLead, startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/** Devices pull the outcomes of the clips their reviewer decided, a page at a time, each once. */

let server: TestServer
let pack: TestPack
let ana: TestDevice
let budi: TestDevice

async function pullAll(device: TestDevice, limit = 1000): Promise<OutcomeNotice[]> {
  const all: OutcomeNotice[] = []
  let cursor = ''
  for (;;) {
    const res = await device.request('GET', `/v1/outcomes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    expect(res.status).toBe(200)
    const page = OutcomesResponse.parse(await res.json())
    expect(page.reviewer_id).toBe(device.reviewerId)
    all.push(...page.outcomes)
    cursor = page.cursor
    if (!page.more) return all
  }
}

/** The last notice per clip: what the app keeps. */
const latest = (list: OutcomeNotice[]) => Object.fromEntries(list.map((n) => [n.clip_id, n]))

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi } } = await startReviewTeam({
    pack: { clips: 4 },
    reviewers: { ana: { assigned: (c) => c }, budi: { assigned: (c) => c } },
    lead: true,
  }))
}, 120_000)
afterAll(() => server?.stop())

describe('GET /v1/outcomes', () => {
  it('tells each reviewer whether their decision was upheld, and what a lead settled', async () => {
    const c = pack.clipIds
    const allow = { action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' }
    expect((await ana.push([ana.decision(c[0]!), ana.decision(c[1]!)])).status).toBe(200)
    expect((await budi.push([budi.decision(c[0]!), budi.decision(c[1]!, allow)])).status).toBe(200)

    let a = latest(await pullAll(ana))
    expect(a[c[0]!]!.outcome.kind).toBe('consensus')
    expect(a[c[0]!]!.upheld).toBe(true)
    expect(a[c[1]!]!.outcome.kind).toBe('disputed')
    expect(a[c[1]!]!.upheld).toBeNull()

    await settleAsTestLead(server, c[1]!)
    a = latest(await pullAll(ana))
    const b = latest(await pullAll(budi))
    expect(a[c[1]!]).toMatchObject({ upheld: true, outcome: { kind: 'adjudicated', action: 'remove', lead: { id: 'lina', name: 'Lina Hartono' }, rationale: 'The call to burn is plain at 0:01.' } })
    expect(b[c[1]!]).toMatchObject({ upheld: false, outcome: { kind: 'adjudicated', action: 'remove' } })
    // Only clips the reviewer decided: clips 2 and 3 say nothing yet.
    expect(Object.keys(a).sort()).toEqual([c[0], c[1]])
  })

  it('pages without skipping or repeating a row', async () => {
    const whole = await pullAll(ana)
    const paged = await pullAll(ana, 1)
    expect(paged.map((n) => n.outcome.id)).toEqual(whole.map((n) => n.outcome.id))
    // The cursor of the last page brings nothing new.
    const res = await ana.request('GET', '/v1/outcomes?limit=1000')
    const page = OutcomesResponse.parse(await res.json())
    const again = OutcomesResponse.parse(await (await ana.request('GET', `/v1/outcomes?cursor=${encodeURIComponent(page.cursor)}`)).json())
    expect(again.outcomes).toEqual([])
    expect(again.cursor).toBe(page.cursor)
  })

  it('refuses a cursor it did not give, and answers strangers nothing', async () => {
    for (const bad of ['12', 'x:1', '1:2:3', `${'9'.repeat(30)}:1`]) {
      const res = await ana.request('GET', `/v1/outcomes?cursor=${encodeURIComponent(bad)}`)
      expect(res.status).toBe(400)
      expect(SyncErrorBody.parse(await res.json()).error.code).toBe('invalid_request')
    }
    expect((await ana.request('GET', '/v1/outcomes?limit=0')).status).toBe(400)
    expect((await ana.request('GET', '/v1/outcomes', { token: null })).status).toBe(401)
  })

  it('records each device’s last sync and what it says of itself', async () => {
    expect((await ana.request('GET', '/v1/assignments')).status).toBe(200)
    const status = await ana.request('POST', '/v1/devices/self/status', { json: { decided_by_pack: { [pack.packId]: 2 }, unsent: 1 } })
    expect(status.status).toBe(200)
    const bad = await ana.request('POST', '/v1/devices/self/status', { json: { decided_by_pack: { [pack.packId]: -1 }, unsent: 0 } })
    expect(bad.status).toBe(400)
    const o = await overview(server.db())
    const device = o.devices.find((d) => d.device_id === ana.deviceId)!
    expect(device.last_sync_at).not.toBeNull()
    expect(device.unsent).toBe(1)
    const row = o.packs[0]!.reviewers.find((r) => r.reviewer_id === 'ana')!
    expect(row.decided_on_device).toBe(2)
    expect(o.devices.find((d) => d.device_id === budi.deviceId)!.last_sync_at).toBeNull()
  })
})
