import type { TFunction } from 'i18next'
import type { Locale, Policy } from '../../shared/policy'
import type { FormProblem } from '../state/decision-form'
import { formatClipTime } from '../../ui/i18n/format'
import { actionName, categoryName } from '../../ui/i18n/policy-text'

/** Every problem code the form can show; the compiler keeps it complete. */
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
} satisfies Record<FormProblem['code'], true>) as FormProblem['code'][]

/** A problem in the reviewer's language, its ids turned into names from the policy. */
export function problemMessage(t: TFunction, policy: Policy, locale: Locale, p: FormProblem): string {
  const params: Record<string, string | number> = { ...p.params }
  if (typeof p.params.action === 'string') params.action = actionName(policy, p.params.action, locale)
  if (typeof p.params.category === 'string') params.category = categoryName(policy, p.params.category, locale)
  if (typeof p.params.kind === 'string') params.kind = t(`kind.${p.params.kind}`)
  if (typeof p.params.index === 'number') params.index = p.params.index + 1
  if (typeof p.params.durationMs === 'number') params.duration = formatClipTime(p.params.durationMs, locale)
  return t(`problem.${p.code}`, params)
}
