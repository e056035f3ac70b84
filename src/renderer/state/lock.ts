import type { ApiError } from '../../shared/errors'

/**
 * The lock screen's and the lock settings' pure rules: what a chosen passphrase still
 * lacks, how often the page tells the host the reviewer is at work, and how long a refused
 * unlock must wait.
 */

export type PassphraseProblem = 'tooShort' | 'mismatch'

/** Counted in code points, as core counts it (profile-key-file.ts). */
export function passphraseProblem(passphrase: string, confirm: string, min: number): PassphraseProblem | null {
  if ([...passphrase].length < min) return 'tooShort'
  if (passphrase !== confirm) return 'mismatch'
  return null
}

/**
 * How often input is reported (`profile.activity`): a quarter of the idle time, so the host
 * hears of it well before it would lock, never more than every 30 s (nor, for a test's few
 * seconds, more than 4 times a second).
 */
export function activityReportEveryMs(idleLockMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(idleLockMs / 4)))
}

/** The wait a refused unlock reports (`retryInMs` in its details), in ms; 0 when none. */
export function retryInMs(error: ApiError): number {
  const d = error.details?.find((x) => x.path === 'retryInMs')
  const n = d ? Number(d.message) : 0
  return Number.isFinite(n) && n > 0 ? n : 0
}
