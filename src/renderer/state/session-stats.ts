/**
 * The status bar's session figures: decisions saved since the console opened, and the
 * median time a clip took, from the moment it was shown to the moment its decision was
 * saved. The median, not the mean, so one clip left open over a break does not skew it.
 */

export interface SessionStats {
  /** Milliseconds each decided clip took, in order. */
  readonly clipMs: readonly number[]
}

export const EMPTY_SESSION: SessionStats = { clipMs: [] }

/** A decision saved `ms` after its clip was shown (negative or non-finite times are dropped). */
export function recordClipTime(s: SessionStats, ms: number): SessionStats {
  if (!Number.isFinite(ms) || ms < 0) return s
  return { clipMs: [...s.clipMs, ms] }
}

export function decisionsThisSession(s: SessionStats): number {
  return s.clipMs.length
}

/** Median seconds per clip, or null before the first decision. */
export function medianSecondsPerClip(s: SessionStats): number | null {
  const n = s.clipMs.length
  if (n === 0) return null
  const sorted = [...s.clipMs].sort((a, b) => a - b)
  const mid = Math.floor(n / 2)
  const ms = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return ms / 1000
}
