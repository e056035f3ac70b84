import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DsaStatement, MAX_STATEMENTS_PER_CALL } from '../../shared/dsa-statement'
import { TinjauError } from '../../shared/errors'
import type { PackClip } from '../../shared/field-pack'
import { ClipReader } from './clip-json'
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

/**
 * The statement files of a selection: each file's text (at most 100 statements, in
 * decision order, each checked against the DSA schema). Rows stream, and statements are
 * turned into text a file at a time: holding 100,000 rows or statement objects at once
 * made garbage collection the largest part of the export.
 */
export function buildDsaStatements(source: ExportSource, sel: NormalizedSelection): { files: string[]; statements: number; skipped: Record<NoStatementReason, number> } {
  const skipped: Record<NoStatementReason, number> = { not_restrictive: 0, unknown_action: 0 }
  const byAction = new Map<string, ReturnType<typeof restrictionOf>>()
  const toStatement = statementMapper(source.policy)
  const clips = new ClipReader(source.manifests)
  const files: string[] = []
  let batch: DsaStatement[] = []
  let statements = 0
  try {
    for (const row of selectInForce(source.sqlite, sel)) {
      let r = byAction.get(row.action)
      if (!r) byAction.set(row.action, (r = restrictionOf(source.policy, row.action)))
      if ('skipped' in r) {
        skipped[r.skipped]++
        continue
      }
      const statement = toStatement(row, JSON.parse(clips.text(row)) as PackClip, r)
      check(row.id, statement)
      batch.push(statement)
      statements++
      if (batch.length === MAX_STATEMENTS_PER_CALL) {
        files.push(fileText(batch))
        batch = []
      }
    }
  } finally {
    clips.close()
  }
  if (batch.length > 0) files.push(fileText(batch))
  return { files, statements, skipped }
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

/** Write the statements of the selected decisions into `outDir` (created if needed; refused if it holds earlier statement files). */
export async function writeDsaStatements(source: ExportSource, outDir: string, opts: ExportSelection = {}): Promise<DsaExportResult> {
  const sel = resolveSelection(source.sqlite, opts)
  const { files: texts, statements, skipped } = buildDsaStatements(source, sel)
  const dir = prepareOutDir(outDir, DSA_FILE_PATTERN)
  const names = texts.map((_, i) => dsaFileName(i))
  const staged = names.map((name) => path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`))
  const files = names.map((name) => path.join(dir, name))
  try {
    await Promise.all(staged.map((tmp, i) => writeFile(tmp, texts[i] as string, { flag: 'wx' })))
    await Promise.all(staged.map((tmp, i) => rename(tmp, files[i] as string)))
  } catch (err) {
    // All files or none: a half-written set could be submitted twice or not at all.
    await Promise.all([...staged, ...files].map((f) => rm(f, { force: true })))
    throw err
  }
  return { dir, files, statements, selection: sel, skipped }
}
