import type { QaRule, QaRuleBody } from '../../../shared/lead-api'

/** The QA rule form of one pack: what the lead typed, checked before it is sent. */

export interface RuleInput {
  /** The share as typed in the number input. */
  percent: string
  stratify: boolean
}

export const RULE_ERRORS = ['percentEmpty', 'percentWhole', 'percentRange'] as const
export type RuleError = (typeof RULE_ERRORS)[number]

export type RuleCheck = { ok: true; body: QaRuleBody } | { ok: false; error: RuleError }

/** A pack with no rule starts at 0 % (nothing drawn), not stratified. */
export function ruleInput(rule: QaRule | undefined): RuleInput {
  return { percent: String(rule?.percent ?? 0), stratify: rule?.stratify_by_action ?? false }
}

export function checkRule(input: RuleInput): RuleCheck {
  const text = input.percent.trim()
  if (text === '') return { ok: false, error: 'percentEmpty' }
  if (!/^\d+$/.test(text)) return { ok: false, error: 'percentWhole' }
  const percent = Number(text)
  if (percent < 0 || percent > 100) return { ok: false, error: 'percentRange' }
  return { ok: true, body: { percent, stratify_by_action: input.stratify } }
}

/** Whether the form differs from the rule in force (a draw uses the saved rule). */
export function ruleChanged(input: RuleInput, rule: QaRule | undefined): boolean {
  const saved = ruleInput(rule)
  return input.percent.trim() !== saved.percent || input.stratify !== saved.stratify
}
