import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DecisionPackResponse, SyncErrorBody } from '../shared/sync-protocol'
import { DsaStatement } from '../shared/dsa-statement'
import { loadPolicy } from '../core/policy-loader'
import { findPackageRoot } from '../core/package-root'
import { tempDir } from '../core/testing/make-pack'
import { writeZip } from '../core/testing/make-zip'
import { rows, sql } from './db/open'
import { ingestDecisionPack } from './ops/decision-packs'
import { exportDecisionsJson, exportDsaStatements, listOutcomesInForce } from './ops/export'
import { loadPack } from './ops/packs'
import { writeTestPack, type TestPack } from './testing/fixtures'
import { startReviewTeam } from './testing/review-team'
import { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

let server: TestServer
let pack: TestPack
let ana: TestDevice

beforeAll(async () => {
  ;({ server, pack, devices: { ana } } = await startReviewTeam({ pack: { clips: 4 }, reviewers: { ana: { name: 'Ana', assigned: (c) => c } } }))
}, 120_000)
afterAll(() => server?.stop())

function writeTemp(bytes: Buffer): string {
  const file = path.join(tempDir('tinjau-server-dp-'), 'decisions.zip')
  writeFileSync(file, bytes)
  return file
}

describe('decision pack upload', () => {
  it('has the same effect as a push, and again is duplicate', async () => {
    const first = ana.decision(pack.clipIds[0]!)
    const revision = ana.decision(pack.clipIds[0]!, { revises_id: first.id, action: 'label', decided_at: new Date(Date.now() + 1000).toISOString() })
    const notAssigned = ana.decision('clip-not-here')
    const zip = ana.decisionPack([first, revision, notAssigned])
    const res = await ana.request('POST', '/v1/decision-packs', { body: zip, headers: { 'content-type': 'application/zip' } })
    expect(res.status).toBe(200)
    const body = DecisionPackResponse.parse(await res.json())
    expect(body.counts).toEqual({ stored: 2, duplicate: 0, rejected: 1 })
    expect(body.results[2]).toMatchObject({ outcome: 'rejected', rejection: 'not_assigned' })

    // The operator's ingest of the same file: nothing new.
    const again = await ingestDecisionPack(server.db(), writeTemp(zip))
    expect(again.counts).toEqual({ stored: 0, duplicate: 2, rejected: 1 })
    const stored = (await server.ops.decisions()).filter((d) => d.clip_id === pack.clipIds[0])
    expect(stored.map((d) => [d.id, d.revises_id])).toEqual([
      [first.id, null],
      [revision.id, first.id],
    ])
    const [batch] = await rows<{ kind: string; body: Buffer }>(
      server.db(),
      sql`SELECT b.kind, b.body FROM decisions d JOIN push_batches b ON b.id = d.batch_id WHERE d.id = ${first.id}`,
    )
    expect(batch!.kind).toBe('decision_pack')
    expect(JSON.parse(Buffer.from(batch!.body).toString()).format).toBe('tinjau.decisions')
  })

  it('refuses a tampered pack and one signed by a key no device enrolled with, storing nothing', async () => {
    const before = (await server.ops.decisions()).length
    const d = ana.decision(pack.clipIds[1]!)
    const tampered = ana.decisionPack([d], (json) => Buffer.from(json.toString().replace('"remove"', '"allow"')))
    const res = await ana.request('POST', '/v1/decision-packs', { body: tampered })
    expect(res.status).toBe(400)
    const error = SyncErrorBody.parse(await res.json()).error
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(/does not verify/)
    expect(error.details?.some((x) => x.path === 'signature')).toBe(true)

    const stranger = new TestDevice(server.url)
    stranger.reviewerId = 'ana'
    const foreign = await ana.request('POST', '/v1/decision-packs', { body: stranger.decisionPack([{ ...d, device_id: stranger.deviceId }]) })
    expect(foreign.status).toBe(403)
    expect(SyncErrorBody.parse(await foreign.json()).error.message).toMatch(/not the key of an enrolled device/)

    const notZip = await ana.request('POST', '/v1/decision-packs', { body: Buffer.from('hello') })
    expect(notZip.status).toBe(400)
    expect((await server.ops.decisions()).length).toBe(before)
  })
})

describe('pack load', () => {
  it('refuses a hostile pack with nothing stored: a file that is not what the pack says', async () => {
    const hostile = writeTestPack(3, { packId: 'pk-hostile', clipPrefix: 'hostile' })
    // The last clip's file is swapped after the manifest was written: its hash no longer matches.
    writeFileSync(path.join(hostile.dir, ...hostile.media[2]!.path.split('/')), Buffer.alloc(hostile.media[2]!.bytes, 0x41))
    const mediaDir = path.join(server.dataDir, 'media')
    const mediaBefore = listMedia(mediaDir)
    await expect(loadPack(server.db(), mediaStore(), hostile.dir)).rejects.toThrow(/clips\[2\] \(id "hostile-0002"\) media\.sha256/)
    expect(await rows(server.db(), sql`SELECT id FROM packs WHERE id = 'pk-hostile'`)).toEqual([])
    expect(listMedia(mediaDir)).toEqual(mediaBefore)
    expect(readdirSync(path.join(mediaDir, '.staging'))).toEqual([])
  })

  it('refuses a zip with an entry that climbs out of the pack', async () => {
    const good = writeTestPack(1, { packId: 'pk-zipslip', clipPrefix: 'zipslip' })
    const zip = writeZip([
      { name: 'pack.json', data: readFileSync(path.join(good.dir, 'pack.json')) },
      { name: '../../evil.sh', data: 'echo owned' },
    ])
    await expect(loadPack(server.db(), mediaStore(), zip)).rejects.toThrow(/"..\/..\/evil.sh" has a ".." segment.*zip-slip/)
    expect(await rows(server.db(), sql`SELECT id FROM packs WHERE id = 'pk-zipslip'`)).toEqual([])
  })

  it('loads the same pack again as a no-op', async () => {
    const r = await loadPack(server.db(), mediaStore(), pack.dir)
    expect(r).toMatchObject({ packId: pack.packId, alreadyLoaded: true })
  })
})

function mediaStore() {
  return server.media()
}

function listMedia(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true }).map(String).filter((p) => /[0-9a-f]{64}$/.test(p)).sort()
}

