import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PUSH_BODY_BYTES, PROTOCOL_HEADER, SIGNATURE_HEADER } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import type { TestPack } from './testing/fixtures'
import { errorOf, pushResults } from './testing/responses'
import { startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

let server: TestServer
let ana: TestDevice
let budi: TestDevice
let pack: TestPack

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi } } = await startReviewTeam({
    pack: { clips: 8 },
    // ana holds clips 0–5, budi clips 4–7: both hold 4 and 5.
    reviewers: { ana: { name: 'Ana', assigned: (c) => c.slice(0, 6) }, budi: { name: 'Budi', assigned: (c) => c.slice(4) } },
  }))
}, 120_000)
afterAll(() => server?.stop())

async function storedIds(): Promise<string[]> {
  return (await server.ops.decisions()).map((d) => d.id)
}

describe('push', () => {
  it('stores new decisions, and a repeated push is duplicate, not doubled', async () => {
    const ds = [ana.decision(pack.clipIds[0]!), ana.decision(pack.clipIds[1]!, { action: 'allow', categories: ['ok.commerce'], rationale: '' })]
    const body = ana.pushBody(ds)
    expect(await pushResults(await ana.pushRaw(body))).toEqual([
      { id: ds[0]!.id, outcome: 'stored' },
      { id: ds[1]!.id, outcome: 'stored' },
    ])
    expect(await pushResults(await ana.pushRaw(body))).toEqual([
      { id: ds[0]!.id, outcome: 'duplicate' },
      { id: ds[1]!.id, outcome: 'duplicate' },
    ])
    // The same decisions in a new batch (a retry after a lost answer) are duplicates too.
    expect((await pushResults(await ana.push(ds))).map((r) => r.outcome)).toEqual(['duplicate', 'duplicate'])
    const stored = await server.ops.decisions()
    expect(stored.filter((d) => d.id === ds[0]!.id)).toHaveLength(1)
    expect(stored.find((d) => d.id === ds[1]!.id)).toMatchObject({ clip_id: pack.clipIds[1], reviewer_id: 'ana', action: 'allow', categories: ['ok.commerce'] })
  })

  it("rejects another reviewer's decision, an unassigned clip, an unknown device and an id conflict, storing the rest", async () => {
    const own = ana.decision(pack.clipIds[2]!)
    const notOwn = ana.decision(pack.clipIds[2]!, { reviewer_id: 'budi' })
    const unassigned = ana.decision(pack.clipIds[7]!)
    const unknownClip = ana.decision('no-such-clip')
    const otherDevice = ana.decision(pack.clipIds[2]!, { device_id: budi.deviceId })
    const conflict = { ...own, rationale: 'something else' }
    const res = await pushResults(await ana.push([own, notOwn, unassigned, unknownClip, otherDevice, conflict]))
    expect(res.map((r) => [r.outcome, r.rejection])).toEqual([
      ['stored', undefined],
      ['rejected', 'not_own_decision'],
      ['rejected', 'not_assigned'],
      ['rejected', 'not_assigned'],
      ['rejected', 'unknown_device'],
      ['rejected', 'id_conflict'],
    ])
    for (const r of res.slice(1)) expect(r.message).toBeTruthy()
    const ids = await storedIds()
    expect(ids).toContain(own.id)
    for (const d of [notOwn, unassigned, unknownClip, otherDevice]) expect(ids).not.toContain(d.id)
    // Pushed again later with other content, the stored id is still a conflict.
    expect((await pushResults(await ana.push([conflict])))[0]).toMatchObject({ outcome: 'rejected', rejection: 'id_conflict' })
  })

  it('takes revision chains, within a batch and across batches, and refuses forks and foreign targets', async () => {
    const at = (s: number) => new Date(Date.UTC(2025, 8, 4, 8, 0, s)).toISOString()
    const first = ana.decision(pack.clipIds[3]!, { decided_at: at(1) })
    const second = ana.decision(pack.clipIds[3]!, { revises_id: first.id, action: 'label', decided_at: at(2) })
    expect((await pushResults(await ana.push([first, second]))).map((r) => r.outcome)).toEqual(['stored', 'stored'])
    const third = ana.decision(pack.clipIds[3]!, { revises_id: second.id, action: 'allow', categories: ['ok.commerce'], decided_at: at(3) })
    const fork = ana.decision(pack.clipIds[3]!, { revises_id: second.id })
    const missing = ana.decision(pack.clipIds[3]!, { revises_id: 'never-pushed' })
    const otherClip = ana.decision(pack.clipIds[0]!, { revises_id: first.id })
    const res = await pushResults(await ana.push([third, fork, missing, otherClip]))
    expect(res.map((r) => [r.outcome, r.rejection])).toEqual([
      ['stored', undefined],
      ['rejected', 'bad_revision'],
      ['rejected', 'bad_revision'],
      ['rejected', 'bad_revision'],
    ])
    const budiOnAna = budi.decision(pack.clipIds[4]!, { revises_id: third.id })
    expect((await pushResults(await budi.push([budiOnAna])))[0]).toMatchObject({ rejection: 'bad_revision' })
    const chain = (await server.ops.decisions()).filter((d) => d.clip_id === pack.clipIds[3])
    expect(chain.map((d) => [d.id, d.revises_id])).toEqual([
      [first.id, null],
      [second.id, first.id],
      [third.id, second.id],
    ])
  })

  it('opens an adjudication when reviewers disagree and resolves it when a revision agrees, keeping every decision', async () => {
    const clip = pack.clipIds[4]!
    const a = ana.decision(clip, { action: 'remove', categories: ['violence.arson'] })
    expect((await pushResults(await ana.push([a])))[0]!.adjudication).toBeUndefined()
    const b = budi.decision(clip, { action: 'allow', categories: ['ok.commerce'], rationale: '' })
    expect((await pushResults(await budi.push([b])))[0]).toMatchObject({ outcome: 'stored', adjudication: true })

    let adj = (await server.ops.adjudications()).filter((x) => x.clip_id === clip)
    expect(adj).toHaveLength(1)
    expect(adj[0]).toMatchObject({ pack_id: pack.packId, state: 'open' })
    expect(adj[0]!.decisions.map((d) => d.id).sort()).toEqual([a.id, b.id].sort())

    // ana hears of it.
    const notices = await (await ana.request('GET', '/v1/notices')).json()
    expect(notices.adjudications.map((x: { clip_id: string }) => x.clip_id)).toContain(clip)

    // Same categories in another order still agree.
    const b2 = budi.decision(clip, { revises_id: b.id, action: 'remove', categories: ['violence.arson', 'violence.arson'] })
    expect((await pushResults(await budi.push([b2])))[0]!.adjudication).toBeUndefined()
    adj = (await server.ops.adjudications()).filter((x) => x.clip_id === clip)
    expect(adj).toHaveLength(1)
    expect(adj[0]!.state).toBe('resolved')
    const kept = (await server.ops.decisions()).filter((d) => d.clip_id === clip).map((d) => d.id)
    expect(kept.sort()).toEqual([a.id, b.id, b2.id].sort())
  })

  it('stores a decision once when the same push arrives several times at once', async () => {
    const d = ana.decision(pack.clipIds[5]!, { action: 'label', categories: ['violence.arson'] })
    const bodies = Array.from({ length: 5 }, () => ana.pushBody([d]))
    const all = await Promise.all(bodies.map(async (b) => (await pushResults(await ana.pushRaw(b)))[0]!.outcome))
    expect(all.filter((o) => o === 'stored')).toHaveLength(1)
    expect(all.filter((o) => o === 'duplicate')).toHaveLength(4)
    expect((await server.ops.decisions()).filter((x) => x.id === d.id)).toHaveLength(1)
  })

  it('stores the signed bytes with each decision, so its signature can be checked again', async () => {
    const d = ana.decision(pack.clipIds[5]!, { revises_id: null })
    const body = ana.pushBody([d])
    expect((await pushResults(await ana.pushRaw(body)))[0]!.outcome).toBe('stored')
    const [row] = await rows<{ body: Buffer; signature: Buffer; public_key: string }>(
      server.db(),
      sql`SELECT b.body, b.signature, b.public_key FROM decisions d JOIN push_batches b ON b.id = d.batch_id WHERE d.id = ${d.id}`,
    )
    expect(Buffer.from(row!.body).equals(body)).toBe(true)
    expect(Buffer.from(row!.signature).toString('base64')).toBe(ana.sign(body))
    expect(row!.public_key).toBe(ana.publicKey)
  })

  it('refuses UPDATE and DELETE of stored decisions', async () => {
    // drizzle wraps the database's error; its cause is PostgreSQL's own.
    const why = (p: Promise<unknown>) => p.then(() => 'done', (err: { cause?: Error }) => String(err.cause?.message))
    expect(await why(server.db().execute(sql`UPDATE decisions SET action = 'allow'`))).toMatch(/decisions is append-only: UPDATE refused/)
    expect(await why(server.db().execute(sql`DELETE FROM decisions`))).toMatch(/append-only: DELETE refused/)
    expect(await why(server.db().execute(sql`DELETE FROM push_batches`))).toMatch(/append-only/)
  })
})

