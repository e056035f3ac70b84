import { mkdirSync, readdirSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { timeOrderedId } from './time-ordered-ids'
import type { Policy } from '../../shared/policy'
import { restrictionOf } from '../../core/export/dsa-map'
import { writeFileAtomically } from '../../core/export/out-file'
import { one, rows, sql, textArray, type Db } from '../db/open'
import type { OutcomeKind } from '../db/schema'
import { ServerError } from '../errors'
import { allDecisions } from './decisions'
import { isoSql } from './assignments'
import { restrictiveActions, type ChunkResult, type FilableRow, type Filings } from './dsa-statement-chunks'
import { StatementFiles } from './statement-files'
import { startStatementMapper, WORKER_FROM } from './dsa-statement-thread'
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
  /** Outcomes read and recorded at a time (EXPORT_CHUNK); tests make it small to span several. */
  chunk?: number
  /** Where statements are made: by default worker threads from WORKER_FROM outcomes on; tests choose. */
  mapping?: 'worker' | 'inline'
  /** How many worker threads (workerCount() by default); tests choose. */
  workers?: number
}

/**
 * Outcomes are read, mapped and recorded a chunk at a time: one read of all 100,000 with
 * their clips held them all at once (1 GB resident, a third of the run in GC) and sorted
 * them after the joins.
 */
const EXPORT_CHUNK = 5000
/** Files per INSERT: each body is its own parameter (~100 KB of UTF-8 each), no JSON around them to parse. */
const FILES_PER_INSERT = 100

/**
 * Statements on a transaction's one connection, one at a time, each sent as soon as the one
 * before ends: the database reads the next chunk and records the last while this process
 * maps (node-postgres is deprecating queueing them itself).
 */
class StatementQueue {
  private tail: Promise<unknown> = Promise.resolve()

  /** `f` after every statement added before; its failure surfaces where it is awaited, never unhandled meanwhile. */
  add<T>(f: () => Promise<T>): Promise<T> {
    const p = this.tail.then(f)
    this.tail = p.catch(() => {})
    p.catch(() => {})
    return p
  }

  /** Once every statement added has ended: nothing may reach the connection after the transaction's end. */
  drained(): Promise<unknown> {
    return this.tail
  }
}

/** A recorded run: its files' bodies are UTF-8, as filed. */
export interface DsaRun {
  runId: string
  bodies: Buffer[]
  statements: number
  skipped: Record<DsaSkipReason, number>
  /** How many worker threads made the statements: 0 when the run's own thread did (see dsa-statement-thread.ts). */
  threads: number
}

/** Make, record and return a run's statement files (bodies), in one transaction under the export lock. */
export async function runDsaExport(db: Db, policy: Policy, opts: DsaExportOptions = {}): Promise<DsaRun> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    // One export at a time: two `since last` runs at once would file the same outcome twice.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${EXPORT_LOCK})`)
    // A chunk's rows (~8 MB with their clips) are put back in the statements' order in
    // memory: with the default 4 MB, each sort was an external merge on disk.
    await tx.execute(sql`SET LOCAL work_mem = '32MB'`)
    const queue = new StatementQueue()
    try {
      return await exportRun(tx, queue, policy, opts)
    } finally {
      // A failure part-way rolls the whole run back, chunks already recorded included.
      await queue.drained()
    }
  })
}

async function exportRun(tx: Db, queue: StatementQueue, policy: Policy, opts: DsaExportOptions): Promise<DsaRun> {
  const runId = timeOrderedId()
  const chunk = opts.chunk ?? EXPORT_CHUNK
  // Only outcomes that can file a statement are read with their clips (a settled outcome
  // whose action restricts); the others are counted by kind and action, never loaded.
  const restrictive = restrictiveActions(policy)
  const skipped: Record<DsaSkipReason, number> = { pending: 0, disputed: 0, not_restrictive: 0, unknown_action: 0, already_filed: 0 }
  const groups = await rows<{ kind: string; action: string | null; n: number }>(tx, sql`SELECT kind, action, count(*)::int AS n FROM clip_outcomes GROUP BY kind, action`)
  for (const g of groups) {
    if (g.kind === 'pending' || g.kind === 'disputed' || g.action === null) skipped[g.kind === 'disputed' ? 'disputed' : 'pending'] += g.n
    else {
      const r = restrictionOf(policy, g.action)
      if ('skipped' in r) skipped[r.skipped] += g.n
    }
  }
  // The statements' order, from clip_outcomes alone: its updated_at is its outcome's
  // created_at (both now() of the transaction that wrote the outcome: writeOutcomes is the
  // table's one writer), so this is (o.created_at, o.id) without sorting joined rows.
  const ids = (
    await rows<{ id: string }>(
      tx,
      sql`SELECT co.outcome_id AS id FROM clip_outcomes co
          WHERE co.kind IN ('single_review', 'consensus', 'adjudicated') AND co.action = ANY(${textArray([...restrictive.keys()])})
          ORDER BY co.updated_at, co.outcome_id`,
    )
  ).map((r) => r.id)

  // A clip's last filing is looked up per row (a subplan on dsa_filed's key), not joined: the
  // run fills dsa_filed chunk by chunk, and with statistics from when it was empty the planner
  // joined by scanning all of it once per row of the chunk. Each clip is in one chunk only,
  // so no chunk reads what an earlier one recorded.
  const filedKey = opts.sinceLast ? sql`(SELECT f.filing_key FROM dsa_filed f WHERE f.clip_id = o.clip_id)` : sql`NULL::text`
  const readChunk = (from: number) =>
    queue.add(() =>
      rows<FilableRow>(
        tx,
        sql`SELECT o.id, o.clip_id, o.action, o.categories, o.escalation_target, o.ranges, o.rationale, o.policy_id, o.lead_id,
              ${isoSql(sql.raw('o.created_at'))} AS created_at, c.json AS clip_json, d.reviewer_id AS source_reviewer_id,
              d.device_id AS source_device_id, CASE WHEN o.lead_id IS NULL THEN d.matched_from::text END AS matched_from,
              ${filedKey} AS filed_key
            FROM jsonb_array_elements_text(${JSON.stringify(ids.slice(from, from + chunk))}::jsonb) WITH ORDINALITY AS x(id, ord)
            JOIN outcomes o ON o.id = x.id JOIN clips c ON c.id = o.clip_id
            LEFT JOIN decisions d ON d.id = o.source_decision_id
            ORDER BY x.ord`,
      ),
    )

  // Chunks are mapped on the workers (for a large run) while the connection reads the next
  // and records the last; with n workers, n chunks are being mapped at once.
  const mapper = await startStatementMapper(policy, opts.sinceLast === true, opts.mapping ?? (ids.length >= WORKER_FROM ? 'worker' : 'inline'), opts.workers)
  try {
    const files = new StatementFiles()
    const bodies: Buffer[] = []
    const recorded: Promise<void>[] = []
    let statements = 0
    const take = (mapped: ChunkResult) => {
      bodies.push(...files.add(mapped.statements))
      skipped.already_filed += mapped.alreadyFiled
      statements += mapped.filings.clip_id.length
      if (mapped.filings.clip_id.length > 0) recorded.push(queue.add(() => recordFilings(tx, runId, mapped.filings)))
    }
    const mapping: Promise<ChunkResult>[] = []
    let next = ids.length > 0 ? readChunk(0) : null
    for (let at = 0; next !== null; at += chunk) {
      const list = await next
      next = at + chunk < ids.length ? readChunk(at + chunk) : null
      const mapped = mapper.map(list)
      // Settled later, in order; a failure is awaited there and must not go unhandled meanwhile.
      mapped.catch(() => {})
      mapping.push(mapped)
      if (mapping.length >= Math.max(1, mapper.threads)) take(await mapping.shift()!)
    }
    for (const mapped of mapping) take(await mapped)
    bodies.push(...files.finish())
    return await recordRun(tx, runId, opts, { bodies, statements, skipped, threads: mapper.threads }, recorded)
  } finally {
    await mapper.close()
  }
}

