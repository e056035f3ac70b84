import type { RangeDraft } from './decision-form'

/**
 * Editing a time range's edges on the timeline (drag or arrow keys), pure so it is tested
 * without a DOM. `I` / `O` on a chosen range are in decision-form.ts (`markEdge`).
 */

/** Finer than the timeline's own seek steps: an edge is placed to a tenth of a second. */
export const EDGE_STEP_MS = 100
export const EDGE_STEP_SHIFT_MS = 1000

/**
 * The range with one edge moved to `ms`. An edge stops at the other one instead of
 * crossing it: dragging is continuous, so swapping edges mid-drag would make the handle
 * under the pointer suddenly the other edge.
 */
export function moveRangeEdge(range: Pick<RangeDraft, 'startMs' | 'endMs'>, edge: 'start' | 'end', ms: number): Pick<RangeDraft, 'startMs' | 'endMs'> {
  const at = Math.max(0, Math.round(ms))
  if (edge === 'start') return { startMs: Math.min(at, range.endMs), endMs: range.endMs }
  return { startMs: range.startMs, endMs: Math.max(at, range.startMs) }
}

/** Where an edge handle's key moves that edge, or null for keys it does not take. */
export function rangeEdgeKeyTarget(key: string, shiftKey: boolean, ms: number, durationMs: number): number | null {
  const step = shiftKey ? EDGE_STEP_SHIFT_MS : EDGE_STEP_MS
  const clamp = (v: number) => Math.min(Math.max(0, durationMs), Math.max(0, v))
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clamp(ms - step)
    case 'ArrowRight':
    case 'ArrowUp':
      return clamp(ms + step)
    case 'Home':
      return 0
    case 'End':
      return clamp(durationMs)
    default:
      return null
  }
}
