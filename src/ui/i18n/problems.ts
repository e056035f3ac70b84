import type { TFunction } from 'i18next'
import type { Locale, Policy } from '../../shared/policy'
import type { PolicyProblem } from '../../shared/policy-rules'
import { formatClipTime } from './format'
import { actionName, categoryName } from './policy-text'

/**
 * Why a decision (a reviewer's, or a lead's outcome) cannot be saved, in the user's
 * language: the policy's own checks (shared/policy-rules.ts) and the form's. The strings
 * are the `ui` namespace's `problem.*`, so both consoles word them alike.
 */
export type ProblemCode = PolicyProblem['code'] | 'categories_missing' | 'action_missing' | 'range_invalid'

/** Every problem code; the compiler keeps it complete. */
export const PROBLEM_CODES = Object.keys({
  categories_missing: true,
  action_missing: true,
  range_invalid: true,
  category_unknown: true,
  category_kinds_mixed: true,
  category_duplicate: true,
  action_unknown: true,
  action_not_allowed: true,
  rationale_required: true,
  escalation_target_required: true,
  escalation_target_unknown: true,
  escalation_target_unexpected: true,
  range_inverted: true,
  range_outside_clip: true,
} satisfies Record<ProblemCode, true>) as ProblemCode[]

/** A problem in the user's language, its ids turned into names from the policy (any t of a console's i18next). */
export function problemMessage(t: TFunction, policy: Policy, locale: Locale, p: { code: ProblemCode; params: Record<string, string | number>; field?: string }): string {
  const params: Record<string, string | number> = { ...p.params }
  if (typeof p.params.action === 'string') params.action = actionName(policy, p.params.action, locale)
  if (typeof p.params.category === 'string') params.category = categoryName(policy, p.params.category, locale)
  if (typeof p.params.kind === 'string') params.kind = t(`ui:kind.${p.params.kind}`)
  if (typeof p.params.index === 'number') params.index = p.params.index + 1
  if (typeof p.params.durationMs === 'number') params.duration = formatClipTime(p.params.durationMs, locale)
  return t(`ui:problem.${p.code}`, params)
}