describe('refused pushes change nothing', () => {
  async function refused(res: Response, status: number, code: string) {
    expect(res.status).toBe(status)
    const error = await errorOf(res)
    expect(error.code).toBe(code)
    return error
  }

  it('a bad or missing signature', async () => {
    const before = await storedIds()
    const d = ana.decision(pack.clipIds[0]!)
    const body = ana.pushBody([d])
    const e1 = await refused(await ana.pushRaw(body, { signature: budi.sign(body) }), 401, 'bad_signature')
    expect(e1.message).toMatch(/does not verify/)
    // The bytes signed must be the bytes sent: one changed byte and the signature fails.
    const altered = Buffer.from(body.toString().replace('Calls to burn', 'Calls to bUrn'))
    await refused(await ana.pushRaw(altered, { signature: ana.sign(body) }), 401, 'bad_signature')
    await refused(await ana.request('POST', '/v1/decisions', { body }), 401, 'bad_signature')
    await refused(await ana.pushRaw(body, { signature: 'not base64!' }), 401, 'bad_signature')
    expect(await storedIds()).toEqual(before)
  })

  it('malformed JSON, a wrong schema, an oversize body and a wrong protocol header, each named', async () => {
    const before = await storedIds()
    const broken = Buffer.from('{"batch_id": "x", "decisions": [')
    const e1 = await refused(await ana.pushRaw(broken), 400, 'invalid_request')
    expect(e1.message).toMatch(/not valid JSON/)

    const d = ana.decision(pack.clipIds[0]!)
    const wrong = Buffer.from(JSON.stringify({ batch_id: 'b', device_id: ana.deviceId, decisions: [{ ...d, action: 7 }] }))
    const e2 = await refused(await ana.pushRaw(wrong), 400, 'invalid_request')
    expect(e2.details?.[0]?.path).toBe('body.decisions.0.action')

    const extra = Buffer.from(JSON.stringify({ batch_id: 'b', device_id: ana.deviceId, decisions: [d], surprise: 1 }))
    const e3 = await refused(await ana.pushRaw(extra), 400, 'invalid_request')
    expect(e3.message).toMatch(/surprise/)

    const huge = Buffer.alloc(MAX_PUSH_BODY_BYTES + 1, 0x20)
    const e4 = await refused(await ana.pushRaw(huge), 413, 'payload_too_large')
    expect(e4.message).toContain(String(MAX_PUSH_BODY_BYTES))

    const body = ana.pushBody([d])
    const e5 = await refused(await ana.pushRaw(body, { headers: { [PROTOCOL_HEADER]: '2' } }), 426, 'protocol_mismatch')
    expect(e5.message).toMatch(/version 1/)

    const other = await refused(
      await ana.pushRaw(Buffer.from(JSON.stringify({ batch_id: 'b', device_id: budi.deviceId, decisions: [d] }))),
      403,
      'forbidden',
    )
    expect(other.details?.[0]?.path).toBe('body.device_id')
    expect(await storedIds()).toEqual(before)
  })

  it('answers unknown routes with not_found', async () => {
    const res = await ana.request('GET', '/v1/nothing-here')
    await refused(res, 404, 'not_found')
    const root = await fetch(`${server.url}/`)
    expect(root.status).toBe(404)
  })
})

describe('signature header', () => {
  it('is the one the protocol names', () => {
    expect(SIGNATURE_HEADER).toBe('tinjau-signature')
  })
})
