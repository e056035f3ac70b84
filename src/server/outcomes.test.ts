import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPackageRoot } from '../core/package-root'
import { loadPolicy } from '../core/policy-loader'
import { tempDir } from '../core/testing/make-pack'
import { DsaStatement } from '../shared/dsa-statement'
import { rows, sql } from './db/open'
import { ServerError } from './errors'
import { runStartTasks } from './db/start-tasks'
import { dsaRunFiles, exportDecisionsJson, exportDsaRun, exportDsaStatements, listDsaRuns, listOutcomesInForce, runDsaExport } from './ops/export'
import type { TestPack } from './testing/fixtures'
import { startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/**
 * The scenario, on the real service: two reviewers on one pack; both remove 4
 * clips, disagree on 3, one reviewer alone on 2. The organisation has 9 outcomes in
 * force, 6 of which restrict: 4 consensus, 2 single review (3 disputed file nothing).
 */

let server: TestServer
let pack: TestPack
let ana: TestDevice
let budi: TestDevice
const policy = loadPolicy(path.join(findPackageRoot(__dirname), 'resources'))

async function kinds(): Promise<Record<string, string>> {
  return Object.fromEntries((await listOutcomesInForce(server.db())).map((o) => [o.clip_id, o.kind]))
}

function statementsOf(files: string[]): DsaStatement[] {
  return files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { statements: DsaStatement[] }).statements)
}

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi } } = await startReviewTeam({
    pack: { clips: 12 },
    // Clips 0–8 go to both; 9–10 to ana alone; 11 to both and stays half-decided.
    reviewers: { ana: { assigned: (c) => c.slice(0, 12) }, budi: { assigned: (c) => [...c.slice(0, 9), c[11]!] } },
  }))
}, 120_000)
afterAll(() => server?.stop())

