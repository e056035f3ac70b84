import { describe, expect, test } from 'vitest'
import { mulberry32 } from '../testing/prng'
import { backoffCeiling, fullJitterDelay, withRetries, type BackoffPolicy } from './backoff'

const policy: BackoffPolicy = { baseMs: 100, factor: 2, capMs: 1_000 }

class Retryable extends Error {
  constructor(readonly retryAfterMs: number | null = null) {
    super('try again')
  }
}

const verdict = (err: unknown) => (err instanceof Retryable ? { retryable: true, retryAfterMs: err.retryAfterMs } : { retryable: false })

describe('backoff with full jitter', () => {
  test('ceilings grow by the factor up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 60].map((n) => backoffCeiling(policy, n))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000])
  })

  test('each wait is uniform below its ceiling, and a seed gives the same waits every time', () => {
    const a = Array.from({ length: 8 }, (_, n) => fullJitterDelay(policy, n, mulberry32(42)))
    const b = Array.from({ length: 8 }, (_, n) => fullJitterDelay(policy, n, mulberry32(42)))
    expect(a).toEqual(b)
    const random = mulberry32(7)
    const draws = Array.from({ length: 2_000 }, () => fullJitterDelay(policy, 3, random))
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...draws)).toBeLessThan(800)
    // Full jitter, not "ceiling plus a little": the waits spread over the whole range.
    expect(draws.filter((d) => d < 400).length).toBeGreaterThan(800)
    expect(draws.filter((d) => d >= 400).length).toBeGreaterThan(800)
    // A fixed random source shows the exact formula: floor(r · min(cap, base · factor^n)).
    expect(fullJitterDelay(policy, 2, () => 0.5)).toBe(200)
    expect(fullJitterDelay(policy, 9, () => 0.999)).toBe(999)
  })
})

describe('withRetries', () => {
  test('retries retryable failures with the seeded waits, then succeeds', async () => {
    const waits: number[] = []
    let calls = 0
    const result = await withRetries(
      async () => {
        if (++calls < 4) throw new Retryable()
        return 'done'
      },
      { policy, maxAttempts: 5, random: mulberry32(1), verdict, sleep: async (ms) => void waits.push(ms) },
    )
    expect(result).toBe('done')
    expect(calls).toBe(4)
    const expected = (() => {
      const r = mulberry32(1)
      return [0, 1, 2].map((n) => fullJitterDelay(policy, n, r))
    })()
    expect(waits).toEqual(expected)
  })

  test('a final failure is thrown at once; running out of attempts throws the last error', async () => {
    let calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw new Error('401')
        },
        { policy, maxAttempts: 5, random: mulberry32(1), verdict, sleep: async () => {} },
      ),
    ).rejects.toThrow('401')
    expect(calls).toBe(1)
    calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw new Retryable()
        },
        { policy, maxAttempts: 3, random: mulberry32(1), verdict, sleep: async () => {} },
      ),
    ).rejects.toBeInstanceOf(Retryable)
    expect(calls).toBe(3)
  })

  test('Retry-After sets the least wait; one longer than maxWaitMs ends the retries', async () => {
    const waits: number[] = []
    let calls = 0
    await withRetries(
      async () => {
        if (++calls === 1) throw new Retryable(700)
        return 1
      },
      { policy, maxAttempts: 3, random: () => 0, verdict, sleep: async (ms) => void waits.push(ms) },
    )
    expect(waits).toEqual([700])
    calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw new Retryable(60_000)
        },
        { policy, maxAttempts: 3, random: () => 0, verdict, maxWaitMs: 1_000, sleep: async () => {} },
      ),
    ).rejects.toBeInstanceOf(Retryable)
    expect(calls).toBe(1)
  })

  test('an abort during a wait stops at once with the reason', async () => {
    const stop = new AbortController()
    let calls = 0
    const started = Date.now()
    const run = withRetries(
      async () => {
        calls++
        throw new Retryable()
      },
      { policy: { baseMs: 60_000, factor: 1, capMs: 60_000 }, maxAttempts: 5, random: () => 0.99, verdict, signal: stop.signal },
    )
    setTimeout(() => stop.abort(new Error('stopped by test')), 20)
    await expect(run).rejects.toThrow('stopped by test')
    expect(calls).toBe(1)
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
