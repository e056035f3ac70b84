import type { AdjudicateBody, ReviewerDecision } from '../../../shared/lead-api'
import type { Policy } from '../../../shared/policy'
import { checkDecisionAgainstPolicy, ESCALATE_ACTION, findCategory, kindOf } from '../../../shared/policy-rules'
import type { ProblemCode } from '../../../ui/i18n/problems'

/**
 * The lead's final decision on a disputed clip, as pure state: taken from one reviewer's
 * decision (and then edited, or not) or written from nothing. The checks are the policy's
 * own (shared/policy-rules.ts), the same the service applies, so the lead sees a broken
 * rule before sending; the service stays the judge.
 */

export interface OutcomeRange {
  start_ms: number
  end_ms: number
  label: string
  note: string
}

export interface OutcomeDraft {
  categories: string[]
  action: string | null
  escalationTarget: string | null
  rationale: string
  ranges: OutcomeRange[]
  /** The reviewer's decision it was taken from (the outcome names it only while it still says the same). */
  takenFrom: string | null
}

export const EMPTY_DRAFT: OutcomeDraft = { categories: [], action: null, escalationTarget: null, rationale: '', ranges: [], takenFrom: null }

export function draftFrom(d: ReviewerDecision): OutcomeDraft {
  return {
    categories: [...d.categories],
    action: d.action,
    escalationTarget: d.escalation_target,
    rationale: d.rationale,
    ranges: d.ranges.map((r) => ({ ...r })),
    takenFrom: d.id,
  }
}

/** Toggle a category; choosing one of the other kind starts the list again (violations and no-violation labels never mix). */
export function toggleCategory(policy: Policy, draft: OutcomeDraft, id: string): OutcomeDraft {
  if (draft.categories.includes(id)) return { ...draft, categories: draft.categories.filter((c) => c !== id) }
  const kind = findCategory(policy, id)?.kind
  const kept = draft.categories.filter((c) => findCategory(policy, c)?.kind === kind)
  const categories = [...kept, id]
  // An action the new kind does not allow is dropped rather than kept invalid.
  const action = draft.action ? policy.actions.find((a) => a.id === draft.action) : undefined
  const allowed = !action || action.allowedWith === 'either' || action.allowedWith === kindOf(policy, categories)
  return { ...draft, categories, action: allowed ? draft.action : null }
}

export function chooseAction(draft: OutcomeDraft, action: string): OutcomeDraft {
  return { ...draft, action, escalationTarget: action === ESCALATE_ACTION ? draft.escalationTarget : null }
}

export interface DraftProblem {
  code: ProblemCode
  field: string
  params: Record<string, string | number>
}

export function draftProblems(policy: Policy, draft: OutcomeDraft, durationMs: number | null): DraftProblem[] {
  const problems: DraftProblem[] = []
  if (draft.categories.length === 0) problems.push({ code: 'categories_missing', field: 'categories', params: {} })
  if (!draft.action) {
    problems.push({ code: 'action_missing', field: 'action', params: {} })
    return problems
  }
  return problems.concat(
    checkDecisionAgainstPolicy(
      policy,
      {
        categories: draft.categories,
        action: draft.action,
        escalationTarget: draft.escalationTarget,
        ranges: draft.ranges.map((r) => ({ startMs: r.start_ms, endMs: r.end_ms, label: r.label, note: r.note })),
        rationale: draft.rationale,
      },
      durationMs ?? undefined,
    ),
  )
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')

/** The reviewer's decision the outcome adopts: the one it was taken from, while action and categories still match it. */
export function adoptedDecision(draft: OutcomeDraft, decisions: readonly ReviewerDecision[]): ReviewerDecision | null {
  const from = decisions.find((d) => d.id === draft.takenFrom)
  return from && from.action === draft.action && sameSet(from.categories, draft.categories) ? from : null
}

export function toBody(draft: OutcomeDraft, expectedOutcomeId: string, decisions: readonly ReviewerDecision[]): AdjudicateBody {
  if (!draft.action) throw new Error('an outcome needs an action')
  return {
    expected_outcome_id: expectedOutcomeId,
    action: draft.action,
    categories: [...new Set(draft.categories)],
    escalation_target: draft.action === ESCALATE_ACTION ? draft.escalationTarget : null,
    ranges: draft.ranges,
    rationale: draft.rationale.trim(),
    adopted_decision_id: adoptedDecision(draft, decisions)?.id ?? null,
  }
}
