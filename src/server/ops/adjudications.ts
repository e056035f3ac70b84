import type { Adjudication } from '../../shared/sync-protocol'
import type { SQL } from 'drizzle-orm'
import { rows, sql, textArray, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { isoSql } from './assignments'
import { readClipState, type ClipStates } from './clip-state'
import { agreementKey } from './outcomes'

/**
 * Disagreement is a state, not an overwrite. A clip's decisions in force are the heads of
 * its revision chains, one per reviewer (a reviewer's latest head, should a device have
 * started two chains; kept in decision_heads); when they differ in action or in the set of categories, the clip
 * has an open adjudication. When later revisions bring them back into agreement it is
 * resolved, and kept; a new disagreement opens a new one. Decisions themselves never change.
 */

/** Locks held by a push while it recomputes these clips, so two pushes on one clip see each other's decisions. */
const CLIP_LOCKS = 72_616_010

export async function lockClips(tx: Db, clipIds: readonly string[]): Promise<void> {
  if (clipIds.length === 0) return
  await tx.execute(prepared(clipLocksQuery(clipIds)))
}

/** Takes the clips' locks, one row each; a push takes them in the statement that stores its decisions. */
export function clipLocksQuery(clipIds: readonly string[]): SQL {
  // Always in the same order (by the lock key), so two pushes cannot wait on each other in a circle.
  return sql`SELECT pg_advisory_xact_lock(${CLIP_LOCKS}, k) FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest(${textArray(clipIds)}) AS id) s ORDER BY k`
}

/** What recomputing clips' adjudication state changes, before it is written (adjudicationWrites). */
export interface AdjudicationPlan {
  /** The clips with an open adjudication once it is written. */
  open: Set<string>
  toOpen: { clip_id: string; pack_id: string; decisions: Adjudication['decisions'] }[]
  toUpdate: { id: string; decisions: Adjudication['decisions'] }[]
  toResolve: string[]
}

export function planAdjudications(clipIds: readonly string[], states: ClipStates): AdjudicationPlan {
  const plan: AdjudicationPlan = { open: new Set(), toOpen: [], toUpdate: [], toResolve: [] }
  for (const clipId of new Set(clipIds)) {
    const state = states.get(clipId)
    const list = state?.heads ?? []
    // A lead's adjudication settles the clip: reviewers revising afterwards do not reopen it (a lead may revise).
    const settled = state?.inForceKind === 'adjudicated'
    const disagree = !settled && list.length > 1 && list.some((h) => agreementKey(h) !== agreementKey(list[0]!))
    const existing = state?.openAdjudication ?? null
    if (disagree) {
      plan.open.add(clipId)
      const decisions = list.map((h) => ({ id: h.id, reviewer_id: h.reviewer_id, action: h.action, categories: h.categories }))
      if (!existing) plan.toOpen.push({ clip_id: clipId, pack_id: list[0]!.pack_id, decisions })
      else if (JSON.stringify(existing.decisions.map((d) => d.id).sort()) !== JSON.stringify(decisions.map((d) => d.id).sort())) {
        plan.toUpdate.push({ id: existing.id, decisions })
      }
    } else if (existing) {
      plan.toResolve.push(existing.id)
    }
  }
  return plan
}

/** A plan's writes as common table expressions, for one statement with the outcomes' (derive-clips.ts). */
export function adjudicationWrites(plan: AdjudicationPlan): SQL {
  return sql`adjudications_opened AS (
      INSERT INTO adjudications (clip_id, pack_id, state, decisions)
      SELECT clip_id, pack_id, 'open', decisions FROM jsonb_to_recordset(${JSON.stringify(plan.toOpen)}::jsonb) AS x(clip_id text, pack_id text, decisions jsonb)),
    adjudications_changed AS (
      UPDATE adjudications a SET decisions = x.decisions
      FROM jsonb_to_recordset(${JSON.stringify(plan.toUpdate)}::jsonb) AS x(id bigint, decisions jsonb) WHERE a.id = x.id),
    adjudications_resolved AS (
      UPDATE adjudications SET state = 'resolved', resolved_at = now(), resolution = 'agreement'
      WHERE id = ANY(ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(${JSON.stringify(plan.toResolve)}::jsonb) AS x)))`
}

/** Recompute the adjudication state of these clips (locked by the caller); returns the clips now open. */
export async function updateAdjudications(tx: Db, clipIds: readonly string[]): Promise<Set<string>> {
  if (clipIds.length === 0) return new Set()
  const plan = planAdjudications(clipIds, await readClipState(tx, clipIds))
  if (plan.toOpen.length + plan.toUpdate.length + plan.toResolve.length > 0) await tx.execute(prepared(sql`WITH ${adjudicationWrites(plan)} SELECT 1`))
  return plan.open
}

const COLUMNS = sql`clip_id, pack_id, ${isoSql(sql.raw('opened_at'))} AS opened_at, state, decisions`

/** Every adjudication, open and resolved, oldest first. */
export async function listAdjudications(db: Db, opts: { reviewerId?: string; openOnly?: boolean } = {}): Promise<Adjudication[]> {
  const filters = [sql`TRUE`]
  if (opts.openOnly) filters.push(sql`state = 'open'`)
  if (opts.reviewerId !== undefined) filters.push(sql`clip_id IN (SELECT clip_id FROM decisions WHERE reviewer_id = ${opts.reviewerId})`)
  return rows<Adjudication>(db, sql`SELECT ${COLUMNS} FROM adjudications WHERE ${sql.join(filters, sql` AND `)} ORDER BY opened_at, id`)
}
