import type { DecisionRecord } from '../../shared/domain'
import type { MatchedFrom } from '../../shared/matched-from'
import type { KnownMatch } from '../../shared/known-content'
import type { Policy } from '../../shared/policy'
import type { FormState } from './decision-form'

/**
 * Applying a known match (issue 14): the decision form filled from what was decided about
 * the matching clip, for the reviewer to check and save. Time ranges are not copied: they
 * are moments of another video. Categories the policy no longer has are dropped, and an
 * action the policy no longer offers is left for the reviewer to choose.
 */

/** The match whose decision (this profile's, else the organisation's outcome) can be applied, strongest first. */
export function applicableMatch(matches: readonly KnownMatch[]): KnownMatch | null {
  return matches.find((m) => matchedDecision(m) !== null) ?? null
}

/** A match's identity in the console: the clip's id, or the hash list entry's. */
export function matchKey(m: KnownMatch): string {
  return m.source === 'clip' ? `clip:${m.clipId}` : `list:${m.listId}/${m.entryId}`
}

/** The decision a match carries: a hash list entry's, this profile's own, else the outcome the service settled. */
export function matchedDecision(m: KnownMatch): Pick<DecisionRecord, 'action' | 'categories' | 'escalationTarget' | 'rationale'> | null {
  if (m.source === 'hashlist') {
    return m.decision.categories.length > 0 ? { action: m.decision.action, categories: m.decision.categories, escalationTarget: null, rationale: m.decision.rationale } : null
  }
  if (m.decision) return m.decision
  if (m.outcome?.action && m.outcome.categories.length > 0) {
    return { action: m.outcome.action, categories: m.outcome.categories, escalationTarget: null, rationale: m.outcome.rationale ?? '' }
  }
  return null
}

/** What the decision records of the match it was applied from: the clip, or the hash list entry and the list's version. */
export function matchedFromOf(m: KnownMatch): MatchedFrom {
  if (m.source === 'hashlist') {
    return {
      source: 'hashlist',
      listId: m.listId,
      listSource: m.listSource,
      listVersion: m.listVersion,
      entryId: m.entryId,
      label: m.label,
      queryMatchPercent: m.queryMatchPercent,
      comparedMatchPercent: m.comparedMatchPercent,
      sameFile: m.sameFile,
    }
  }
  return {
    source: 'clip',
    clipId: m.clipId,
    decisionId: m.decision?.id ?? null,
    queryMatchPercent: m.queryMatchPercent,
    comparedMatchPercent: m.comparedMatchPercent,
    sameFile: m.sameFile,
  }
}

export function formFromMatch(policy: Policy, current: FormState, m: KnownMatch, rationale: (original: string) => string): FormState {
  const d = matchedDecision(m)
  if (!d) return current
  const categories = d.categories.filter((id) => policy.categories.some((c) => c.id === id))
  const action = policy.actions.some((a) => a.id === d.action) ? d.action : null
  const kind = policy.categories.find((c) => c.id === categories[0])?.kind ?? current.activeKind
  return {
    ...current,
    categories,
    action,
    escalationTarget: action !== null && d.escalationTarget !== null && policy.escalationTargets.some((t) => t.id === d.escalationTarget) ? d.escalationTarget : null,
    ranges: [],
    rationale: rationale(d.rationale),
    activeKind: kind,
    marks: { inMs: null, outMs: null },
    selectedRange: null,
    matchedFrom: matchedFromOf(m),
  }
}

/** Whether what the match decided falls in a category the policy blurs by default. */
export function matchIsSensitive(policy: Policy, m: KnownMatch): boolean {
  const d = matchedDecision(m)
  return !!d && d.categories.some((id) => policy.categories.some((c) => c.id === id && c.blurByDefault))
}