/** The run's files and its row, once every chunk's filings are recorded. */
async function recordRun(
  tx: Db,
  runId: string,
  opts: DsaExportOptions,
  { bodies, statements, skipped, threads }: Omit<DsaRun, 'runId'>,
  recorded: Promise<void>[],
): Promise<DsaRun> {
  await Promise.all(recorded)

  // The run's row comes last, as it carries the counts and is append-only; its files name it.
  await tx.execute(sql`
    INSERT INTO dsa_export_runs (id, created_by, since_last, statements, files, skipped)
    VALUES (${runId}, ${opts.actor ?? 'operator'}, ${opts.sinceLast === true}, ${statements}, ${bodies.length}, ${JSON.stringify(skipped)}::jsonb)`)
  // The bodies (~100 MB for 100,000 statements) are compressed as they are stored: lz4 took a
  // third of pglz's CPU for them on the bench. Only where the server has it (PGlite has not).
  const lz4 = await one<{ ok: boolean }>(tx, sql`SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`)
  if (lz4?.ok) await tx.execute(sql`SET LOCAL default_toast_compression = lz4`)
  for (let i = 0; i < bodies.length; i += FILES_PER_INSERT) {
    // Sent as bytes (binary parameters) and taken as UTF-8 text, checked as text input is.
    const values = bodies.slice(i, i + FILES_PER_INSERT).map((body, j) => sql`(${runId}, ${i + j}, convert_from(${body}::bytea, 'UTF8'))`)
    await tx.execute(sql`INSERT INTO dsa_export_files (run_id, idx, body) VALUES ${sql.join(values, sql`, `)}`)
  }
  await tx.execute(sql`
    INSERT INTO service_audit (actor, action, subject, details)
    VALUES (${opts.actor ?? 'operator'}, 'dsa.export', ${runId},
      ${JSON.stringify({ since_last: opts.sinceLast === true, statements, files: bodies.length, skipped })}::jsonb)`)
  return { runId, bodies, statements, skipped, threads }
}

/** A chunk's statements, by clip: what the run filed (dsa_filings) and each clip's last filing (dsa_filed). */
async function recordFilings(tx: Db, runId: string, f: Filings): Promise<void> {
  const part = JSON.stringify(f)
  await tx.execute(sql`
    INSERT INTO dsa_filings (run_id, clip_id, outcome_id, filing_key, puid)
    SELECT ${runId}, x.* FROM jsonb_to_record(${part}::jsonb) AS r(clip_id text[], outcome_id text[], filing_key text[], puid text[]),
      unnest(r.clip_id, r.outcome_id, r.filing_key, r.puid) AS x(clip_id, outcome_id, filing_key, puid)`)
  await tx.execute(sql`
    INSERT INTO dsa_filed (clip_id, outcome_id, filing_key, run_id)
    SELECT x.*, ${runId} FROM jsonb_to_record(${part}::jsonb) AS r(clip_id text[], outcome_id text[], filing_key text[]),
      unnest(r.clip_id, r.outcome_id, r.filing_key) AS x(clip_id, outcome_id, filing_key)
    ON CONFLICT (clip_id) DO UPDATE SET outcome_id = excluded.outcome_id, filing_key = excluded.filing_key, run_id = excluded.run_id`)
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
async function writeRunFiles(outDir: string, bodies: readonly (string | Buffer)[]): Promise<{ dir: string; files: string[] }> {
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
