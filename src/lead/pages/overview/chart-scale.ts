/**
 * The arithmetic behind the overview's two small charts (decisions per action, decisions
 * received per hour): pure, so it is tested apart from the SVG that draws it.
 */

export const HOUR_MS = 3_600_000

/** The smallest 1, 2 or 5 × 10^k at or above `n` (an axis top that reads well); 1 for nothing. */
export function niceCeil(n: number): number {
  if (!Number.isFinite(n) || n <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(n))
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power
  return 10 * power
}

/**
 * How long a bar for `value` is when `max` fills `length`. A value above zero is never
 * drawn shorter than `minVisible`, so one decision among thousands still shows.
 */
export function scaleLength(value: number, max: number, length: number, minVisible = 2): number {
  if (!(value > 0) || !(max > 0) || !(length > 0)) return 0
  const scaled = (Math.min(value, max) / max) * length
  // Tenths of a unit are as fine as a screen draws; longer fractions only bloat the markup.
  return Math.round(Math.min(length, Math.max(minVisible, scaled)) * 10) / 10
}

export interface ActionCount {
  id: string
  decisions: number
}

/**
 * Decisions per action in the policy's order (so packs compare at a glance), then any
 * action the policy does not know (a newer policy's) by id; actions without decisions are
 * left out.
 */
export function actionRows(actions: Record<string, number>, policyOrder: readonly string[]): ActionCount[] {
  const known = policyOrder.filter((id) => (actions[id] ?? 0) > 0).map((id) => ({ id, decisions: actions[id]! }))
  const inPolicy = new Set(policyOrder)
  const unknown = Object.keys(actions)
    .filter((id) => !inPolicy.has(id) && actions[id]! > 0)
    .sort()
    .map((id) => ({ id, decisions: actions[id]! }))
  return [...known, ...unknown]
}

export interface HourBucket {
  /** The hour's start (ms since the epoch, UTC). */
  hourMs: number
  decisions: number
}

export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS
}

/**
 * One bucket per hour from 48 hours before the current hour up to it (49 buckets: the
 * service counts from now − 48 h, so its oldest hour is a partial one), hours without
 * decisions at zero. The window ends at the later of now's hour and the newest hour the
 * service sent, so a browser clock behind the service's loses nothing recent.
 */
export function hourlySeries(timeline: readonly { hour: string; decisions: number }[], nowMs: number, hours = 48): HourBucket[] {
  let end = hourStart(nowMs)
  const counts = new Map<number, number>()
  for (const t of timeline) {
    const ms = Date.parse(t.hour)
    if (Number.isNaN(ms)) continue
    const h = hourStart(ms)
    counts.set(h, (counts.get(h) ?? 0) + t.decisions)
    if (h > end) end = h
  }
  const start = end - hours * HOUR_MS
  const buckets: HourBucket[] = []
  for (let h = start; h <= end; h += HOUR_MS) buckets.push({ hourMs: h, decisions: counts.get(h) ?? 0 })
  return buckets
}

/** The hour with the most decisions (the latest of equals), or null when none has any. */
export function busiestHour(buckets: readonly HourBucket[]): HourBucket | null {
  let best: HourBucket | null = null
  for (const b of buckets) if (b.decisions > 0 && (!best || b.decisions >= best.decisions)) best = b
  return best
}
