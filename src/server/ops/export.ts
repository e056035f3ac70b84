import { mkdirSync, readdirSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { DsaStatement, MAX_STATEMENTS_PER_CALL } from '../../shared/dsa-statement'
import type { PackClip } from '../../shared/field-pack'
import type { Policy } from '../../shared/policy'
import { restrictionOf, statementMapper, type NoStatementReason } from '../../core/export/dsa-map'
import { writeFileAtomically } from '../../core/export/out-file'
import { rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { allDecisions, packedFromRow } from './decisions'
import type { PackedDecision } from '../../shared/decision-pack-format'

/**
 * Exports of every decision the service holds: JSON (all of them, revisions included, with
 * the batch each came in), and DSA statements of reasons through the app's own mapping
 * (src/core/export/dsa-map.ts), so a statement filed from the service reads exactly as one
 * filed from the app: one per restrictive decision in force, at most 100 per file.
 */

export const SERVER_EXPORT_FORMAT = 'tinjau-server.decisions'

export async function exportDecisionsJson(db: Db, outFile: string): Promise<{ file: string; decisions: number }> {
  const decisions = await allDecisions(db)
  const text = `{"format":"${SERVER_EXPORT_FORMAT}","version":1,"exported_at":"${new Date().toISOString()}","decisions":[\n${decisions
    .map((d) => JSON.stringify(d))
    .join(',\n')}\n]}\n`
  const file = await writeFileAtomically(outFile, Buffer.from(text, 'utf8'), true)
  return { file, decisions: decisions.length }
}

const DSA_FILE = /^dsa-statements-\d{4,}\.json$/

export interface DsaExportResult {
  dir: string
  files: string[]
  statements: number
  skipped: Record<NoStatementReason, number>
}

/** The decisions in force (no stored decision revises them) with their clips' JSON. */
async function inForce(db: Db): Promise<(PackedDecision & { clip_json: string })[]> {
  return rows(
    db,
    sql`SELECT d.id, d.clip_id, d.pack_id, d.revises_id, d.decided_at, d.reviewer_id, d.device_id, d.policy_id,
          d.policy_version, d.categories, d.action, d.escalation_target, d.ranges, d.rationale, c.json AS clip_json
        FROM decisions d JOIN clips c ON c.id = d.clip_id
        WHERE NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        ORDER BY d.decided_at::timestamptz, d.id`,
  )
}

export async function exportDsaStatements(db: Db, policy: Policy, outDir: string): Promise<DsaExportResult> {
  const dir = path.resolve(outDir)
  mkdirSync(dir, { recursive: true })
  if (readdirSync(dir).some((n) => DSA_FILE.test(n))) {
    throw new ServerError('invalid_request', `${dir} holds statement files of an earlier export already; choose an empty folder`)
  }
  const skipped: Record<NoStatementReason, number> = { not_restrictive: 0, unknown_action: 0 }
  const toStatement = statementMapper(policy)
  const texts: string[] = []
  let batch: DsaStatement[] = []
  let statements = 0
  for (const row of await inForce(db)) {
    const r = restrictionOf(policy, row.action)
    if ('skipped' in r) {
      skipped[r.skipped]++
      continue
    }
    const d = packedFromRow(row)
    // dsa-map reads categories and ranges as the app stores them: JSON text, ranges in camelCase.
    const statement = toStatement(
      {
        ...d,
        categories: JSON.stringify(d.categories),
        ranges: JSON.stringify(d.ranges.map((x) => ({ startMs: x.start_ms, endMs: x.end_ms, label: x.label, note: x.note }))),
      },
      JSON.parse(row.clip_json) as PackClip,
      r,
    )
    const checked = DsaStatement.safeParse(statement)
    if (!checked.success) {
      throw new ServerError('server_error', `the DSA statement for decision ${d.id} breaks the schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
    }
    batch.push(statement)
    statements++
    if (batch.length === MAX_STATEMENTS_PER_CALL) {
      texts.push(`${JSON.stringify({ statements: batch })}\n`)
      batch = []
    }
  }
  if (batch.length > 0) texts.push(`${JSON.stringify({ statements: batch })}\n`)
  const names = texts.map((_, i) => `dsa-statements-${String(i + 1).padStart(4, '0')}.json`)
  const staged = names.map((n) => path.join(dir, `.${n}.${randomBytes(6).toString('hex')}.tmp`))
  const files = names.map((n) => path.join(dir, n))
  try {
    await Promise.all(staged.map((tmp, i) => writeFile(tmp, texts[i]!, { flag: 'wx' })))
    await Promise.all(staged.map((tmp, i) => rename(tmp, files[i]!)))
  } catch (err) {
    // All files or none, as in the app: a half-written set could be filed twice or not at all.
    await Promise.all([...staged, ...files].map((f) => rm(f, { force: true })))
    throw err
  }
  return { dir, files, statements, skipped }
}