describe('export', () => {
  it('writes every decision as JSON and the decisions in force as DSA statements', async () => {
    const d = ana.decision(pack.clipIds[3]!, { action: 'remove', categories: ['violence.arson'] })
    await ana.push([d])
    const out = tempDir('tinjau-server-export-')
    const json = await exportDecisionsJson(server.db(), path.join(out, 'all.json'))
    const doc = JSON.parse(readFileSync(json.file, 'utf8'))
    expect(doc.format).toBe('tinjau-server.decisions')
    expect(doc.decisions.map((x: { id: string }) => x.id)).toContain(d.id)
    expect(doc.decisions.length).toBe((await server.ops.decisions()).length)

    const policy = loadPolicy(path.join(findPackageRoot(__dirname), 'resources'))
    const dsa = await exportDsaStatements(server.db(), policy, path.join(out, 'dsa'))
    expect(dsa.statements).toBeGreaterThan(0)
    const statements = dsa.files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).statements as unknown[])
    for (const s of statements) DsaStatement.parse(s)
    // The statement files the clip's outcome (a single review resting on the decision), not the decision itself.
    const [outcome] = (await listOutcomesInForce(server.db())).filter((o) => o.clip_id === pack.clipIds[3])
    expect(outcome?.source_decision_id).toBe(d.id)
    const mine = statements.find((s) => (s as { puid: string }).puid === outcome!.id) as DsaStatement
    expect(mine.decision_visibility).toBeTruthy()
    // Personal data of the clip never reaches a statement.
    expect(JSON.stringify(statements)).not.toContain('seller.clip-0003')
    // A second export into the same folder is refused rather than mixed.
    await expect(exportDsaStatements(server.db(), policy, path.join(out, 'dsa'))).rejects.toThrow(/earlier export/)
  })
})
