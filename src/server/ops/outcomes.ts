import { v7 as uuidv7 } from 'uuid'
import type { OutcomeKind } from '../db/schema'
import { rows, sql, textArray, type Db } from '../db/open'

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

export interface BasisDecision {
  id: string
  reviewer_id: string
  action: string
  categories: string[]
}

interface HeadRow extends BasisDecision {
  clip_id: string
  pack_id: string
  escalation_target: string | null
  decided_at: string
}

interface CurrentRow {
  clip_id: string
  outcome_id: string
  kind: OutcomeKind
  action: string | null
  categories: string[] | null
  escalation_target: string | null
  source_decision_id: string | null
  basis: BasisDecision[]
}

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

function derive(clipId: string, heads: HeadRow[], current: CurrentRow | undefined, waitingFor: boolean): Derived | null {
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

/**
 * Recompute the outcomes of these clips; `firstDecisions` are (clip, reviewer) pairs whose
 * first decision on the clip just landed, who are told the outcome even if it stays.
 * Returns the clips whose outcome changed.
 */
export async function deriveOutcomes(
  tx: Db,
  clipIds: readonly string[],
  firstDecisions: readonly { clip_id: string; reviewer_id: string }[] = [],
): Promise<Set<string>> {
  const changed = new Set<string>()
  if (clipIds.length === 0) return changed
  const ids = textArray([...new Set(clipIds)])
  const heads = await rows<HeadRow>(
    tx,
    sql`SELECT clip_id, pack_id, decision_id AS id, reviewer_id, action, categories, escalation_target,
          to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS decided_at
        FROM decision_heads WHERE clip_id = ANY(${ids}) ORDER BY clip_id, reviewer_id`,
  )
  const current = await rows<CurrentRow>(
    tx,
    sql`SELECT co.clip_id, o.id AS outcome_id, o.kind, o.action, o.categories, o.escalation_target, o.source_decision_id, o.basis
        FROM clip_outcomes co JOIN outcomes o ON o.id = co.outcome_id WHERE co.clip_id = ANY(${ids})`,
  )
  // Review assignees who have not decided: the outcome waits for them.
  const waiting = new Set(
    (
      await rows<{ clip_id: string }>(
        tx,
        sql`SELECT DISTINCT a.clip_id FROM assignments a
            WHERE a.clip_id = ANY(${ids}) AND a.active AND a.purpose = 'review'
              AND NOT EXISTS (SELECT 1 FROM decision_heads h WHERE h.clip_id = a.clip_id AND h.reviewer_id = a.reviewer_id)`,
      )
    ).map((r) => r.clip_id),
  )
  const headsByClip = new Map<string, HeadRow[]>()
  for (const h of heads) {
    let list = headsByClip.get(h.clip_id)
    if (!list) headsByClip.set(h.clip_id, (list = []))
    list.push(h)
  }
  const currentByClip = new Map(current.map((c) => [c.clip_id, c]))

  const writes: Derived[] = []
  for (const clipId of new Set(clipIds)) {
    const next = derive(clipId, headsByClip.get(clipId) ?? [], currentByClip.get(clipId), waiting.has(clipId))
    if (!next) continue
    const now = currentByClip.get(clipId)
    if (now && signature(now) === signature({ kind: next.kind, source_decision_id: next.source?.id ?? null, basis: next.basis })) continue
    writes.push(next)
  }

  const feed: { reviewer_id: string; clip_id: string; outcome_id: string }[] = []
  if (writes.length > 0) {
    const sourceIds = writes.flatMap((w) => (w.source ? [w.source.id] : []))
    const sources = new Map(
      (
        await rows<{ id: string; ranges: unknown; rationale: string; policy_id: string; policy_version: string }>(
          tx,
          sql`SELECT id, ranges, rationale, policy_id, policy_version FROM decisions WHERE id = ANY(${textArray(sourceIds)})`,
        )
      ).map((r) => [r.id, r]),
    )
    const records = writes.map((w) => {
      const s = w.source ? sources.get(w.source.id) : undefined
      const id = uuidv7()
      changed.add(w.clip_id)
      for (const b of w.basis) feed.push({ reviewer_id: b.reviewer_id, clip_id: w.clip_id, outcome_id: id })
      return {
        id,
        clip_id: w.clip_id,
        pack_id: w.pack_id,
        kind: w.kind,
        action: w.source?.action ?? null,
        categories: w.source ? [...new Set(w.source.categories)].sort() : null,
        escalation_target: w.source?.escalation_target ?? null,
        ranges: s?.ranges ?? null,
        rationale: s?.rationale ?? null,
        policy_id: s?.policy_id ?? null,
        policy_version: s?.policy_version ?? null,
        basis: w.basis,
        source_decision_id: w.source?.id ?? null,
        previous_id: currentByClip.get(w.clip_id)?.outcome_id ?? null,
      }
    })
    await writeOutcomes(tx, records)
  }
  // A reviewer's first decision on a clip whose outcome did not change: they still learn it.
  const told = new Set(feed.map((f) => `${f.clip_id}\u0000${f.reviewer_id}`))
  const firsts = firstDecisions.filter((f) => !told.has(`${f.clip_id}\u0000${f.reviewer_id}`))
  if (firsts.length > 0) {
    const inForce = await rows<{ clip_id: string; outcome_id: string }>(
      tx,
      sql`SELECT clip_id, outcome_id FROM clip_outcomes WHERE clip_id = ANY(${textArray(firsts.map((f) => f.clip_id))})`,
    )
    const byClip = new Map(inForce.map((r) => [r.clip_id, r.outcome_id]))
    for (const f of firsts) {
      const outcomeId = byClip.get(f.clip_id)
      if (outcomeId) feed.push({ reviewer_id: f.reviewer_id, clip_id: f.clip_id, outcome_id: outcomeId })
    }
  }
  if (feed.length > 0) {
    await tx.execute(sql`
      INSERT INTO outcome_feed (reviewer_id, clip_id, outcome_id)
      SELECT reviewer_id, clip_id, outcome_id FROM jsonb_to_recordset(${JSON.stringify(feed)}::jsonb)
        AS x(reviewer_id text, clip_id text, outcome_id text)`)
  }
  return changed
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
    sql`INSERT INTO decision_heads (clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at)
        SELECT DISTINCT ON (d.clip_id, d.reviewer_id) d.clip_id, d.reviewer_id, d.id, d.pack_id, d.action, d.categories,
          d.escalation_target, d.decided_at::timestamptz
        FROM decisions d
        WHERE d.clip_id = ANY(${ids}) AND ${who} AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        ORDER BY d.clip_id, d.reviewer_id, d.decided_at::timestamptz DESC, d.id DESC
        ON CONFLICT (clip_id, reviewer_id) DO UPDATE SET decision_id = excluded.decision_id, pack_id = excluded.pack_id,
          action = excluded.action, categories = excluded.categories, escalation_target = excluded.escalation_target,
          decided_at = excluded.decided_at
        WHERE decision_heads.decision_id <> excluded.decision_id
        RETURNING clip_id, reviewer_id, (xmax = 0) AS first`,
  ).then((r) => (r as { clip_id: string; reviewer_id: string; first: boolean }[]).filter((x) => x.first).map(({ clip_id, reviewer_id }) => ({ clip_id, reviewer_id })))
}
