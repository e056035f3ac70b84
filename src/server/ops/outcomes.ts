import type { SQL } from 'drizzle-orm'
import { timeOrderedId } from './time-ordered-ids'
import type { OutcomeKind } from '../db/schema'
import { rows, sql, textArray, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { readClipState, type BasisDecision, type ClipStates, type CurrentOutcome, type HeadRow } from './clip-state'

/**
 * The organisation's outcome per clip, derived from the reviewers' decisions in force
 * (decision_heads) and the clip's review assignments (docs/outcomes.md):
 *
 * - adjudicated: a lead settled it; it stays until a lead revises it, whatever reviewers do;
 * - disputed: two decisions in force disagree (not the same action and category set);
 * - pending: nothing decided, or a reviewer assigned to review the clip has not decided yet;
 * - single_review / consensus: one decision, or several that agree.
 *
 * An outcome already in force as single review or consensus never falls back to pending
 * when another reviewer is assigned later: it may have been filed, and the new reviewer's
 * decision either agrees (consensus) or disputes it. QA assignments never make a clip wait.
 *
 * Outcomes are append-only: a change is a new row naming its predecessor; clip_outcomes
 * points at the one in force; every reviewer with a decision on the clip gets a feed row
 * (what their devices pull). The caller holds the clips' locks (lockClips).
 */

export type { BasisDecision }

export function agreementKey(d: { action: string; categories: readonly string[] }): string {
  return `${d.action}\u0000${[...new Set(d.categories)].sort().join('\u0000')}`
}

/** What a derived outcome says, before it is written. */
interface Derived {
  clip_id: string
  pack_id: string
  kind: OutcomeKind
  source: HeadRow | null
  basis: BasisDecision[]
}

function signature(o: { kind: OutcomeKind; source_decision_id: string | null; basis: readonly BasisDecision[] }): string {
  return JSON.stringify([o.kind, o.source_decision_id, o.basis.map((b) => b.id).sort()])
}

function derive(clipId: string, heads: HeadRow[], current: CurrentOutcome | null, waitingFor: boolean): Derived | null {
  if (current?.kind === 'adjudicated') return null
  if (heads.length === 0) return null
  const basis = heads.map((h) => ({ id: h.id, reviewer_id: h.reviewer_id, action: h.action, categories: h.categories }))
  const base = { clip_id: clipId, pack_id: heads[0]!.pack_id, basis }
  const key = agreementKey(heads[0]!)
  if (heads.some((h) => agreementKey(h) !== key)) return { ...base, kind: 'disputed', source: null }
  const settled = current?.kind === 'single_review' || current?.kind === 'consensus'
  if (!settled && waitingFor) return { ...base, kind: 'pending', source: null }
  // The first decision to reach the agreed answer carries the ranges and rationale.
  const source = [...heads].sort((a, b) => a.decided_at.localeCompare(b.decided_at) || a.id.localeCompare(b.id))[0]!
  return { ...base, kind: heads.length === 1 ? 'single_review' : 'consensus', source }
}

/** Derived outcomes to append and the feed rows that tell reviewers, before they are written (outcomeWrites). */
export interface OutcomePlan {
  /** Without ranges, rationale and policy: the statement takes those from the source decision. */
  records: Omit<OutcomeRecord, 'ranges' | 'rationale' | 'policy_id' | 'policy_version'>[]
  feed: { reviewer_id: string; clip_id: string; outcome_id: string }[]
  /** The clips whose outcome changed. */
  changed: Set<string>
}

/**
 * The outcomes of these clips, from their state; `firstDecisions` are (clip, reviewer) pairs
 * whose first decision on the clip just landed, who are told the outcome even if it stays.
 */
export function planOutcomes(
  clipIds: readonly string[],
  states: ClipStates,
  firstDecisions: readonly { clip_id: string; reviewer_id: string }[] = [],
): OutcomePlan {
  const plan: OutcomePlan = { records: [], feed: [], changed: new Set() }
  for (const clipId of new Set(clipIds)) {
    const state = states.get(clipId)
    const current = state?.current ?? null
    const next = derive(clipId, state?.heads ?? [], current, state?.waiting ?? false)
    if (!next) continue
    if (current && signature(current) === signature({ kind: next.kind, source_decision_id: next.source?.id ?? null, basis: next.basis })) continue
    const id = timeOrderedId()
    plan.changed.add(clipId)
    for (const b of next.basis) plan.feed.push({ reviewer_id: b.reviewer_id, clip_id: clipId, outcome_id: id })
    plan.records.push({
      id,
      clip_id: clipId,
      pack_id: next.pack_id,
      kind: next.kind,
      action: next.source?.action ?? null,
      categories: next.source ? [...new Set(next.source.categories)].sort() : null,
      escalation_target: next.source?.escalation_target ?? null,
      basis: next.basis,
      source_decision_id: next.source?.id ?? null,
      previous_id: current?.outcome_id ?? null,
    })
  }
  // A reviewer's first decision on a clip whose outcome did not change: they still learn it.
  const told = new Set(plan.feed.map((f) => `${f.clip_id}\u0000${f.reviewer_id}`))
  const written = new Map(plan.records.map((r) => [r.clip_id, r.id]))
  for (const f of firstDecisions) {
    if (told.has(`${f.clip_id}\u0000${f.reviewer_id}`)) continue
    const outcomeId = written.get(f.clip_id) ?? states.get(f.clip_id)?.current?.outcome_id
    if (outcomeId) plan.feed.push({ reviewer_id: f.reviewer_id, clip_id: f.clip_id, outcome_id: outcomeId })
  }
  return plan
}

/**
 * A plan's writes as common table expressions, for one statement with the adjudications'
 * (derive-clips.ts): the outcomes appended, with the ranges, rationale and policy of their
 * source decision; clip_outcomes pointed at them; the feed rows.
 */
export function outcomeWrites(plan: OutcomePlan): SQL {
  return sql`derived AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(plan.records)}::jsonb) AS x(id text, clip_id text, pack_id text, kind text,
        action text, categories jsonb, escalation_target text, basis jsonb, source_decision_id text, previous_id text)),
    outcomes_appended AS (
      INSERT INTO outcomes (id, clip_id, pack_id, kind, action, categories, escalation_target, ranges, rationale, policy_id,
        policy_version, basis, source_decision_id, lead_id, adjudication_id, previous_id)
      SELECT x.id, x.clip_id, x.pack_id, x.kind, x.action, x.categories, x.escalation_target, s.ranges, s.rationale, s.policy_id,
        s.policy_version, x.basis, x.source_decision_id, NULL, NULL, x.previous_id
      FROM derived x LEFT JOIN decisions s ON s.id = x.source_decision_id
      ORDER BY x.clip_id),
    outcomes_in_force AS (
      INSERT INTO clip_outcomes (clip_id, pack_id, outcome_id, kind, action, due_at, authority)
      SELECT x.clip_id, x.pack_id, x.id, x.kind, x.action, c.due_at, c.authority
      FROM derived x JOIN clips c ON c.id = x.clip_id
      ON CONFLICT (clip_id) DO UPDATE SET outcome_id = excluded.outcome_id, kind = excluded.kind, action = excluded.action,
        due_at = excluded.due_at, authority = excluded.authority, pack_id = excluded.pack_id, updated_at = now()),
    outcomes_told AS (
      INSERT INTO outcome_feed (reviewer_id, clip_id, outcome_id)
      SELECT reviewer_id, clip_id, outcome_id FROM jsonb_to_recordset(${JSON.stringify(plan.feed)}::jsonb)
        AS x(reviewer_id text, clip_id text, outcome_id text))`
}

/**
 * Recompute the outcomes of these clips (locked by the caller); `firstDecisions` as for
 * planOutcomes. Returns the clips whose outcome changed.
 */
export async function deriveOutcomes(
  tx: Db,
  clipIds: readonly string[],
  firstDecisions: readonly { clip_id: string; reviewer_id: string }[] = [],
): Promise<Set<string>> {
  if (clipIds.length === 0) return new Set()
  const plan = planOutcomes(clipIds, await readClipState(tx, clipIds), firstDecisions)
  if (plan.records.length + plan.feed.length > 0) await tx.execute(prepared(sql`WITH ${outcomeWrites(plan)} SELECT 1`))
  return plan.changed
}

export interface OutcomeRecord {
  id: string
  clip_id: string
  pack_id: string
  kind: OutcomeKind
  action: string | null
  categories: string[] | null
  escalation_target: string | null
  ranges: unknown
  rationale: string | null
  policy_id: string | null
  policy_version: string | null
  basis: BasisDecision[]
  source_decision_id: string | null
  previous_id: string | null
  lead_id?: string | null
  adjudication_id?: number | null
}

/** Append outcomes and point clip_outcomes at them (one multi-row statement each). */
export async function writeOutcomes(tx: Db, records: readonly OutcomeRecord[]): Promise<void> {
  if (records.length === 0) return
  const json = JSON.stringify(records.map((r) => ({ lead_id: null, adjudication_id: null, ...r })))
  await tx.execute(sql`
    INSERT INTO outcomes (id, clip_id, pack_id, kind, action, categories, escalation_target, ranges, rationale, policy_id,
      policy_version, basis, source_decision_id, lead_id, adjudication_id, previous_id)
    SELECT id, clip_id, pack_id, kind, action, categories, escalation_target, ranges, rationale, policy_id,
      policy_version, basis, source_decision_id, lead_id, adjudication_id, previous_id
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id text, clip_id text, pack_id text, kind text, action text, categories jsonb,
      escalation_target text, ranges jsonb, rationale text, policy_id text, policy_version text, basis jsonb,
      source_decision_id text, lead_id text, adjudication_id bigint, previous_id text)
    ORDER BY clip_id`)
  await tx.execute(sql`
    INSERT INTO clip_outcomes (clip_id, pack_id, outcome_id, kind, action, due_at, authority)
    SELECT x.clip_id, x.pack_id, x.id, x.kind, x.action, c.due_at, c.authority
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id text, clip_id text, pack_id text, kind text, action text)
    JOIN clips c ON c.id = x.clip_id
    ON CONFLICT (clip_id) DO UPDATE SET outcome_id = excluded.outcome_id, kind = excluded.kind, action = excluded.action,
      due_at = excluded.due_at, authority = excluded.authority, pack_id = excluded.pack_id, updated_at = now()`)
}

const HEADS_UPSERT = sql`INSERT INTO decision_heads (clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at)`
const HEADS_ON_CONFLICT = sql`ON CONFLICT (clip_id, reviewer_id) DO UPDATE SET decision_id = excluded.decision_id, pack_id = excluded.pack_id,
    action = excluded.action, categories = excluded.categories, escalation_target = excluded.escalation_target,
    decided_at = excluded.decided_at
  WHERE decision_heads.decision_id <> excluded.decision_id
  RETURNING clip_id, reviewer_id, (xmax = 0) AS first`

/**
 * Each reviewer's decision in force on these clips, from the decisions themselves (the head of
 * their latest revision chain), into decision_heads. Returns the (clip, reviewer) pairs that
 * had no head before: first decisions.
 */
export async function refreshDecisionHeads(
  tx: Db,
  reviewerId: string | null,
  clipIds: readonly string[],
): Promise<{ clip_id: string; reviewer_id: string }[]> {
  if (clipIds.length === 0) return []
  const ids = textArray([...new Set(clipIds)])
  const who = reviewerId === null ? sql`TRUE` : sql`d.reviewer_id = ${reviewerId}`
  return rows<{ clip_id: string; reviewer_id: string }>(
    tx,
    prepared(sql`${HEADS_UPSERT}
        SELECT DISTINCT ON (d.clip_id, d.reviewer_id) d.clip_id, d.reviewer_id, d.id, d.pack_id, d.action, d.categories,
          d.escalation_target, d.decided_at::timestamptz
        FROM decisions d
        WHERE d.clip_id = ANY(${ids}) AND ${who} AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        ORDER BY d.clip_id, d.reviewer_id, d.decided_at::timestamptz DESC, d.id DESC
        ${HEADS_ON_CONFLICT}`),
  ).then((r) => (r as { clip_id: string; reviewer_id: string; first: boolean }[]).filter((x) => x.first).map(({ clip_id, reviewer_id }) => ({ clip_id, reviewer_id })))
}

/**
 * refreshDecisionHeads for one reviewer as a common table expression, `heads_written`
 * (clip_id, reviewer_id, first), for the statement that inserts the reviewer's decisions
 * (decisions.ts): that statement cannot see its own inserts, so the decisions it adds come
 * as `incoming`, a subquery of the decisions' columns, beside those already stored. Only the
 * reviewer's own pushes, under the reviewer's lock, change the reviewer's heads.
 */
export function headWrites(reviewerId: string, clipIds: readonly string[], incoming: SQL): SQL {
  const ids = textArray([...new Set(clipIds)])
  return sql`heads_written AS (${HEADS_UPSERT}
      SELECT DISTINCT ON (d.clip_id) d.clip_id, d.reviewer_id, d.id, d.pack_id, d.action, d.categories, d.escalation_target, d.decided_at::timestamptz
      FROM (SELECT id, clip_id, reviewer_id, pack_id, action, categories, escalation_target, decided_at FROM decisions
              WHERE clip_id = ANY(${ids}) AND reviewer_id = ${reviewerId}
            UNION ALL
            SELECT id, clip_id, reviewer_id, pack_id, action, categories, escalation_target, decided_at FROM ${incoming} n) d
      WHERE NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        AND NOT EXISTS (SELECT 1 FROM ${incoming} r WHERE r.revises_id = d.id)
      ORDER BY d.clip_id, d.decided_at::timestamptz DESC, d.id DESC
      ${HEADS_ON_CONFLICT})`
}
