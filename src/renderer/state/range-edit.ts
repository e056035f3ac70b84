import type { RangeDraft } from './decision-form'
import { sliderKeyTarget, type SliderSteps } from './playback'

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

/** A range edge's handle: a tenth of a second, a second with Shift, no page steps. */
const EDGE_STEPS: SliderSteps = { step: EDGE_STEP_MS, shiftStep: EDGE_STEP_SHIFT_MS, pageStep: null }

/** Where an edge handle's key moves that edge, or null for keys it does not take. */
export function rangeEdgeKeyTarget(key: string, shiftKey: boolean, ms: number, durationMs: number): number | null {
  return sliderKeyTarget(key, shiftKey, ms, durationMs, EDGE_STEPS)
}

/** The ranges the timeline can draw: both edges are numbers (a box being typed into may be empty). */
export function drawableRanges<R extends Pick<RangeDraft, 'startMs' | 'endMs'>>(ranges: readonly R[]): R[] {
  return ranges.filter((r) => Number.isFinite(r.startMs) && Number.isFinite(r.endMs))
}
