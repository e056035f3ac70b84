import { describe, expect, it } from 'vitest'
import { EDGE_STEP_MS, EDGE_STEP_SHIFT_MS, moveRangeEdge, rangeEdgeKeyTarget } from './range-edit'

describe('editing a range on the timeline', () => {
  const r = { startMs: 2000, endMs: 5000 }

  it('moves one edge and stops it at the other instead of crossing', () => {
    expect(moveRangeEdge(r, 'start', 1234.6)).toEqual({ startMs: 1235, endMs: 5000 })
    expect(moveRangeEdge(r, 'start', 9000)).toEqual({ startMs: 5000, endMs: 5000 })
    expect(moveRangeEdge(r, 'end', 1000)).toEqual({ startMs: 2000, endMs: 2000 })
    expect(moveRangeEdge(r, 'start', -300)).toEqual({ startMs: 0, endMs: 5000 })
  })

  it('arrow keys move an edge a tenth of a second (a second with Shift), Home / End to the ends, within the clip', () => {
    expect(rangeEdgeKeyTarget('ArrowRight', false, 2000, 10_000)).toBe(2000 + EDGE_STEP_MS)
    expect(rangeEdgeKeyTarget('ArrowLeft', true, 2000, 10_000)).toBe(2000 - EDGE_STEP_SHIFT_MS)
    expect(rangeEdgeKeyTarget('ArrowLeft', true, 500, 10_000)).toBe(0)
    expect(rangeEdgeKeyTarget('ArrowUp', true, 9500, 10_000)).toBe(10_000)
    expect(rangeEdgeKeyTarget('Home', false, 4000, 10_000)).toBe(0)
    expect(rangeEdgeKeyTarget('End', false, 4000, 10_000)).toBe(10_000)
    expect(rangeEdgeKeyTarget('a', false, 4000, 10_000)).toBeNull()
  })
})
