import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AssignmentsResponse, NoticesResponse } from '../shared/sync-protocol'
import { AgreementReport } from '../shared/lead-api'
import { one, rows, sql } from './db/open'
import { ServerError } from './errors'
import { fleissKappa } from './ops/agreement-stats'
import { agreementReport, drawQaSample, setQaRule } from './ops/qa'
import { formatAgreementReport } from './qa-report-text'
import { writeTestPack } from './testing/fixtures'
import { enrollReviewers } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import { startTestServer, type TestServer } from './testing/test-server'

/**
 * QA on the real service. The agreement figures are checked against values worked out by
 * hand below; the draw against the rule it follows (share per stratum, the lowest
 * sha256(pack | clip | reviewer) first), blindness, and topping up.
 */

let server: TestServer
let devices: Record<string, TestDevice>
const REMOVE = { action: 'remove', categories: ['violence.arson'] }
const ALLOW = { action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' }
const LABEL = { action: 'label', categories: ['misinformation'], ranges: [], rationale: 'Misleading caption.' }
const DAY = 24 * 3600 * 1000

beforeAll(async () => {
  server = await startTestServer()
  devices = await enrollReviewers(server, { ana: {}, budi: {}, cita: {} })
}, 120_000)
afterAll(() => server?.stop())

describe('the agreement report', () => {
  //   clip   0-3     4-5    6       7       8      9       10-11 (two days ago, ana and cita)
  //   ana    remove  allow  remove  allow   label  label   remove
  //   budi   remove  allow  allow   remove  label  remove
  //   cita                                                 remove, allow
  //
  // ana × budi, ana's action in rows, budi's in columns (10 clips):
  //              remove allow label | row
  //   remove       4      1     0   |  5
  //   allow        1      2     0   |  3
  //   label        1      0     1   |  2
  //   column       6      3     1
  // p_o = (4 + 2 + 1) / 10 = 0.7;  p_e = (5·6 + 3·3 + 2·1) / 100 = 0.41
  // Cohen's κ = (0.7 − 0.41) / (1 − 0.41) = 0.29 / 0.59 = 0.491525…
  // Fleiss (two ratings per clip): P̄ = 0.7; label shares over 20 ratings: remove 11, allow 6,
  // label 3 → P_e = (121 + 36 + 9) / 400 = 0.415; κ = (0.7 − 0.415) / 0.585 = 0.487179…
  // "remove" one against the rest: both 4, ana only 1, budi only 2, neither 3:
  // p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5 → κ = 0.4 (and violence.arson goes with remove).
  // With clips 10-11 (ana/cita: remove/remove, remove/allow) the team has 12 clips:
  // P̄ = 8/12 = 0.666…; shares over 24: remove 11+3 = 14, allow 6+1 = 7, label 3 →
  // P_e = (196 + 49 + 9) / 576 = 0.440972…; κ = (0.666667 − 0.440972) / 0.559028 = 0.403727…
  let pack: ReturnType<typeof writeTestPack>
  const now = Date.now()

  beforeAll(async () => {
    pack = writeTestPack(12, { packId: 'pk-agree', clipPrefix: 'ag' })
    await server.ops.loadPack(pack.dir)
    const c = pack.clipIds
    await server.ops.assign(pack.packId, 'ana', c)
    await server.ops.assign(pack.packId, 'budi', c.slice(0, 10))
    await server.ops.assign(pack.packId, 'cita', c.slice(10))
    const ana = [REMOVE, REMOVE, REMOVE, REMOVE, ALLOW, ALLOW, REMOVE, ALLOW, LABEL, LABEL]
    const budi = [REMOVE, REMOVE, REMOVE, REMOVE, ALLOW, ALLOW, ALLOW, REMOVE, LABEL, REMOVE]
    const at = (offset: number) => new Date(now - 3600_000 + offset * 1000).toISOString()
    const d = (who: string, i: number, what: object, decided_at: string) => devices[who]!.decision(c[i]!, { pack_id: pack.packId, decided_at, ...what })
    expect((await devices.ana!.push(ana.map((w, i) => d('ana', i, w, at(i))))).status).toBe(200)
    expect((await devices.budi!.push(budi.map((w, i) => d('budi', i, w, at(100 + i))))).status).toBe(200)
    const old = (s: number) => new Date(now - 2 * DAY + s * 1000).toISOString()
    expect((await devices.ana!.push([d('ana', 10, REMOVE, old(0)), d('ana', 11, REMOVE, old(1))])).status).toBe(200)
    expect((await devices.cita!.push([d('cita', 10, REMOVE, old(10)), d('cita', 11, ALLOW, old(11))])).status).toBe(200)
  })

  it('gives the hand-computed figures over a time window', async () => {
    const r = AgreementReport.parse(await agreementReport(server.db(), { from: new Date(now - DAY).toISOString(), packId: pack.packId }))
    expect(r.clips).toBe(10)
    expect(r.percent_agreement).toBeCloseTo(0.7, 10)
    expect(r.pairs).toHaveLength(1)
    expect(r.pairs[0]).toMatchObject({ a: 'ana', b: 'budi', n: 10 })
    expect(r.pairs[0]!.agreement).toBeCloseTo(0.7, 10)
    expect(r.pairs[0]!.kappa).toBeCloseTo(0.29 / 0.59, 10)
    expect(r.fleiss_kappa).toBeCloseTo(0.285 / 0.585, 10)
    expect(r.per_action.remove!.kappa).toBeCloseTo(0.4, 10)
    expect(r.per_action.remove!.agreement).toBeCloseTo(0.7, 10)
    expect(r.per_category['violence.arson']!.kappa).toBeCloseTo(0.4, 10)
    expect(r.confusion).toEqual({
      labels: ['allow', 'label', 'remove'],
      counts: [
        [2, 0, 1],
        [0, 1, 1],
        [1, 0, 4],
      ],
    })
  })

  it('takes in every decision without a window, across reviewer pairs', async () => {
    const r = await agreementReport(server.db(), { packId: pack.packId })
    expect(r.clips).toBe(12)
    expect(r.pairs.map((p) => [p.a, p.b, p.n])).toEqual([
      ['ana', 'budi', 10],
      ['ana', 'cita', 2],
    ])
    expect(r.fleiss_kappa).toBeCloseTo((8 / 12 - 254 / 576) / (1 - 254 / 576), 10)
    // The same as the pure function over the same ratings.
    const items = [
      ...Array.from({ length: 4 }, () => ['remove', 'remove']),
      ['allow', 'allow'],
      ['allow', 'allow'],
      ['remove', 'allow'],
      ['allow', 'remove'],
      ['label', 'label'],
      ['label', 'remove'],
      ['remove', 'remove'],
      ['remove', 'allow'],
    ]
    expect(r.fleiss_kappa).toBeCloseTo(fleissKappa(items).kappa!, 12)
    expect(formatAgreementReport(r)).toMatch(/ana \/ budi\s+10\s+70\.0 %\s+0\.492/)
  })

  it('refuses a window that is not one', async () => {
    await expect(agreementReport(server.db(), { from: 'yesterday' })).rejects.toThrow(/from must be a date/)
    await expect(agreementReport(server.db(), { from: '2026-12-02', to: '2026-12-01' })).rejects.toThrow(/before "to"/)
    const empty = await agreementReport(server.db(), { packId: 'no-such-pack' })
    expect(empty).toMatchObject({ clips: 0, percent_agreement: null, fleiss_kappa: null, pairs: [] })
  })
})

describe('QA sampling', () => {
  let pack: ReturnType<typeof writeTestPack>
  const sha = (clip: string, reviewer: string) => createHash('sha256').update(`pk-qa|${clip}|${reviewer}`).digest('hex')
  const samples = async () => rows<{ clip_id: string; reviewer_id: string; qa_reviewer_id: string; stratum: string }>(server.db(), sql`SELECT clip_id, reviewer_id, qa_reviewer_id, stratum FROM qa_samples WHERE pack_id = 'pk-qa' ORDER BY clip_id`)

  beforeAll(async () => {
    pack = writeTestPack(20, { packId: 'pk-qa', clipPrefix: 'qa' })
    await server.ops.loadPack(pack.dir)
    const c = pack.clipIds
    await server.ops.assign(pack.packId, 'ana', c.slice(0, 10))
    await server.ops.assign(pack.packId, 'budi', c.slice(10))
    // ana: 6 removals, 4 allowed; budi: 5 removals (15-19 not yet).
    const d = (who: string, i: number, what: object) => devices[who]!.decision(c[i]!, { pack_id: pack.packId, ...what })
    expect((await devices.ana!.push(c.slice(0, 10).map((_, i) => d('ana', i, i < 6 ? REMOVE : ALLOW)))).status).toBe(200)
    expect((await devices.budi!.push([10, 11, 12, 13, 14].map((i) => d('budi', i, REMOVE)))).status).toBe(200)
  })

  it('refuses bad rules and draws without one, changing nothing', async () => {
    const before = await one<{ n: number }>(server.db(), sql`SELECT (SELECT count(*) FROM qa_rules) + (SELECT count(*) FROM qa_samples) AS n`)
    await expect(drawQaSample(server.db(), pack.packId, 'test')).rejects.toThrow(/no QA rule/)
    await expect(setQaRule(server.db(), 'test', 'no-such-pack', { percent: 10, stratify_by_action: true })).rejects.toBeInstanceOf(ServerError)
    await expect(setQaRule(server.db(), 'test', pack.packId, { percent: 101, stratify_by_action: true })).rejects.toThrow(/0 to 100/)
    expect(await one<{ n: number }>(server.db(), sql`SELECT (SELECT count(*) FROM qa_rules) + (SELECT count(*) FROM qa_samples) AS n`)).toEqual(before)
  })

  it('draws the share per action, the same clips every time, blind to the second reviewer', async () => {
    await setQaRule(server.db(), 'test', pack.packId, { percent: 20, stratify_by_action: true })
    const r = await drawQaSample(server.db(), pack.packId, 'test')
    // ana: remove ⌈6 · 0.2⌉ = 2, allow ⌈4 · 0.2⌉ = 1; budi: remove ⌈5 · 0.2⌉ = 1.
    expect(r).toEqual({ pack_id: pack.packId, sampled: { ana: 3, budi: 1 }, unmatched: [] })
    const c = pack.clipIds
    const lowest = (clips: string[], reviewer: string, n: number) => [...clips].sort((x, y) => (sha(x, reviewer) < sha(y, reviewer) ? -1 : 1)).slice(0, n)
    const expected = [...lowest(c.slice(0, 6), 'ana', 2), ...lowest(c.slice(6, 10), 'ana', 1), ...lowest(c.slice(10, 15), 'budi', 1)].sort()
    const drawn = await samples()
    expect(drawn.map((s) => s.clip_id)).toEqual(expected)
    expect(drawn.every((s) => s.qa_reviewer_id === (s.reviewer_id === 'ana' ? 'budi' : 'ana'))).toBe(true)

    // budi's device pulls the QA clips like any other; nothing tells him what ana decided.
    const budiClips = drawn.filter((s) => s.qa_reviewer_id === 'budi').map((s) => s.clip_id)
    const pulled = AssignmentsResponse.parse(await (await devices.budi!.request('GET', '/v1/assignments?limit=500')).json())
    const assigned = new Set(pulled.changes.flatMap((x) => (x.kind === 'assigned' ? [x.clip.id] : [])))
    for (const clip of budiClips) expect(assigned.has(clip)).toBe(true)
    const pulledText = JSON.stringify(pulled)
    const firstDecisions = await rows<{ decision_id: string }>(server.db(), sql`SELECT decision_id FROM qa_samples WHERE qa_reviewer_id = 'budi'`)
    for (const d of firstDecisions) expect(pulledText).not.toContain(d.decision_id)
    const notices = NoticesResponse.parse(await (await devices.budi!.request('GET', '/v1/notices')).json())
    expect(notices.adjudications.filter((a) => budiClips.includes(a.clip_id))).toEqual([])
    // The outcome does not wait for the QA reviewer.
    const kinds = await rows<{ kind: string }>(server.db(), sql`SELECT kind FROM clip_outcomes WHERE clip_id IN (${sql.join(budiClips.map((x) => sql`${x}`), sql`, `)})`)
    expect(kinds.map((k) => k.kind)).toEqual(budiClips.map(() => 'single_review'))

    // Drawn again at once: nothing new, nothing twice.
    expect((await drawQaSample(server.db(), pack.packId, 'test')).sampled).toEqual({})
    expect(await samples()).toEqual(drawn)

    // A QA reviewer who disagrees opens an adjudication like anyone else.
    const clip = budiClips[0]!
    const res = await devices.budi!.push([devices.budi!.decision(clip, { pack_id: pack.packId, ...LABEL })])
    expect(res.status).toBe(200)
    expect((await one<{ kind: string }>(server.db(), sql`SELECT kind FROM clip_outcomes WHERE clip_id = ${clip}`))!.kind).not.toBe('single_review')
  })

  it('tops up as reviewers decide more', async () => {
    const c = pack.clipIds
    expect((await devices.budi!.push([15, 16, 17, 18, 19].map((i) => devices.budi!.decision(c[i]!, { pack_id: pack.packId, ...REMOVE })))).status).toBe(200)
    // budi's removals: 10 → ⌈2⌉ = 2, one drawn already.
    const r = await drawQaSample(server.db(), pack.packId, 'test')
    expect(r.sampled).toEqual({ budi: 1 })
    const all = await samples()
    expect(new Set(all.map((s) => s.clip_id)).size).toBe(all.length)
    expect(all.filter((s) => s.reviewer_id === 'budi')).toHaveLength(2)
  })
})
