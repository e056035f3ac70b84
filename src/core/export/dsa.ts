import { randomBytes } from 'node:crypto'
import { renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { DsaStatement, MAX_STATEMENTS_PER_CALL } from '../../shared/dsa-statement'
import { TinjauError } from '../../shared/errors'
import type { PackClip } from '../../shared/field-pack'
import { ClipReader } from './clip-json'
import type { FileOutcome } from './dsa-file-job'
import { DsaFilePool } from './dsa-pool'
import { restrictionOf, statementMapper, type NoStatementReason } from './dsa-map'
import { prepareOutDir } from './out-file'
import { resolveSelection, selectInForce, type ExportSelection, type NormalizedSelection } from './selection'
import type { ExportSource } from './source'

/**
 * DSA statements of reasons for the selected decisions, as files a platform submits
 * as they are: `{"statements": [...]}`, at most 100 per file (the API's limit per call),
 * named dsa-statements-0001.json, -0002.json, … Only the decision in force of each chain
 * counts (see selectInForce), and only restrictive actions give a statement. Every
 * statement is checked against the schema before any file is written.
 */

export const DSA_FILE_PATTERN = /^dsa-statements-\d{4,}\.json$/

export interface DsaExportResult {
  dir: string
  files: string[]
  statements: number
  selection: NormalizedSelection
  /** Decisions in force that gave no statement, by reason (allow and escalate are `not_restrictive`). */
  skipped: Record<NoStatementReason, number>
}

export function dsaFileName(index: number): string {
  return `dsa-statements-${String(index + 1).padStart(4, '0')}.json`
}

/** What a selection gives besides the files' text. */
export interface DsaTally {
  statements: number
  skipped: Record<NoStatementReason, number>
}

/** A file's worth of statements (at most 100, in decision order) and the decisions they are for. */
export interface StatementBatch {
  decisionIds: string[]
  statements: DsaStatement[]
}

/**
 * The statements of a selection, a file's worth at a time, not yet checked against the
 * schema (the caller does that: buildDsaStatements here, the export's worker thread when
 * writing files); `tally` is complete once the generator is done. Rows stream, and
 * statements are let go a file at a time: holding 100,000 rows or statement objects at once
 * made garbage collection the largest part of the export.
 */
export function* dsaStatementBatches(source: ExportSource, sel: NormalizedSelection, tally: DsaTally): Generator<StatementBatch> {
  const byAction = new Map<string, ReturnType<typeof restrictionOf>>()
  const toStatement = statementMapper(source.policy)
  const clips = new ClipReader(source.manifests)
  let batch: StatementBatch = { decisionIds: [], statements: [] }
  try {
    for (const row of selectInForce(source.sqlite, sel)) {
      let r = byAction.get(row.action)
      if (!r) byAction.set(row.action, (r = restrictionOf(source.policy, row.action)))
      if ('skipped' in r) {
        tally.skipped[r.skipped]++
        continue
      }
      batch.statements.push(toStatement(row, JSON.parse(clips.text(row)) as PackClip, r))
      batch.decisionIds.push(row.id)
      tally.statements++
      if (batch.statements.length === MAX_STATEMENTS_PER_CALL) {
        yield batch
        batch = { decisionIds: [], statements: [] }
      }
    }
  } finally {
    clips.close()
  }
  if (batch.statements.length > 0) yield batch
}

export function emptyTally(): DsaTally {
  return { statements: 0, skipped: { not_restrictive: 0, unknown_action: 0 } }
}

/** Every statement file of a selection, in memory, each statement checked (the sync service's export and tests). */
export function buildDsaStatements(source: ExportSource, sel: NormalizedSelection): { files: string[] } & DsaTally {
  const tally = emptyTally()
  const files: string[] = []
  for (const batch of dsaStatementBatches(source, sel, tally)) {
    batch.statements.forEach((statement, i) => check(batch.decisionIds[i] as string, statement))
    files.push(fileText(batch.statements))
  }
  return { files, ...tally }
}

function check(decisionId: string, statement: DsaStatement): void {
  const result = DsaStatement.safeParse(statement)
  if (result.success) return
  const why = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  throw new TinjauError('internal', `the DSA statement for decision ${decisionId} breaks the schema: ${why}`)
}

/** One file's text: the API's body as it is sent. */
function fileText(statements: DsaStatement[]): string {
  return `${JSON.stringify({ statements })}\n`
}

/** Files being checked and written at once; more would only hold memory. */
const FILES_IN_FLIGHT = 4

/**
 * Write the statements of the selected decisions into `outDir` (created if needed; refused
 * if it holds earlier statement files).
 *
 * This thread reads and maps the decisions; a worker thread checks each file's statements
 * against the schema and writes the file under a hidden staging name (dsa-file-job.ts), so
 * the two halves run side by side. The files get their names only once every statement has
 * passed, and on any failure every staged file is removed: a half-written set could be
 * submitted twice or not at all.
 *
 * The rows come from a connection of the export's own, inside one read transaction: the
 * export waits for the worker between files, and meanwhile the profile's connection goes on
 * serving the reviewer (a decision saved then is not in this export, and does not change it).
 */
export async function writeDsaStatements(source: ExportSource, outDir: string, opts: ExportSelection = {}): Promise<DsaExportResult> {
  const sel = resolveSelection(source.sqlite, opts)
  const dir = prepareOutDir(outDir, DSA_FILE_PATTERN)
  const tag = randomBytes(6).toString('hex')
  const staged: string[] = []
  const outcomes: Promise<FileOutcome>[] = []
  const tally = emptyTally()
  let files: string[] = []
  const reader = source.openReader()
  const pool = await DsaFilePool.start()
  try {
    reader.exec('BEGIN')
    for (const batch of dsaStatementBatches({ ...source, sqlite: reader }, sel, tally)) {
      const index = staged.length
      const file = path.join(dir, `.${dsaFileName(index)}.${tag}.tmp`)
      staged.push(file)
      outcomes.push(pool.run({ index, path: file, decisionIds: batch.decisionIds, statements: batch.statements.map((s) => JSON.stringify(s)) }))
      if (outcomes.length > FILES_IN_FLIGHT) throwIfFailed(await outcomes[outcomes.length - 1 - FILES_IN_FLIGHT]!)
    }
    for (const outcome of await Promise.all(outcomes)) throwIfFailed(outcome)
    files = staged.map((_, i) => path.join(dir, dsaFileName(i)))
    staged.forEach((tmp, i) => renameSync(tmp, files[i] as string))
  } catch (err) {
    // A file may still be being written: wait, then take every one away.
    await Promise.allSettled(outcomes)
    for (const f of [...staged, ...files]) rmSync(f, { force: true })
    throw err
  } finally {
    await pool.close()
    reader.close()
  }
  return { dir, files, statements: tally.statements, selection: sel, skipped: tally.skipped }
}

function throwIfFailed(outcome: FileOutcome): void {
  if (outcome.error !== null) throw new TinjauError('internal', outcome.error)
}
