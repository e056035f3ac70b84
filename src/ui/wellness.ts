import type { ClipFlag } from '../shared/domain'
import type { Policy } from '../shared/policy'
import type { WellnessSettings } from '../shared/wellness'

/**
 * Wellness protections for one clip, as pure state. A clip is sensitive when any of its
 * flag labels (flag labels are category ids) is a category the policy marks
 * `blurByDefault`; a sensitive clip opens with the reviewer's defaults (blur, grayscale,
 * mute), others open unprotected. Each protection is toggled on its own; a reveal
 * (holding the reveal key, or the reveal button) lifts all of them while it lasts.
 */

export interface Protection {
  blur: boolean
  grayscale: boolean
  mute: boolean
}

export type ProtectionKind = keyof Protection

export const PROTECTION_KINDS: readonly ProtectionKind[] = ['blur', 'grayscale', 'mute']

export const NO_PROTECTION: Protection = { blur: false, grayscale: false, mute: false }

/** The blur-by-default categories among the clip's flag labels, each once, in flag order. */
export function sensitiveCategories(policy: Policy, flags: readonly Pick<ClipFlag, 'label'>[]): string[] {
  const blurred = new Set(policy.categories.filter((c) => c.blurByDefault).map((c) => c.id))
  return [...new Set(flags.map((f) => f.label).filter((l) => blurred.has(l)))]
}

/** How a clip opens. */
export function initialProtection(sensitive: boolean, defaults: Pick<WellnessSettings, ProtectionKind>): Protection {
  return sensitive ? { blur: defaults.blur, grayscale: defaults.grayscale, mute: defaults.mute } : { ...NO_PROTECTION }
}

export function toggleProtection(p: Protection, kind: ProtectionKind): Protection {
  return { ...p, [kind]: !p[kind] }
}

export function isProtected(p: Protection): boolean {
  return p.blur || p.grayscale || p.mute
}

/** What applies now: nothing while revealed, else the protections chosen. */
export function effectiveProtection(p: Protection, revealed: boolean): Protection {
  return revealed ? { ...NO_PROTECTION } : p
}

/** Classes for the clip's wrapper; styles.css applies them to the video. */
export function protectionClassName(p: Protection): string {
  return ['wellness', p.blur && 'wellness-blur', p.grayscale && 'wellness-grayscale', p.mute && 'wellness-muted'].filter(Boolean).join(' ')
}

/**
 * The "reveal" button: reveal everything when anything is on, protect again (with the
 * clip's own protections, or the defaults when it had none) when everything is off.
 */
export function clickReveal(p: Protection, fallback: Protection): Protection {
  if (isProtected(p)) return { ...NO_PROTECTION }
  return isProtected(fallback) ? fallback : { blur: true, grayscale: true, mute: true }
}
