import { findAction, findCategory } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'

/**
 * Names from the policy in the reviewer's language. An id the policy does not know is
 * shown as it is: a flag label from a newer classifier must never disappear from view.
 */

export function categoryName(policy: Policy, id: string, locale: Locale): string {
  return findCategory(policy, id)?.name[locale] ?? id
}

export function actionName(policy: Policy, id: string, locale: Locale): string {
  return findAction(policy, id)?.name[locale] ?? id
}

export function escalationTargetName(policy: Policy, id: string, locale: Locale): string {
  return policy.escalationTargets.find((t) => t.id === id)?.name[locale] ?? id
}

/** Each label once, in first-seen order. */
export function uniqueLabels(labels: readonly string[]): string[] {
  return [...new Set(labels)]
}
