import type { ClipMatches } from '../../shared/known-content'
import type { Policy } from '../../shared/policy'
import { matchedDecision } from './known-content'

/**
 * A clip that matches footage already decided in a protected category opens protected, as
 * a clip flagged in one does (issue 14): what was decided about the copy is a better guide to
 * what is in it than what its own flags say. The categories are handed to the protection as
 * labels beside the clip's flags (ui/use-clip-protection.ts decides from labels).
 */
export function protectedMatchLabels(policy: Policy, result: ClipMatches | null): { label: string }[] {
  if (!result) return []
  const blurred = new Set(policy.categories.filter((c) => c.blurByDefault).map((c) => c.id))
  const labels = new Set<string>()
  for (const m of result.matches) for (const id of matchedDecision(m)?.categories ?? []) if (blurred.has(id)) labels.add(id)
  return [...labels].sort().map((label) => ({ label }))
}

/** The clip's own flags and the protected categories of its matches, one label once. */
export function protectionLabels<F extends { label: string }>(flags: readonly F[], fromMatches: readonly { label: string }[]): readonly { label: string }[] {
  if (fromMatches.length === 0) return flags
  const own = new Set(flags.map((f) => f.label))
  return [...flags, ...fromMatches.filter((m) => !own.has(m.label))]
}
