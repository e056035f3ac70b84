import { timeOrderedId } from './time-ordered-ids'
import type { AdjudicateBody } from '../../shared/lead-api'
import type { Policy } from '../../shared/policy'
import { checkDecisionAgainstPolicy, describeProblem } from '../../shared/policy-rules'
import { one, rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { lockClips } from './adjudications'
import { writeOutcomes, type BasisDecision } from './outcomes'
import { audit } from './leads'

/**
 * A lead's final decision on a clip: only on a disputed clip (an open adjudication), or as a
 * revision of an adjudication in force. Checked against the policy like a reviewer's
 * decision (and its ranges against the clip's length); stale requests (the outcome in force
 * is not the one the lead saw) are `conflict`. The open adjudication is resolved by it, the
 * outcome appended, every reviewer it settles told (outcome_feed), and the step audited.
 */

export interface LeadRef {
  id: string
  name: string
}

export async function adjudicate(db: Db, policy: Policy, lead: LeadRef, clipId: string, body: AdjudicateBody): Promise<{ outcomeId: string }> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    await lockClips(tx, [clipId])
    const clip = await one<{ pack_id: string; duration_ms: number | null }>(tx, sql`SELECT pack_id, duration_ms FROM clips WHERE id = ${clipId}`)
    if (!clip) throw new ServerError('not_found', `no clip "${clipId}"`)
    const current = await one<{ outcome_id: string; kind: string; basis: BasisDecision[] }>(
      tx,
      sql`SELECT co.outcome_id, co.kind, o.basis FROM clip_outcomes co JOIN outcomes o ON o.id = co.outcome_id WHERE co.clip_id = ${clipId}`,
    )
    if (!current || (current.kind !== 'disputed' && current.kind !== 'adjudicated')) {
      throw new ServerError('conflict', `clip "${clipId}" is not disputed (its outcome is ${current?.kind ?? 'pending'}): a lead settles only disputed clips, or revises a lead's outcome`)
    }
    if (current.outcome_id !== body.expected_outcome_id) {
      throw new ServerError('conflict', `the outcome of clip "${clipId}" changed since it was shown (now ${current.outcome_id}, ${current.kind}); reload and decide again`, [
        { path: 'body.expected_outcome_id', message: 'not the outcome in force' },
      ])
    }
    const problems = checkDecisionAgainstPolicy(
      policy,
      {
        categories: body.categories,
        action: body.action,
        escalationTarget: body.escalation_target,
        ranges: body.ranges.map((r) => ({ startMs: r.start_ms, endMs: r.end_ms, label: r.label, note: r.note })),
        rationale: body.rationale,
      },
      clip.duration_ms ?? undefined,
    )
    if (problems.length > 0) {
      const details = problems.map((p) => ({ path: `body.${p.field === 'escalationTarget' ? 'escalation_target' : p.field}`, message: describeProblem(p) }))
      throw new ServerError('policy_violation', `the outcome breaks the policy: ${details.map((d) => d.message).join('; ')}`, details)
    }
    // What it settles: the reviewers' decisions in force now.
    const basis = await rows<BasisDecision>(
      tx,
      sql`SELECT decision_id AS id, reviewer_id, action, categories FROM decision_heads WHERE clip_id = ${clipId} ORDER BY reviewer_id`,
    )
    if (body.adopted_decision_id !== null && !basis.some((b) => b.id === body.adopted_decision_id)) {
      throw new ServerError('invalid_request', `decision ${body.adopted_decision_id} is not a decision in force on clip "${clipId}"`, [
        { path: 'body.adopted_decision_id', message: 'not a decision in force on this clip' },
      ])
    }
    const open = await one<{ id: number }>(tx, sql`SELECT id::int AS id FROM adjudications WHERE clip_id = ${clipId} AND state = 'open'`)
    const outcomeId = timeOrderedId()
    await writeOutcomes(tx, [
      {
        id: outcomeId,
        clip_id: clipId,
        pack_id: clip.pack_id,
        kind: 'adjudicated',
        action: body.action,
        categories: [...new Set(body.categories)].sort(),
        escalation_target: body.escalation_target,
        ranges: body.ranges,
        rationale: body.rationale,
        policy_id: policy.id,
        policy_version: policy.version,
        basis,
        source_decision_id: body.adopted_decision_id,
        previous_id: current.outcome_id,
        lead_id: lead.id,
        adjudication_id: open?.id ?? null,
      },
    ])
    if (open) {
      await tx.execute(sql`UPDATE adjudications SET state = 'resolved', resolved_at = now(), resolution = 'lead', settled_by = ${lead.id},
        settled_outcome_id = ${outcomeId}, decisions = ${JSON.stringify(basis)}::jsonb WHERE id = ${open.id}`)
    }
    const told = [...new Set(basis.map((b) => b.reviewer_id))].map((reviewer_id) => ({ reviewer_id, clip_id: clipId, outcome_id: outcomeId }))
    if (told.length > 0) {
      await tx.execute(sql`INSERT INTO outcome_feed (reviewer_id, clip_id, outcome_id)
        SELECT reviewer_id, clip_id, outcome_id FROM jsonb_to_recordset(${JSON.stringify(told)}::jsonb) AS x(reviewer_id text, clip_id text, outcome_id text)`)
    }
    await audit(tx, `lead:${lead.id}`, current.kind === 'disputed' ? 'outcome.adjudicate' : 'outcome.revise', clipId, {
      outcome_id: outcomeId,
      previous_id: current.outcome_id,
      action: body.action,
      categories: body.categories,
      adopted_decision_id: body.adopted_decision_id,
    })
    return { outcomeId }
  })
}
