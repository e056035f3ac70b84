import type { WellnessSettings } from './wellness'

/**
 * The limits of the wellness settings and of a skip reason, free of zod so the renderer
 * checks its forms with the same numbers core's schemas use (wellness.ts re-exports them).
 */

export const BREAK_MINUTES_MIN = 5
export const BREAK_MINUTES_MAX = 480

export const DEFAULT_WELLNESS: WellnessSettings = { blur: true, grayscale: true, mute: true, breakAfterMinutes: 50 }

/** Skipping a clip: a first-class step with a reason, kept in the audit trail. */
export const SKIP_REASON_MAX = 500

/** What `WellnessSettings.breakAfterMinutes` accepts: a whole number of minutes in range. */
export function isValidBreakMinutes(n: number): boolean {
  return Number.isInteger(n) && n >= BREAK_MINUTES_MIN && n <= BREAK_MINUTES_MAX
}
