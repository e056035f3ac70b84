import type { CategoryKind, DecisionDraft, Policy, PolicyAction, PolicyCategory } from './policy'

/**
 * The policy's constants and rules, free of zod (types only come from policy.ts), so the
 * renderer judges a draft with the same `checkDecisionAgainstPolicy` core uses without
 * loading the schemas. policy.ts re-exports all of this.
 */

export const LOCALES = ['en', 'id'] as const
export type Locale = (typeof LOCALES)[number]

export const CATEGORY_KINDS = ['violation', 'no_violation'] as const

export const ESCALATE_ACTION = 'escalate'

/** A reason a draft cannot be saved; `code` is an i18n key, `params` fill it. */
export interface PolicyProblem {
  code:
    | 'category_unknown'
    | 'category_kinds_mixed'
    | 'category_duplicate'
    | 'action_unknown'
    | 'action_not_allowed'
    | 'rationale_required'
    | 'escalation_target_required'
    | 'escalation_target_unknown'
    | 'escalation_target_unexpected'
    | 'range_inverted'
    | 'range_outside_clip'
  field: 'categories' | 'action' | 'rationale' | 'escalationTarget' | 'ranges'
  params: Record<string, string | number>
}

export function findCategory(policy: Policy, id: string): PolicyCategory | undefined {
  return policy.categories.find((c) => c.id === id)
}

export function findAction(policy: Policy, id: string): PolicyAction | undefined {
  return policy.actions.find((a) => a.id === id)
}

/** The kind shared by all categories, or null when they are unknown or mixed. */
export function kindOf(policy: Policy, categoryIds: readonly string[]): CategoryKind | null {
  const kinds = new Set(categoryIds.map((id) => findCategory(policy, id)?.kind))
  if (kinds.size !== 1 || kinds.has(undefined)) return null
  return [...kinds][0] ?? null
}

export function actionsAllowedFor(policy: Policy, kind: CategoryKind | null): PolicyAction[] {
  return policy.actions.filter((a) => kind === null || a.allowedWith === 'either' || a.allowedWith === kind)
}

/**
 * Every reason the draft breaks the policy (empty when it can be saved).
 * `clipDurationMs` bounds the time ranges when known.
 */
export function checkDecisionAgainstPolicy(
  policy: Policy,
  draft: Pick<DecisionDraft, 'categories' | 'action' | 'escalationTarget' | 'ranges' | 'rationale'>,
  clipDurationMs?: number,
): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const seen = new Set<string>()
  for (const id of draft.categories) {
    if (seen.has(id)) problems.push({ code: 'category_duplicate', field: 'categories', params: { category: id } })
    seen.add(id)
    if (!findCategory(policy, id)) problems.push({ code: 'category_unknown', field: 'categories', params: { category: id } })
  }
  const known = draft.categories.filter((id) => findCategory(policy, id))
  const kind = kindOf(policy, known)
  if (known.length > 0 && kind === null) {
    problems.push({ code: 'category_kinds_mixed', field: 'categories', params: {} })
  }
  const action = findAction(policy, draft.action)
  if (!action) {
    problems.push({ code: 'action_unknown', field: 'action', params: { action: draft.action } })
  } else {
    if (kind !== null && action.allowedWith !== 'either' && action.allowedWith !== kind) {
      problems.push({ code: 'action_not_allowed', field: 'action', params: { action: action.id, kind } })
    }
    if (action.rationaleRequired && draft.rationale.trim().length === 0) {
      problems.push({ code: 'rationale_required', field: 'rationale', params: { action: action.id } })
    }
    if (action.id === ESCALATE_ACTION) {
      if (!draft.escalationTarget) {
        problems.push({ code: 'escalation_target_required', field: 'escalationTarget', params: {} })
      } else if (!policy.escalationTargets.some((t) => t.id === draft.escalationTarget)) {
        problems.push({ code: 'escalation_target_unknown', field: 'escalationTarget', params: { target: draft.escalationTarget } })
      }
    } else if (draft.escalationTarget) {
      problems.push({ code: 'escalation_target_unexpected', field: 'escalationTarget', params: { action: action.id } })
    }
  }
  draft.ranges.forEach((r, index) => {
    if (r.endMs < r.startMs) problems.push({ code: 'range_inverted', field: 'ranges', params: { index } })
    else if (clipDurationMs !== undefined && r.endMs > clipDurationMs) {
      problems.push({ code: 'range_outside_clip', field: 'ranges', params: { index, durationMs: clipDurationMs } })
    }
  })
  return problems
}

/** English text for a problem, for CLI output and error messages (the UI uses i18n keys). */
export function describeProblem(p: PolicyProblem): string {
  const d: Record<PolicyProblem['code'], string> = {
    category_unknown: `category "${p.params.category}" is not in the policy`,
    category_kinds_mixed: 'categories mix violations and no-violation labels',
    category_duplicate: `category "${p.params.category}" is listed twice`,
    action_unknown: `action "${p.params.action}" is not in the policy`,
    action_not_allowed: `action "${p.params.action}" is not allowed with ${p.params.kind} categories`,
    rationale_required: `a rationale is required for action "${p.params.action}"`,
    escalation_target_required: 'an escalation target is required to escalate',
    escalation_target_unknown: `escalation target "${p.params.target}" is not in the policy`,
    escalation_target_unexpected: `an escalation target is only allowed with action "escalate"`,
    range_inverted: `time range ${p.params.index} ends before it starts`,
    range_outside_clip: `time range ${p.params.index} ends after the clip (${p.params.durationMs} ms)`,
  }
  return d[p.code]
}
