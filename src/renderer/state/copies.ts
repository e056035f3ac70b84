import type { DecisionRecord } from '../../shared/domain'
import type { ClipMatch, KnownMatch } from '../../shared/known-content'
import { MAX_DECISIONS_AT_ONCE } from '../../shared/api-methods'
import type { DecisionDraftInput } from '../../shared/policy'

/**
 * "Apply to all copies" (issue 14): once a clip is decided, the clips whose video matches it
 * and that this profile has not decided yet can take the same decision in one action. Each
 * copy gets a decision of its own, pointing at the clip just decided.
 */

/** The matches of the decided clip that have no decision here yet, strongest first, at most one call's worth. */
export function undecidedCopies(matches: readonly KnownMatch[]): ClipMatch[] {
  return matches
    .filter((m): m is ClipMatch => m.source === 'clip' && m.decision === null)
    .sort((a, b) => b.queryMatchPercent - a.queryMatchPercent || a.clipId.localeCompare(b.clipId))
    .slice(0, MAX_DECISIONS_AT_ONCE)
}

/**
 * The drafts for `decision.recordMany`. Time ranges are not copied (moments of another
 * video). The percentages are turned round: `copy` is a match seen from the decided clip,
 * while the copy's decision records the match seen from the copy.
 */
export function copyDrafts(decision: DecisionRecord, copies: readonly ClipMatch[], rationale: (copy: ClipMatch) => string): DecisionDraftInput[] {
  return copies.map((copy) => ({
    clipId: copy.clipId,
    categories: decision.categories,
    action: decision.action,
    escalationTarget: decision.escalationTarget,
    ranges: [],
    rationale: rationale(copy),
    revisesId: null,
    matchedFrom: {
      source: 'clip',
      clipId: decision.clipId,
      decisionId: decision.id,
      queryMatchPercent: copy.comparedMatchPercent,
      comparedMatchPercent: copy.queryMatchPercent,
      sameFile: copy.sameFile,
    },
  }))
}
