import type { Adjudication } from '../../shared/sync-protocol'
import type { OutcomeKind } from '../db/schema'
import { rows, sql, textArray, type Db } from '../db/open'
import { prepared } from '../db/prepared'

/**
 * What deriving a clip's adjudication and outcome starts from, for a set of clips, in one
 * statement: the decisions in force (decision_heads, as refreshed), the outcome in force,
 * the open adjudication, and whether an assigned reviewer has yet to decide. Both
 * derivations (adjudications.ts, outcomes.ts) read the same heads; reading them once saves
 * a push five round trips. The caller holds the clips' locks (lockClips), so this stays
 * true until it commits.
 */

export interface HeadRow {
  clip_id: string
  pack_id: string
  /** The decision's id. */
  id: string
  reviewer_id: string
  action: string
  categories: string[]
  escalation_target: string | null
  decided_at: string
}

export interface BasisDecision {
  id: string
  reviewer_id: string
  action: string
  categories: string[]
}

export interface CurrentOutcome {
  outcome_id: string
  kind: OutcomeKind
  action: string | null
  categories: string[] | null
  escalation_target: string | null
  source_decision_id: string | null
  basis: BasisDecision[]
}

export interface ClipState {
  /** One per reviewer with a decision in force, by reviewer id. */
  heads: HeadRow[]
  current: CurrentOutcome | null
  /** clip_outcomes' kind: 'adjudicated' when a lead settled the clip. */
  inForceKind: OutcomeKind | null
  openAdjudication: { id: string; decisions: Adjudication['decisions'] } | null
  /** A reviewer assigned to review the clip has not decided it. */
  waiting: boolean
}

export type ClipStates = Map<string, ClipState>

export async function readClipState(tx: Db, clipIds: readonly string[]): Promise<ClipStates> {
  const ids = [...new Set(clipIds)]
  if (ids.length === 0) return new Map()
  const found = await rows<ClipState & { clip_id: string; in_force_kind: OutcomeKind | null; open_adjudication: ClipState['openAdjudication'] }>(
    tx,
    prepared(sql`SELECT c.clip_id,
        (SELECT coalesce(json_agg(json_build_object('clip_id', h.clip_id, 'pack_id', h.pack_id, 'id', h.decision_id,
            'reviewer_id', h.reviewer_id, 'action', h.action, 'categories', h.categories, 'escalation_target', h.escalation_target,
            'decided_at', to_char(h.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) ORDER BY h.reviewer_id), '[]')
          FROM decision_heads h WHERE h.clip_id = c.clip_id) AS heads,
        CASE WHEN o.id IS NOT NULL THEN json_build_object('outcome_id', o.id, 'kind', o.kind, 'action', o.action, 'categories', o.categories,
          'escalation_target', o.escalation_target, 'source_decision_id', o.source_decision_id, 'basis', o.basis) END AS current,
        co.kind AS in_force_kind,
        (SELECT json_build_object('id', a.id::text, 'decisions', a.decisions) FROM adjudications a
          WHERE a.state = 'open' AND a.clip_id = c.clip_id) AS open_adjudication,
        EXISTS (SELECT 1 FROM assignments a WHERE a.clip_id = c.clip_id AND a.active AND a.purpose = 'review'
          AND NOT EXISTS (SELECT 1 FROM decision_heads h WHERE h.clip_id = a.clip_id AND h.reviewer_id = a.reviewer_id)) AS waiting
      FROM unnest(${textArray(ids)}) AS c(clip_id)
      LEFT JOIN clip_outcomes co ON co.clip_id = c.clip_id
      LEFT JOIN outcomes o ON o.id = co.outcome_id`),
  )
  return new Map(
    found.map((r) => [
      r.clip_id,
      { heads: r.heads, current: r.current, inForceKind: r.in_force_kind, openAdjudication: r.open_adjudication, waiting: r.waiting },
    ]),
  )
}
