/** How the console bench prints its samples and verdicts. */

/** The q-quantile of `samples` (nearest rank). */
export function p(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
}

export const fmt = (samples: number[]) =>
  `n=${samples.length}  p50 ${p(samples, 0.5).toFixed(1)} ms  p95 ${p(samples, 0.95).toFixed(1)} ms  max ${Math.max(...samples).toFixed(1)} ms`

export const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED')

/** Decimal megabytes (10^6 bytes), the stricter reading of a target in MB. */
export const mb = (n: number) => `${n.toFixed(1)} MB`
