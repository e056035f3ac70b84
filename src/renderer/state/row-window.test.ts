import { describe, expect, it } from 'vitest'
import { rowWindow, scrollOffsetToShow } from './row-window'

describe('the rows a fixed-height list renders', () => {
  it('is the screen plus overscan, clamped to the list', () => {
    // 10 px rows, a 35 px screen: rows 0-3 are (partly) visible.
    expect(rowWindow(0, 35, 100, 10, 2)).toEqual({ first: 0, last: 5 })
    // Scrolled to 95 px: rows 9 (half) to 12 (half).
    expect(rowWindow(95, 35, 100, 10, 2)).toEqual({ first: 7, last: 14 })
    // The end of the list.
    expect(rowWindow(10_000, 35, 100, 10, 2)).toEqual({ first: 97, last: 99 })
    expect(rowWindow(-40, 35, 100, 10, 0)).toEqual({ first: 0, last: 3 })
  })

  it('at 100,000 rows costs the same as at 10', () => {
    expect(rowWindow(96 * 54_321 + 5, 960, 100_000, 96, 24)).toEqual({ first: 54_321 - 24, last: 54_331 + 24 })
  })

  it('renders nothing for an empty list, and one row when the screen has no height yet', () => {
    expect(rowWindow(0, 500, 0, 10, 5)).toEqual({ first: 0, last: -1 })
    expect(rowWindow(0, 0, 50, 10, 0)).toEqual({ first: 0, last: 0 })
  })

  it('scrolls a row into view with the least movement', () => {
    expect(scrollOffsetToShow(5, 100, 35, 10)).toBe(50) // above: align its top
    expect(scrollOffsetToShow(20, 100, 35, 10)).toBe(175) // below: align its bottom
    expect(scrollOffsetToShow(11, 100, 35, 10)).toBeNull() // already wholly visible
    expect(scrollOffsetToShow(13, 100, 35, 10)).toBe(105) // half visible at the bottom
  })
})
