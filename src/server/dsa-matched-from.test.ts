import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPackageRoot } from '../core/package-root'
import { loadPolicy } from '../core/policy-loader'
import { tempDir } from '../core/testing/make-pack'
import { validateDsaStatement, type DsaStatement } from '../shared/dsa-statement'
import { exportDsaStatements, listOutcomesInForce } from './ops/export'
import type { TestPack } from './testing/fixtures'
import { clipMatch, teamListMatch } from './testing/matched-from-fixtures'
import { settleAsTestLead, startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/**
 * Issue 14 on the service: a statement of reasons filed for an outcome whose decision was
 * applied from a known-content match says so (read with the outcome, from its source
 * decision's matched_from); one a lead settled is the lead's own decision and does not.
 */

let server: TestServer
let pack: TestPack
let ana: TestDevice
let budi: TestDevice
const policy = loadPolicy(path.join(findPackageRoot(__dirname), 'resources'))

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi } } = await startReviewTeam({
    pack: { clips: 4 },
    // Clips 0–2 are ana's alone (single review); clip 3 goes to both.
    reviewers: { ana: { assigned: (c) => c }, budi: { assigned: (c) => [c[3]!] } },
    lead: true,
  }))
}, 120_000)
afterAll(() => server?.stop())

describe('the service\'s DSA export of decisions applied from a match', () => {
  it('says so for a reviewer\'s matched decision, not for a decision made from scratch nor for a lead\'s settlement', async () => {
    const c = pack.clipIds
    const original = ana.decision(c[0]!)
    const fromClip = ana.decision(c[1]!, { matched_from: clipMatch(c[0]!, original.id) })
    const fromTeam = ana.decision(c[2]!, { matched_from: teamListMatch })
    const disputed = ana.decision(c[3]!, { matched_from: clipMatch(c[0]!, original.id) })
    expect((await ana.push([original, fromClip, fromTeam, disputed])).status).toBe(200)
    expect((await budi.push([budi.decision(c[3]!, { action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' })])).status).toBe(200)
    await settleAsTestLead(server, c[3]!, disputed.id)

    const out = tempDir('tinjau-dsa-matched-')
    const run = await exportDsaStatements(server.db(), policy, path.join(out, 'dsa'))
    expect(run.statements).toBe(4)
    const statements = run.files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { statements: DsaStatement[] }).statements)
    for (const s of statements) expect(validateDsaStatement(s)).toEqual({ ok: true, value: s })
    const outcomeOf = Object.fromEntries((await listOutcomesInForce(server.db())).map((o) => [o.clip_id, o.id]))
    const byClip = (clipId: string) => statements.find((s) => s.puid === outcomeOf[clipId])!

    const facts = 'Calls to burn the market.\n\nTime ranges in the clip:\n- 0:01.000–0:02.000 call to burn'
    expect(byClip(c[0]!)).toMatchObject({ automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED', decision_facts: facts })
    expect(byClip(c[1]!)).toMatchObject({
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_PARTIALLY',
      decision_facts: `${facts}\n\nApplied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: clip ${c[0]!}; 92.5% of this clip's frames and 87.3% of the known footage's matched.`,
    })
    expect(byClip(c[2]!)).toMatchObject({
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_PARTIALLY',
      decision_facts:
        `${facts}\n\nApplied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: the team's hash list team-hashes ` +
        `(version 2026-11-30T08:00:00.000+07:00), entry entry-0042 "Re-live of the Monas clash"; 96.4% of this clip's frames and 100% of the known footage's matched.`,
    })
    // The lead adopted the matched decision, but settling a dispute is the lead's own decision.
    expect(byClip(c[3]!)).toMatchObject({ automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED', decision_facts: 'The call to burn is plain at 0:01.' })
  })
})
