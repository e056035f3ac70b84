import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PackedDecision } from '../shared/decision-pack-format'
import type { PackedMatchedFromClip } from '../shared/matched-from'
import { ClipDetail } from '../shared/lead-api'
import { DecisionPackResponse } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import { clipDetail } from './ops/lead-views'
import type { TestPack } from './testing/fixtures'
import { clipMatch, teamListMatch } from './testing/matched-from-fixtures'
import { pushResults } from './testing/responses'
import { startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/** Issue 14: a pushed decision's matched_from is stored, and counts in what makes a replay the same decision. */

let server: TestServer
let ana: TestDevice
let pack: TestPack

beforeAll(async () => {
  ;({ server, pack, devices: { ana } } = await startReviewTeam({ pack: { clips: 10 }, reviewers: { ana: { name: 'Ana', assigned: (c) => c } } }))
}, 120_000)
afterAll(() => server?.stop())

async function storedMatch(id: string): Promise<unknown> {
  const [row] = await rows<{ matched_from: unknown }>(server.db(), sql`SELECT matched_from FROM decisions WHERE id = ${id}`)
  return row?.matched_from
}

describe('push with matched_from', () => {
  it('stores it (and null for a decision without one), and the lead sees it on the decision', async () => {
    const original = ana.decision(pack.clipIds[0]!)
    const copy = ana.decision(pack.clipIds[1]!, { matched_from: clipMatch(pack.clipIds[0]!, original.id) })
    expect((await pushResults(await ana.push([original, copy]))).map((r) => r.outcome)).toEqual(['stored', 'stored'])
    expect(await storedMatch(original.id)).toBeNull()
    expect(await storedMatch(copy.id)).toEqual(copy.matched_from)
    const detail = ClipDetail.parse(await clipDetail(server.db(), pack.clipIds[1]!))
    expect(detail.decisions.find((d) => d.id === copy.id)?.matched_from).toEqual(copy.matched_from)
    expect(ClipDetail.parse(await clipDetail(server.db(), pack.clipIds[0]!)).decisions[0]?.matched_from).toBeNull()
  })

  it('a replay of the same decision is duplicate, whether its bytes are the same or its matched_from keys come in another order', async () => {
    const copy = ana.decision(pack.clipIds[2]!, { matched_from: clipMatch(pack.clipIds[0]!, null) })
    const body = ana.pushBody([copy])
    expect((await pushResults(await ana.pushRaw(body)))[0]).toEqual({ id: copy.id, outcome: 'stored' })
    expect((await pushResults(await ana.pushRaw(body)))[0]).toEqual({ id: copy.id, outcome: 'duplicate' })
    const m = copy.matched_from as PackedMatchedFromClip
    const reordered = { ...copy, matched_from: { same_file: m.same_file, compared_match_percent: m.compared_match_percent, query_match_percent: m.query_match_percent, decision_id: m.decision_id, clip_id: m.clip_id, source: m.source } }
    expect((await pushResults(await ana.push([reordered])))[0]).toEqual({ id: copy.id, outcome: 'duplicate' })
    const plain = ana.decision(pack.clipIds[3]!)
    expect((await pushResults(await ana.push([plain])))[0]!.outcome).toBe('stored')
    expect((await pushResults(await ana.push([plain])))[0]!.outcome).toBe('duplicate')
  })

  it('a replay with another matched_from, or one added or dropped, is an id conflict and changes nothing', async () => {
    const copy = ana.decision(pack.clipIds[4]!, { matched_from: clipMatch(pack.clipIds[0]!, null) })
    const plain = ana.decision(pack.clipIds[5]!)
    expect((await pushResults(await ana.push([copy, plain]))).map((r) => r.outcome)).toEqual(['stored', 'stored'])
    const before = await server.ops.decisions()
    const changed = [
      { ...copy, matched_from: { ...copy.matched_from!, query_match_percent: 50 } },
      { ...copy, matched_from: { ...copy.matched_from!, clip_id: pack.clipIds[1]! } },
      { ...copy, matched_from: { ...copy.matched_from!, same_file: true } },
      (({ matched_from: _, ...rest }) => rest)(copy),
      { ...plain, matched_from: clipMatch(pack.clipIds[0]!, null) },
    ]
    const res = await pushResults(await ana.push(changed))
    expect(res.map((r) => [r.outcome, r.rejection])).toEqual(changed.map(() => ['rejected', 'id_conflict']))
    expect(await server.ops.decisions()).toEqual(before)
    expect(await storedMatch(copy.id)).toEqual(copy.matched_from)
    expect(await storedMatch(plain.id)).toBeNull()
  })

  it('a malformed matched_from is refused by the protocol and stores nothing', async () => {
    const before = await server.ops.decisions()
    for (const bad of [{ ...clipMatch('x', null), source: 'team' }, { ...clipMatch('x', null), query_match_percent: 120 }, { ...clipMatch('x', null), extra: true }, null]) {
      const d = { ...ana.decision(pack.clipIds[0]!), matched_from: bad } as unknown as PackedDecision
      const res = await ana.push([d])
      expect(res.status, JSON.stringify(bad)).toBe(400)
    }
    expect(await server.ops.decisions()).toEqual(before)
  })

  it('an uploaded decision pack stores it the same way, and the same pack again is duplicate', async () => {
    const copy = ana.decision(pack.clipIds[6]!, { matched_from: clipMatch(pack.clipIds[2]!, null) })
    const zip = ana.decisionPack([copy])
    const upload = async () => DecisionPackResponse.parse(await (await ana.request('POST', '/v1/decision-packs', { body: zip, headers: { 'content-type': 'application/zip' } })).json())
    expect((await upload()).counts).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    expect(await storedMatch(copy.id)).toEqual(copy.matched_from)
    expect((await upload()).counts).toEqual({ stored: 0, duplicate: 1, rejected: 0 })
  })

  it('a match with a hash list entry is stored as sent, a reordered replay is duplicate, another entry or version an id conflict', async () => {
    const fromList = ana.decision(pack.clipIds[7]!, { matched_from: teamListMatch })
    expect((await pushResults(await ana.push([fromList])))[0]).toEqual({ id: fromList.id, outcome: 'stored' })
    expect(await storedMatch(fromList.id)).toEqual(teamListMatch)
    const detail = ClipDetail.parse(await clipDetail(server.db(), pack.clipIds[7]!))
    expect(detail.decisions.find((d) => d.id === fromList.id)?.matched_from).toEqual(teamListMatch)
    const reordered = { ...fromList, matched_from: Object.fromEntries(Object.entries(teamListMatch).reverse()) as typeof teamListMatch }
    expect(Object.keys(reordered.matched_from)[0]).toBe('same_file')
    expect((await pushResults(await ana.push([reordered])))[0]).toEqual({ id: fromList.id, outcome: 'duplicate' })
    const before = await server.ops.decisions()
    const changed = [
      { ...fromList, matched_from: { ...teamListMatch, entry_id: 'entry-0043' } },
      { ...fromList, matched_from: { ...teamListMatch, list_version: '2026-12-01T08:00:00.000+07:00' } },
      { ...fromList, matched_from: { ...teamListMatch, list_source: 'hashlist' as const } },
      { ...fromList, matched_from: { ...teamListMatch, label: 'another label' } },
      { ...fromList, matched_from: clipMatch(pack.clipIds[0]!, null) },
    ]
    const res = await pushResults(await ana.push(changed))
    expect(res.map((r) => [r.outcome, r.rejection])).toEqual(changed.map(() => ['rejected', 'id_conflict']))
    expect(await server.ops.decisions()).toEqual(before)
    expect(await storedMatch(fromList.id)).toEqual(teamListMatch)
  })

  it('a malformed hash list match is refused by the protocol and stores nothing', async () => {
    const before = await server.ops.decisions()
    const bads = [
      { ...teamListMatch, list_source: 'industry' },
      { ...teamListMatch, list_version: 'yesterday' },
      { ...teamListMatch, label: 'x'.repeat(201) },
      { ...teamListMatch, entry_id: '' },
      { ...teamListMatch, clip_id: pack.clipIds[0] },
      (({ list_version: _, ...rest }) => rest)(teamListMatch),
    ]
    for (const bad of bads) {
      const d = { ...ana.decision(pack.clipIds[8]!), matched_from: bad } as unknown as PackedDecision
      expect((await ana.push([d])).status, JSON.stringify(bad)).toBe(400)
    }
    expect(await server.ops.decisions()).toEqual(before)
  })

  it('an uploaded decision pack stores a hash list match the same way', async () => {
    const fromList = ana.decision(pack.clipIds[9]!, { matched_from: teamListMatch })
    const zip = ana.decisionPack([fromList])
    const upload = async () => DecisionPackResponse.parse(await (await ana.request('POST', '/v1/decision-packs', { body: zip, headers: { 'content-type': 'application/zip' } })).json())
    expect((await upload()).counts).toEqual({ stored: 1, duplicate: 0, rejected: 0 })
    expect(await storedMatch(fromList.id)).toEqual(teamListMatch)
    expect((await upload()).counts).toEqual({ stored: 0, duplicate: 1, rejected: 0 })
  })
})
