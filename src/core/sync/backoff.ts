import { setTimeout as sleepFor } from 'node:timers/promises'

/**
 * Exponential backoff with full jitter (each wait drawn uniformly from [0, min(cap, base ·
 * factor^n))): after an outage, many devices come back at once, and jitter spreads their
 * retries out instead of letting them hit the server in waves. The random source is
 * passed in, so a test with a seeded one sees the same waits every time.
 */

export interface BackoffPolicy {
  baseMs: number
  factor: number
  capMs: number
}

export type RandomSource = () => number

export const REQUEST_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 30_000 }
/** Between failed runs of the scheduler: it waits longer than one request does. */
export const RUN_BACKOFF: BackoffPolicy = { baseMs: 5_000, factor: 2, capMs: 10 * 60_000 }

/** The ceiling of the n-th wait (n from 0). */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  // factor^attempt overflows to Infinity long before it matters; min() then gives the cap.
  return Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempt))
}

/** The n-th wait (n from 0), in whole milliseconds. */
export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: RandomSource): number {
  return Math.floor(random() * backoffCeiling(policy, attempt))
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep: Sleep = async (ms, signal) => {
  try {
    await sleepFor(ms, undefined, signal ? { signal } : {})
  } catch (err) {
    // timers/promises rejects with its own AbortError; the caller wants the reason it gave.
    if (signal?.aborted) throw signal.reason
    throw err
  }
}

/** What a failed attempt says about trying again. */
export interface RetryVerdict {
  retryable: boolean
  /** The server asked for at least this long (Retry-After). */
  retryAfterMs?: number | null
}

export interface RetryOptions {
  policy: BackoffPolicy
  /** Attempts in all, the first included. */
  maxAttempts: number
  random: RandomSource
  signal?: AbortSignal | undefined
  sleep?: Sleep
  verdict(err: unknown): RetryVerdict
  /** A Retry-After longer than this is not waited out here: the attempt's error is thrown instead. */
  maxWaitMs?: number
  /** Told before each wait. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void
}

/**
 * Run `attempt` until it succeeds, fails for good, or runs out of attempts; the last error
 * is thrown as it is. An abort stops the wait at once and throws the signal's reason.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.sleep ?? sleep
  for (let n = 0; ; n++) {
    opts.signal?.throwIfAborted()
    try {
      return await attempt(n)
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason
      const v = opts.verdict(err)
      if (!v.retryable || n + 1 >= opts.maxAttempts) throw err
      const jittered = fullJitterDelay(opts.policy, n, opts.random)
      const delay = Math.max(jittered, v.retryAfterMs ?? 0)
      if (opts.maxWaitMs !== undefined && delay > opts.maxWaitMs) throw err
      opts.onRetry?.(err, n, delay)
      await wait(delay, opts.signal)
    }
  }
}
