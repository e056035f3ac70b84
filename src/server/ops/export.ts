import { mkdirSync, readdirSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import { DsaStatement, MAX_STATEMENTS_PER_CALL } from '../../shared/dsa-statement'
import type { PackClip } from '../../shared/field-pack'
import type { Policy } from '../../shared/policy'
import { restrictionOf, statementMapper } from '../../core/export/dsa-map'
import { writeFileAtomically } from '../../core/export/out-file'
import { one, rows, sql, textArray, type Db } from '../db/open'
import type { OutcomeKind } from '../db/schema'
import { ServerError } from '../errors'
import { allDecisions } from './decisions'
import { isoSql } from './assignments'
import type { BasisDecision } from './outcomes'

/**
 * What leaves the service: JSON (every decision, revisions included, with the batch each
 * came in, and every outcome), and DSA statements of reasons, one per clip whose outcome in
 * force restricts (docs/outcomes.md), through the app's own mapping (src/core/export/dsa-map.ts),
 * so a statement filed from the service reads exactly as one filed from the app; at most
 * 100 per file. Every DSA export is a recorded run: the statements it filed, per clip, and
 * its files, kept so a run can be downloaded again byte for byte. `sinceLast` takes only
 * clips whose outcome is not filed yet, or is filed with another action or categories.
 */

export const SERVER_EXPORT_FORMAT = 'tinjau-server.decisions'
const EXPORT_LOCK = 72_616_004

export interface OutcomeRow {
  id: string
  seq: number
  clip_id: string
  pack_id: string
  kind: OutcomeKind
  action: string | null
  categories: string[] | null
  escalation_target: string | null
  ranges: { start_ms: number; end_ms: number; label: string; note: string }[] | null
  rationale: string | null
  policy_id: string | null
  policy_version: string | null
  basis: BasisDecision[]
  source_decision_id: string | null
  lead_id: string | null
  previous_id: string | null
  created_at: string
  in_force: boolean
}

export const OUTCOME_COLUMNS = sql`o.id, o.seq::int AS seq, o.clip_id, o.pack_id, o.kind, o.action, o.categories, o.escalation_target, o.ranges,
  o.rationale, o.policy_id, o.policy_version, o.basis, o.source_decision_id, o.lead_id, o.previous_id,
  ${isoSql(sql.raw('o.created_at'))} AS created_at`

export async function exportDecisionsJson(db: Db, outFile: string): Promise<{ file: string; decisions: number; outcomes: number }> {
  const decisions = await allDecisions(db)
  const outcomes = await rows<OutcomeRow>(
    db,
    sql`SELECT ${OUTCOME_COLUMNS}, (co.outcome_id IS NOT NULL) AS in_force
        FROM outcomes o LEFT JOIN clip_outcomes co ON co.outcome_id = o.id ORDER BY o.seq`,
  )
  const lines = (list: unknown[]) => list.map((d) => JSON.stringify(d)).join(',\n')
  const text = `{"format":"${SERVER_EXPORT_FORMAT}","version":2,"exported_at":"${new Date().toISOString()}","decisions":[\n${lines(decisions)}\n],"outcomes":[\n${lines(outcomes)}\n]}\n`
  const file = await writeFileAtomically(outFile, Buffer.from(text, 'utf8'), true)
  return { file, decisions: decisions.length, outcomes: outcomes.length }
}

const DSA_FILE = /^dsa-statements-\d{4,}\.json$/

/** Why a clip got no statement in a run. */
export type DsaSkipReason = 'pending' | 'disputed' | 'not_restrictive' | 'unknown_action' | 'already_filed'

export interface DsaExportResult {
  runId: string
  dir: string
  files: string[]
  statements: number
  skipped: Record<DsaSkipReason, number>
}

export interface DsaExportOptions {
  /** Only clips not filed yet with their outcome's action and categories. */
  sinceLast?: boolean
  /** Who asked: `operator` (the CLI) or `lead:<id>`. */
  actor?: string
}

/** What a statement files: a clip's outcome with this action and these categories needs no second statement. */
export function filingKey(o: { action: string | null; categories: readonly string[] | null; escalation_target: string | null }): string {
  return JSON.stringify([o.action, [...new Set(o.categories ?? [])].sort(), o.escalation_target])
}

interface InForceRow extends OutcomeRow {
  clip_json: string
  source_reviewer_id: string | null
  source_device_id: string | null
  filed_key: string | null
}

/** Make, record and return a run's statement files (bodies), in one transaction under the export lock. */
export async function runDsaExport(db: Db, policy: Policy, opts: DsaExportOptions = {}): Promise<{ runId: string; bodies: string[]; statements: number; skipped: Record<DsaSkipReason, number> }> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    // One export at a time: two `since last` runs at once would file the same outcome twice.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${EXPORT_LOCK})`)
    // Only outcomes that can file a statement are read with their clips (a settled outcome
    // whose action restricts); the others are counted by kind and action, never loaded.
    const restricting = policy.actions.map((a) => a.id).filter((id) => !('skipped' in restrictionOf(policy, id)))
    const skipped: Record<DsaSkipReason, number> = { pending: 0, disputed: 0, not_restrictive: 0, unknown_action: 0, already_filed: 0 }
    const groups = await rows<{ kind: string; action: string | null; n: number }>(tx, sql`SELECT kind, action, count(*)::int AS n FROM clip_outcomes GROUP BY kind, action`)
    for (const g of groups) {
      if (g.kind === 'pending' || g.kind === 'disputed' || g.action === null) skipped[g.kind === 'disputed' ? 'disputed' : 'pending'] += g.n
      else {
        const r = restrictionOf(policy, g.action)
        if ('skipped' in r) skipped[r.skipped] += g.n
      }
    }
    const list = await rows<InForceRow>(
      tx,
      sql`SELECT ${OUTCOME_COLUMNS}, true AS in_force, c.json AS clip_json, d.reviewer_id AS source_reviewer_id,
            d.device_id AS source_device_id, f.filing_key AS filed_key
          FROM clip_outcomes co JOIN outcomes o ON o.id = co.outcome_id JOIN clips c ON c.id = co.clip_id
          LEFT JOIN decisions d ON d.id = o.source_decision_id
          LEFT JOIN dsa_filed f ON f.clip_id = co.clip_id
          WHERE co.kind IN ('single_review', 'consensus', 'adjudicated') AND co.action = ANY(${textArray(restricting)})
          ORDER BY o.created_at, o.id`,
    )
    const toStatement = statementMapper(policy)
    const bodies: string[] = []
    const filings: { clip_id: string; outcome_id: string; filing_key: string; puid: string }[] = []
    let batch: DsaStatement[] = []
    for (const o of list) {
      if (o.kind === 'pending' || o.kind === 'disputed' || o.action === null) {
        skipped[o.kind === 'disputed' ? 'disputed' : 'pending']++
        continue
      }
      const r = restrictionOf(policy, o.action)
      if ('skipped' in r) {
        skipped[r.skipped]++
        continue
      }
      const key = filingKey(o)
      if (opts.sinceLast && o.filed_key === key) {
        skipped.already_filed++
        continue
      }
      // dsa-map reads categories and ranges as the app stores them: JSON text, ranges in camelCase.
      const statement = toStatement(
        {
          id: o.id,
          policy_id: o.policy_id ?? policy.id,
          categories: JSON.stringify(o.categories ?? []),
          action: o.action,
          ranges: JSON.stringify((o.ranges ?? []).map((x) => ({ startMs: x.start_ms, endMs: x.end_ms, label: x.label, note: x.note }))),
          rationale: o.rationale ?? '',
          reviewer_id: o.lead_id ?? o.source_reviewer_id ?? '',
          device_id: o.source_device_id ?? '',
          decided_at: o.created_at,
        },
        JSON.parse(o.clip_json) as PackClip,
        r,
      )
      const checked = DsaStatement.safeParse(statement)
      if (!checked.success) {
        throw new ServerError('server_error', `the DSA statement for outcome ${o.id} (clip ${o.clip_id}) breaks the schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      }
      batch.push(statement)
      filings.push({ clip_id: o.clip_id, outcome_id: o.id, filing_key: key, puid: statement.puid })
      if (batch.length === MAX_STATEMENTS_PER_CALL) {
        bodies.push(`${JSON.stringify({ statements: batch })}\n`)
        batch = []
      }
    }
    if (batch.length > 0) bodies.push(`${JSON.stringify({ statements: batch })}\n`)

    const runId = uuidv7()
    await tx.execute(sql`
      INSERT INTO dsa_export_runs (id, created_by, since_last, statements, files, skipped)
      VALUES (${runId}, ${opts.actor ?? 'operator'}, ${opts.sinceLast === true}, ${filings.length}, ${bodies.length}, ${JSON.stringify(skipped)}::jsonb)`)
    const files = bodies.map((body, idx) => ({ idx, body }))
    for (let i = 0; i < files.length; i += 20) {
      await tx.execute(sql`
        INSERT INTO dsa_export_files (run_id, idx, body)
        SELECT ${runId}, idx, body FROM jsonb_to_recordset(${JSON.stringify(files.slice(i, i + 20))}::jsonb) AS x(idx integer, body text)`)
    }
    for (let i = 0; i < filings.length; i += 5000) {
      const part = JSON.stringify(filings.slice(i, i + 5000))
      await tx.execute(sql`
        INSERT INTO dsa_filings (run_id, clip_id, outcome_id, filing_key, puid)
        SELECT ${runId}, clip_id, outcome_id, filing_key, puid FROM jsonb_to_recordset(${part}::jsonb)
          AS x(clip_id text, outcome_id text, filing_key text, puid text)`)
      await tx.execute(sql`
        INSERT INTO dsa_filed (clip_id, outcome_id, filing_key, run_id)
        SELECT clip_id, outcome_id, filing_key, ${runId} FROM jsonb_to_recordset(${part}::jsonb)
          AS x(clip_id text, outcome_id text, filing_key text)
        ON CONFLICT (clip_id) DO UPDATE SET outcome_id = excluded.outcome_id, filing_key = excluded.filing_key, run_id = excluded.run_id`)
    }
    await tx.execute(sql`
      INSERT INTO service_audit (actor, action, subject, details)
      VALUES (${opts.actor ?? 'operator'}, 'dsa.export', ${runId},
        ${JSON.stringify({ since_last: opts.sinceLast === true, statements: filings.length, files: bodies.length, skipped })}::jsonb)`)
    return { runId, bodies, statements: filings.length, skipped }
  })
}

export interface DsaRunSummary {
  id: string
  created_at: string
  created_by: string
  since_last: boolean
  statements: number
  files: number
  skipped: Record<string, number>
}

export async function listDsaRuns(db: Db, limit = 100): Promise<DsaRunSummary[]> {
  return rows<DsaRunSummary>(
    db,
    sql`SELECT id, ${isoSql(sql.raw('created_at'))} AS created_at, created_by, since_last, statements, files, skipped
        FROM dsa_export_runs ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
  )
}

/** A run's files as they were filed. */
export async function dsaRunFiles(db: Db, runId: string): Promise<string[]> {
  if (!(await one(db, sql`SELECT 1 FROM dsa_export_runs WHERE id = ${runId}`))) throw new ServerError('not_found', `no DSA export run "${runId}"`)
  return (await rows<{ body: string }>(db, sql`SELECT body FROM dsa_export_files WHERE run_id = ${runId} ORDER BY idx`)).map((r) => r.body)
}

export function dsaFileName(idx: number): string {
  return `dsa-statements-${String(idx + 1).padStart(4, '0')}.json`
}

/** Write files into an empty folder: all of them or none, as in the app (a half-written set could be filed twice or not at all). */
async function writeRunFiles(outDir: string, bodies: readonly string[]): Promise<{ dir: string; files: string[] }> {
  const dir = path.resolve(outDir)
  const names = bodies.map((_, i) => dsaFileName(i))
  const staged = names.map((n) => path.join(dir, `.${n}.${randomBytes(6).toString('hex')}.tmp`))
  const files = names.map((n) => path.join(dir, n))
  try {
    await Promise.all(staged.map((tmp, i) => writeFile(tmp, bodies[i]!, { flag: 'wx' })))
    await Promise.all(staged.map((tmp, i) => rename(tmp, files[i]!)))
  } catch (err) {
    await Promise.all([...staged, ...files].map((f) => rm(f, { force: true })))
    throw err
  }
  return { dir, files }
}

function emptyOutDir(outDir: string): string {
  const dir = path.resolve(outDir)
  mkdirSync(dir, { recursive: true })
  if (readdirSync(dir).some((n) => DSA_FILE.test(n))) {
    throw new ServerError('invalid_request', `${dir} holds statement files of an earlier export already; choose an empty folder`)
  }
  return dir
}

/** A new run, written to `outDir`. Should writing fail after the run is recorded, `exportDsaRun` writes it again. */
export async function exportDsaStatements(db: Db, policy: Policy, outDir: string, opts: DsaExportOptions = {}): Promise<DsaExportResult> {
  const dir = emptyOutDir(outDir)
  const run = await runDsaExport(db, policy, opts)
  try {
    const { files } = await writeRunFiles(dir, run.bodies)
    return { runId: run.runId, dir, files, statements: run.statements, skipped: run.skipped }
  } catch (err) {
    throw new ServerError('server_error', `export run ${run.runId} is recorded, but its files could not be written to ${dir} (${(err as Error).message}); write them with "export --run ${run.runId}"`)
  }
}

/** An earlier run's files again, byte for byte. */
export async function exportDsaRun(db: Db, runId: string, outDir: string): Promise<{ dir: string; files: string[] }> {
  const dir = emptyOutDir(outDir)
  return writeRunFiles(dir, await dsaRunFiles(db, runId))
}

/** Each clip's outcome in force (clips never decided have none: pending). */
export async function listOutcomesInForce(db: Db, kind?: string): Promise<OutcomeRow[]> {
  const where = kind === undefined ? sql`TRUE` : sql`co.kind = ${kind}`
  return rows<OutcomeRow>(
    db,
    sql`SELECT ${OUTCOME_COLUMNS}, true AS in_force FROM clip_outcomes co JOIN outcomes o ON o.id = co.outcome_id
        WHERE ${where} ORDER BY co.pack_id, co.clip_id`,
  )
}
