import { randomBytes } from 'node:crypto'
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
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

/** What a selection gives besides the files' text. */
export interface DsaTally {
  statements: number
  skipped: Record<NoStatementReason, number>
}

/**
 * The statements of a selection, a file's worth at a time (at most 100, in decision order,
 * each checked against the DSA schema); `tally` is complete once the generator is done.
 * Rows stream, and statements are let go a file at a time: holding 100,000 rows or
 * statement objects at once made garbage collection the largest part of the export.
 */
export function* dsaStatementBatches(source: ExportSource, sel: NormalizedSelection, tally: DsaTally): Generator<DsaStatement[]> {
  const byAction = new Map<string, ReturnType<typeof restrictionOf>>()
  const toStatement = statementMapper(source.policy)
  const clips = new ClipReader(source.manifests)
  let batch: DsaStatement[] = []
  try {
    for (const row of selectInForce(source.sqlite, sel)) {
      let r = byAction.get(row.action)
      if (!r) byAction.set(row.action, (r = restrictionOf(source.policy, row.action)))
      if ('skipped' in r) {
        tally.skipped[r.skipped]++
        continue
      }
      const statement = toStatement(row, JSON.parse(clips.text(row)) as PackClip, r)
      check(row.id, statement)
      batch.push(statement)
      tally.statements++
      if (batch.length === MAX_STATEMENTS_PER_CALL) {
        yield batch
        batch = []
      }
    }
  } finally {
    clips.close()
  }
  if (batch.length > 0) yield batch
}

export function emptyTally(): DsaTally {
  return { statements: 0, skipped: { not_restrictive: 0, unknown_action: 0 } }
}

/** Every statement file of a selection, in memory (the sync service's export and tests). */
export function buildDsaStatements(source: ExportSource, sel: NormalizedSelection): { files: string[] } & DsaTally {
  const tally = emptyTally()
  const files = Array.from(dsaStatementBatches(source, sel, tally), fileText)
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

const FILE_START = '{"statements":['
const FILE_END = ']}\n'

/**
 * The same bytes as fileText, written into `buffer` statement by statement (grown when
 * needed); returns it and the length. A file's text as one string is ~200 kB, which V8
 * keeps outside its young heap, mapping fresh memory for each: encoding 850 of them cost
 * more than building their statements.
 */
function encodeFile(statements: DsaStatement[], buffer: Buffer): [Buffer, number] {
  let at = buffer.write(FILE_START, 0, 'latin1')
  statements.forEach((statement, i) => {
    const text = i === 0 ? JSON.stringify(statement) : `,${JSON.stringify(statement)}`
    // At most 3 bytes per UTF-16 unit, and room for the end.
    if (buffer.length - at < text.length * 3 + FILE_END.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buffer.length * 2, at + text.length * 3 + FILE_END.length))
      buffer.copy(bigger, 0, 0, at)
      buffer = bigger
    }
    at += buffer.write(text, at, 'utf8')
  })
  at += buffer.write(FILE_END, at, 'latin1')
  return [buffer, at]
}

/**
 * Write the statements of the selected decisions into `outDir` (created if needed; refused
 * if it holds earlier statement files). Each file is staged under a hidden temporary name
 * as soon as its statements are built, encoded into one reused buffer (see encodeFile); the files get their names only once every
 * statement has passed the schema, and on any failure every staged file is removed: a
 * half-written set could be submitted twice or not at all. Synchronous on purpose: the
 * rows come from one read of the profile, which must not be interleaved with other work
 * on the same connection.
 */
export async function writeDsaStatements(source: ExportSource, outDir: string, opts: ExportSelection = {}): Promise<DsaExportResult> {
  const sel = resolveSelection(source.sqlite, opts)
  const dir = prepareOutDir(outDir, DSA_FILE_PATTERN)
  const tag = randomBytes(6).toString('hex')
  const staged: string[] = []
  const tally = emptyTally()
  let files: string[] = []
  let buffer: Buffer = Buffer.allocUnsafe(1024 * 1024)
  try {
    for (const batch of dsaStatementBatches(source, sel, tally)) {
      const tmp = path.join(dir, `.${dsaFileName(staged.length)}.${tag}.tmp`)
      staged.push(tmp)
      let length: number
      ;[buffer, length] = encodeFile(batch, buffer)
      writeWhole(tmp, buffer, length)
    }
    files = staged.map((_, i) => path.join(dir, dsaFileName(i)))
    staged.forEach((tmp, i) => renameSync(tmp, files[i] as string))
  } catch (err) {
    for (const f of [...staged, ...files]) rmSync(f, { force: true })
    throw err
  }
  return { dir, files, statements: tally.statements, selection: sel, skipped: tally.skipped }
}

function writeWhole(file: string, bytes: Buffer, length: number): void {
  const fd = openSync(file, 'wx')
  try {
    for (let done = 0; done < length; ) done += writeSync(fd, bytes, done, length - done)
  } finally {
    closeSync(fd)
  }
}