describe('outcomes', () => {
  it('derives one outcome per clip: consensus, disputed, single review, pending', async () => {
    const c = pack.clipIds
    const anaFirst = [0, 1, 2, 3].map((i) => ana.decision(c[i]!, { decided_at: new Date(Date.now() - 60_000).toISOString() }))
    expect((await ana.push([...anaFirst, ...[4, 5, 6].map((i) => ana.decision(c[i]!)), ana.decision(c[9]!), ana.decision(c[10]!), ana.decision(c[11]!)])).status).toBe(200)
    // Before budi decides, the clips assigned to both wait for him.
    let k = await kinds()
    expect(k[c[0]!]).toBe('pending')
    expect(k[c[9]!]).toBe('single_review')

    // Same action, same categories in another order of ranges: agreement.
    const budiAgree = [0, 1, 2, 3].map((i) => budi.decision(c[i]!, { ranges: [{ start_ms: 5000, end_ms: 6000, label: 'x', note: '' }], rationale: 'Agreed.' }))
    const budiDisagree = [4, 5, 6].map((i) => budi.decision(c[i]!, { action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' }))
    expect((await budi.push([...budiAgree, ...budiDisagree, budi.decision(c[7]!)])).status).toBe(200)

    k = await kinds()
    expect([0, 1, 2, 3].map((i) => k[c[i]!])).toEqual(['consensus', 'consensus', 'consensus', 'consensus'])
    expect([4, 5, 6].map((i) => k[c[i]!])).toEqual(['disputed', 'disputed', 'disputed'])
    expect([9, 10].map((i) => k[c[i]!])).toEqual(['single_review', 'single_review'])
    // Clip 7: budi decided, ana (assigned) has not; clip 11: ana decided, budi has not; clip 8: nobody.
    expect(k[c[7]!]).toBe('pending')
    expect(k[c[11]!]).toBe('pending')
    expect(k[c[8]!]).toBeUndefined()

    // A consensus carries the first decision's ranges and rationale, and rests on both.
    const [o0] = (await listOutcomesInForce(server.db())).filter((o) => o.clip_id === c[0])
    expect(o0!.source_decision_id).toBe(anaFirst[0]!.id)
    expect(o0!.rationale).toBe(anaFirst[0]!.rationale)
    expect(o0!.basis.map((b) => b.reviewer_id).sort()).toEqual(['ana', 'budi'])
    expect(o0!.previous_id).not.toBeNull()

    // Taking clip 11 from budi: it no longer waits for him.
    await server.ops.unassign(pack.packId, 'budi', [c[11]!])
    expect((await kinds())[c[11]!]).toBe('single_review')
  })

  it('records nothing of a DSA export that fails part-way, though its chunks were recorded as it went; the next run files everything', async () => {
    const db = server.db()
    const recorded = async () =>
      (
        await rows<{ runs: number; files: number; filings: number; filed: number; audit: number }>(
          db,
          sql`SELECT (SELECT count(*)::int FROM dsa_export_runs) AS runs, (SELECT count(*)::int FROM dsa_export_files) AS files,
                (SELECT count(*)::int FROM dsa_filings) AS filings, (SELECT count(*)::int FROM dsa_filed) AS filed,
                (SELECT count(*)::int FROM service_audit WHERE action = 'dsa.export') AS audit`,
        )
      )[0]
    const nothing = { runs: 0, files: 0, filings: 0, filed: 0, audit: 0 }
    /** The run's failure, with the database's own message under drizzle's "Failed query". */
    const failure = async (p: Promise<unknown>) => {
      const err = await p.then(() => null, (e: unknown) => e as Error & { cause?: Error })
      return err ? `${err.name}: ${err.cause?.message ?? err.message}` : 'no failure'
    }
    expect(await recorded()).toEqual(nothing)
    // 7 statements 2 at a time: 4 chunks, each recorded (dsa_filings, dsa_filed) before the next is mapped.
    const opts = { sinceLast: true, chunk: 2 }

    // The database refuses the third chunk's filings.
    await db.execute(sql.raw(`CREATE FUNCTION test_refuse_third() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF (SELECT count(*) FROM dsa_filings WHERE run_id = NEW.run_id) >= 4 THEN RAISE EXCEPTION 'injected: third chunk'; END IF; RETURN NEW; END $$`))
    await db.execute(sql.raw('CREATE TRIGGER test_refuse_third BEFORE INSERT ON dsa_filings FOR EACH ROW EXECUTE FUNCTION test_refuse_third()'))
    expect(await failure(runDsaExport(db, policy, opts))).toMatch(/injected: third chunk/)
    await db.execute(sql.raw('DROP TRIGGER test_refuse_third ON dsa_filings'))
    expect(await recorded()).toEqual(nothing)

    // The mapping fails on the last chunk's clip, after the first three were recorded.
    const [last] = await rows<{ clip_id: string; json: string }>(
      db,
      sql`SELECT co.clip_id, c.json FROM clip_outcomes co JOIN clips c ON c.id = co.clip_id
          WHERE co.kind IN ('single_review', 'consensus') AND co.action <> 'allow' ORDER BY co.updated_at DESC, co.outcome_id DESC LIMIT 1`,
    )
    await db.execute(sql`UPDATE clips SET json = '{"cut short' WHERE id = ${last!.clip_id}`)
    expect(await failure(runDsaExport(db, policy, opts))).toMatch(/^SyntaxError/)
    await db.execute(sql`UPDATE clips SET json = ${last!.json} WHERE id = ${last!.clip_id}`)
    expect(await recorded()).toEqual(nothing)

    // Writing the files fails, after every chunk and the run's row.
    await db.execute(sql.raw(`CREATE FUNCTION test_refuse_files() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected: files'; END $$`))
    await db.execute(sql.raw('CREATE TRIGGER test_refuse_files BEFORE INSERT ON dsa_export_files FOR EACH ROW EXECUTE FUNCTION test_refuse_files()'))
    expect(await failure(runDsaExport(db, policy, opts))).toMatch(/injected: files/)
    await db.execute(sql.raw('DROP TRIGGER test_refuse_files ON dsa_export_files'))
    expect(await recorded()).toEqual(nothing)

    // Nothing was filed, so the next run since the last files all 7, once each; a second
    // run started at the same moment waits for the export lock and reads what it filed.
    const [one, two] = await Promise.all([runDsaExport(db, policy, opts), runDsaExport(db, policy, opts)])
    const [run, other] = one.statements > 0 ? [one, two] : [two, one]
    expect(run.statements).toBe(7)
    expect(run.skipped).toEqual({ disputed: 3, pending: 1, not_restrictive: 0, unknown_action: 0, already_filed: 0 })
    expect(run.bodies.flatMap((b) => (JSON.parse(b.toString('utf8')) as { statements: DsaStatement[] }).statements)).toHaveLength(7)
    expect(other.statements).toBe(0)
    expect(other.skipped.already_filed).toBe(7)
    expect(await recorded()).toEqual({ runs: 2, files: 1, filings: 7, filed: 7, audit: 2 })
  })

  it('files one DSA statement per restricting outcome, none while disputed, none twice since the last run', async () => {
    const out = tempDir('tinjau-outcome-dsa-')
    const all = await exportDsaStatements(server.db(), policy, path.join(out, 'all'))
    const statements = statementsOf(all.files)
    for (const s of statements) DsaStatement.parse(s)
    // 4 consensus + 3 single reviews (9, 10, 11); clip 7 is pending, 4–6 disputed.
    expect(all.statements).toBe(7)
    expect(statements).toHaveLength(7)
    expect(new Set(statements.map((s) => s.puid)).size).toBe(7)
    expect(all.skipped).toEqual({ disputed: 3, pending: 1, not_restrictive: 0, unknown_action: 0, already_filed: 0 })
    const inForce = await listOutcomesInForce(server.db())
    expect(statements.map((s) => s.puid).sort()).toEqual(inForce.filter((o) => o.kind === 'consensus' || o.kind === 'single_review').map((o) => o.id).sort())

    // Nothing new: the next run since the last files nothing.
    const again = await exportDsaStatements(server.db(), policy, path.join(out, 'again'), { sinceLast: true })
    expect(again.statements).toBe(0)
    expect(again.skipped.already_filed).toBe(7)

    // budi revises a disputed clip into agreement: only that clip is new.
    const [head] = await rows<{ decision_id: string }>(server.db(), sql`SELECT decision_id FROM decision_heads WHERE clip_id = ${pack.clipIds[4]!} AND reviewer_id = 'budi'`)
    expect((await budi.push([budi.decision(pack.clipIds[4]!, { revises_id: head!.decision_id, decided_at: new Date(Date.now() + 5000).toISOString() })])).status).toBe(200)
    expect((await kinds())[pack.clipIds[4]!]).toBe('consensus')
    const next = await exportDsaStatements(server.db(), policy, path.join(out, 'next'), { sinceLast: true })
    expect(next.statements).toBe(1)
    const adjudications = await server.ops.adjudications()
    expect(adjudications.find((a) => a.clip_id === pack.clipIds[4])?.state).toBe('resolved')

    // Every run is recorded and can be written again byte for byte.
    // (The oldest two are the previous test's two at once; the one that filed 7 made them
    // 2 outcomes at a time: the same bytes.)
    const runs = await listDsaRuns(server.db())
    expect(runs.slice(0, 3).map((r) => r.statements)).toEqual([1, 0, 7])
    expect(runs.slice(3).map((r) => r.statements).sort()).toEqual([0, 7])
    const earlier = runs.slice(3).find((r) => r.statements === 7)!
    const copy = await exportDsaRun(server.db(), all.runId, path.join(out, 'copy'))
    expect(copy.files.map((f) => readFileSync(f, 'utf8'))).toEqual(all.files.map((f) => readFileSync(f, 'utf8')))
    expect(await dsaRunFiles(server.db(), earlier.id)).toEqual(all.files.map((f) => readFileSync(f, 'utf8')))
    const filings = await rows<{ n: number }>(server.db(), sql`SELECT count(*)::int AS n FROM dsa_filings`)
    expect(filings[0]!.n).toBe(15)
  })

  it('includes outcomes beside decisions in the JSON export', async () => {
    const out = path.join(tempDir('tinjau-outcome-json-'), 'all.json')
    const r = await exportDecisionsJson(server.db(), out)
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { version: number; outcomes: { id: string; in_force: boolean; kind: string }[]; decisions: unknown[] }
    expect(doc.version).toBe(2)
    expect(doc.outcomes.length).toBe(r.outcomes)
    expect(doc.outcomes.filter((o) => o.in_force).length).toBe((await listOutcomesInForce(server.db())).length)
    // Superseded outcomes stay in the record: clip 0 went pending → consensus.
    expect(doc.outcomes.filter((o) => !o.in_force).length).toBeGreaterThan(0)
  })

  it('keeps outcomes append-only', async () => {
    await expect(server.db().execute(sql`UPDATE outcomes SET kind = 'pending'`)).rejects.toThrow()
    await expect(server.db().execute(sql`DELETE FROM outcomes`)).rejects.toThrow()
  })

  it("tells each deciding reviewer's feed about their clips' outcomes", async () => {
    const feed = await rows<{ reviewer_id: string; clip_id: string }>(server.db(), sql`SELECT DISTINCT reviewer_id, clip_id FROM outcome_feed`)
    const budiClips = new Set(feed.filter((f) => f.reviewer_id === 'budi').map((f) => f.clip_id))
    // budi decided clips 0–7; clip 7 is pending but he is told so.
    expect([...budiClips].sort()).toEqual(pack.clipIds.slice(0, 8).sort())
  })

  it('derives outcomes at start for clips decided before outcomes existed', async () => {
    const before = await kinds()
    // As migration 0003 leaves a service that held decisions: heads, no outcomes in force.
    await server.db().execute(sql`DELETE FROM clip_outcomes`)
    await server.db().execute(sql`INSERT INTO service_tasks (name) VALUES ('derive-outcomes')`)
    expect(await runStartTasks(server.db())).toEqual(['derive-outcomes'])
    const after = await kinds()
    // Pending clips that were pending only because of a waiting reviewer are pending again; the rest match.
    expect(after).toEqual(before)
    expect(await runStartTasks(server.db())).toEqual([])
  })

  it("makes a run's statements on worker threads byte for byte as on its own thread; a failure there records nothing", async () => {
    const db = server.db()
    const filings = async (runId: string) =>
      rows<{ clip_id: string; outcome_id: string; filing_key: string; puid: string }>(
        db,
        sql`SELECT clip_id, outcome_id, filing_key, puid FROM dsa_filings WHERE run_id = ${runId} ORDER BY clip_id`,
      )
    const runsBefore = (await listDsaRuns(db)).length
    const inline = await runDsaExport(db, policy, { chunk: 2, mapping: 'inline' })
    expect(inline.threads).toBe(0)
    expect(inline.statements).toBeGreaterThan(2)
    // Chunks of 2 go to 3 workers in turn: answered out of step, taken in order.
    for (const workers of [1, 3]) {
      const threaded = await runDsaExport(db, policy, { chunk: 2, mapping: 'worker', workers })
      expect(threaded.threads).toBe(workers)
      expect(threaded.statements).toBe(inline.statements)
      expect(threaded.skipped).toEqual(inline.skipped)
      expect(threaded.bodies.map((b) => b.toString('base64'))).toEqual(inline.bodies.map((b) => b.toString('base64')))
      expect(await filings(threaded.runId)).toEqual(await filings(inline.runId))
      expect(await dsaRunFiles(db, threaded.runId)).toEqual(threaded.bodies.map((b) => b.toString('utf8')))
    }

    // A clip that does not parse, met in the worker on the last chunk: the error as it was
    // raised there, and nothing of the run is recorded.
    const [last] = await rows<{ clip_id: string; json: string }>(
      db,
      sql`SELECT co.clip_id, c.json FROM clip_outcomes co JOIN clips c ON c.id = co.clip_id
          WHERE co.kind IN ('single_review', 'consensus') AND co.action <> 'allow' ORDER BY co.updated_at DESC, co.outcome_id DESC LIMIT 1`,
    )
    await db.execute(sql`UPDATE clips SET json = '{"cut short' WHERE id = ${last!.clip_id}`)
    const err = await runDsaExport(db, policy, { chunk: 2, mapping: 'worker', workers: 2 }).then(() => null, (e: unknown) => e as Error)
    await db.execute(sql`UPDATE clips SET json = ${last!.json} WHERE id = ${last!.clip_id}`)
    expect(err?.name).toBe('SyntaxError')
    expect(err?.message).toContain(`clip ${last!.clip_id} (outcome `)
    expect(err?.message).toMatch(/is stored as JSON that does not parse: .*JSON/)
    expect((await listDsaRuns(db)).length).toBe(runsBefore + 3)

    // A statement that breaks the DSA schema (a policy naming a visibility the schema does
    // not know): the service's own error, with its message, on either thread; nothing recorded.
    const broken = structuredClone(policy)
    for (const a of broken.actions) if (a.dsa) a.dsa = { ...a.dsa, decision_visibility: ['DECISION_VISIBILITY_NOT_IN_THE_SCHEMA'] }
    for (const mapping of ['inline', 'worker'] as const) {
      const refused = await runDsaExport(db, broken, { chunk: 2, mapping, workers: 2 }).then(() => null, (e: unknown) => e)
      expect(refused).toBeInstanceOf(ServerError)
      expect((refused as ServerError).code).toBe('server_error')
      expect((refused as ServerError).message).toMatch(/^the DSA statement for outcome \S+ \(clip \S+\) breaks the schema: decision_visibility\.0/)
    }
    expect((await listDsaRuns(db)).length).toBe(runsBefore + 3)
  })
})
