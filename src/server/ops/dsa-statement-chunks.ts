import { DsaStatement } from '../../shared/dsa-statement'
import type { PackClip } from '../../shared/field-pack'
import type { Policy } from '../../shared/policy'
import { restrictionOf, statementMapper, type Restrictive } from '../../core/export/dsa-map'
import { ServerError } from '../errors'
import { StatementEncoder, type EncodedStatements } from './statement-files'

/**
 * A DSA export's statements, made a chunk of outcomes at a time: each outcome read with its
 * clip is mapped (src/core/export/dsa-map.ts), checked against the DSA schema and encoded.
 * The same class runs in the export's worker threads (dsa-statement-worker.ts) or, for a
 * small run, on the thread that reads the database.
 * Nothing here touches the database: which outcomes were filed goes back as `Filings`.
 */

/** What a statement is made of: the outcome's own fields, its clip and, for a reviewer's outcome, who decided. */
export interface FilableRow {
  id: string
  clip_id: string
  action: string
  categories: string[] | null
  escalation_target: string | null
  ranges: { start_ms: number; end_ms: number; label: string; note: string }[] | null
  rationale: string | null
  policy_id: string | null
  lead_id: string | null
  created_at: string
  clip_json: string
  source_reviewer_id: string | null
  source_device_id: string | null
  /** The source decision's matched_from as JSON text; null for a lead's outcome (see the query). */
  matched_from: string | null
  /** The filing key of the clip's last statement (`since last` runs only). */
  filed_key: string | null
}

/** What a chunk filed, by clip, as four parallel columns (one JSON parameter to the database). */
export interface Filings {
  clip_id: string[]
  outcome_id: string[]
  filing_key: string[]
  puid: string[]
}

export interface ChunkResult {
  filings: Filings
  /** Outcomes filed already with this action and categories (`since last`): no statement. */
  alreadyFiled: number
  /** The chunk's statements, encoded (the run's files are cut from them: statement-files.ts). */
  statements: EncodedStatements
}

/** The clip as its pack gave it; a clip stored broken is named (its pack was checked when loaded). */
function clipOf(o: FilableRow): PackClip {
  try {
    return JSON.parse(o.clip_json) as PackClip
  } catch (err) {
    throw new SyntaxError(`clip ${o.clip_id} (outcome ${o.id}) is stored as JSON that does not parse: ${(err as Error).message}`)
  }
}

/** What a statement files: a clip's outcome with this action and these categories needs no second statement. */
export function filingKey(o: { action: string | null; categories: readonly string[] | null; escalation_target: string | null }): string {
  return JSON.stringify([o.action, [...new Set(o.categories ?? [])].sort(), o.escalation_target])
}

/** The policy's actions that restrict, with the restriction fields their statements get. */
export function restrictiveActions(policy: Policy): Map<string, Restrictive> {
  const out = new Map<string, Restrictive>()
  for (const a of policy.actions) {
    const r = restrictionOf(policy, a.id)
    if (!('skipped' in r)) out.set(a.id, r)
  }
  return out
}

export class StatementChunks {
  private readonly restrictive: Map<string, Restrictive>
  private readonly toStatement: ReturnType<typeof statementMapper>
  private readonly encoder = new StatementEncoder()

  constructor(
    private readonly policy: Policy,
    private readonly sinceLast: boolean,
  ) {
    this.restrictive = restrictiveActions(policy)
    this.toStatement = statementMapper(policy)
  }

  /** A chunk's statements, in the rows' order. Throws at the first row that cannot be filed; the run then files nothing. */
  map(list: readonly FilableRow[]): ChunkResult {
    const filings: Filings = { clip_id: [], outcome_id: [], filing_key: [], puid: [] }
    let alreadyFiled = 0
    for (const o of list) {
      const key = filingKey(o)
      if (this.sinceLast && o.filed_key === key) {
        alreadyFiled++
        continue
      }
      const restrictive = this.restrictive.get(o.action)
      if (!restrictive) throw new ServerError('server_error', `outcome ${o.id} (clip ${o.clip_id}) has action "${o.action}", which restricts nothing under policy ${this.policy.id}`)
      // dsa-map reads categories and ranges as the app stores them: JSON text, ranges in camelCase.
      const statement = this.toStatement(
        {
          id: o.id,
          policy_id: o.policy_id ?? this.policy.id,
          categories: JSON.stringify(o.categories ?? []),
          action: o.action,
          ranges: JSON.stringify((o.ranges ?? []).map((x) => ({ startMs: x.start_ms, endMs: x.end_ms, label: x.label, note: x.note }))),
          rationale: o.rationale ?? '',
          reviewer_id: o.lead_id ?? o.source_reviewer_id ?? '',
          device_id: o.source_device_id ?? '',
          decided_at: o.created_at,
          matched_from: o.matched_from,
        },
        clipOf(o),
        restrictive,
      )
      const checked = DsaStatement.safeParse(statement)
      if (!checked.success) {
        throw new ServerError('server_error', `the DSA statement for outcome ${o.id} (clip ${o.clip_id}) breaks the schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      }
      this.encoder.add(statement)
      filings.clip_id.push(o.clip_id)
      filings.outcome_id.push(o.id)
      filings.filing_key.push(key)
      filings.puid.push(statement.puid)
    }
    return { filings, alreadyFiled, statements: this.encoder.take() }
  }
}
