import type { DecisionRecord } from '../../shared/domain'

/**
 * The "recent decisions" strip: this session's decisions, newest first, one entry per
 * clip (the latest decision on it, which is the one in force when it was made here). An
 * entry can be revised until it is synced; a revision is a new decision pointing at the
 * old one (`revisesId`), made by opening the clip, whose form starts from the decision in
 * force.
 */

export const RECENT_LIMIT = 12

export interface RecentEntry {
  decision: DecisionRecord
  /** True until the sync service has acknowledged it. */
  revisable: boolean
  /** Decisions on this clip this session (more than 1 when it was revised). */
  count: number
}

/**
 * `newestFirst` as `decision.list` returns it. Only decisions made on this device since
 * `sessionStartMs` count (by `decidedAt`).
 */
export function recentEntries(newestFirst: readonly DecisionRecord[], sessionStartMs: number, deviceId: string, limit = RECENT_LIMIT): RecentEntry[] {
  const byClip = new Map<string, RecentEntry>()
  for (const d of newestFirst) {
    const at = Date.parse(d.decidedAt)
    if (!(at >= sessionStartMs) || d.deviceId !== deviceId) continue
    const seen = byClip.get(d.clipId)
    if (seen) seen.count++
    else byClip.set(d.clipId, { decision: d, revisable: d.syncState === 'pending', count: 1 })
  }
  return [...byClip.values()].slice(0, limit)
}

/** Decisions of this session, from the profile's total now and when the session began. */
export function sessionDecisionCount(totalNow: number, totalAtStart: number | null): number {
  return totalAtStart === null ? 0 : Math.max(0, totalNow - totalAtStart)
}
