import { describe, expect, test } from 'vitest'
import { actionRows, busiestHour, HOUR_MS, hourlySeries, hourStart, niceCeil, scaleLength } from './chart-scale'

describe('chart arithmetic', () => {
  test('axis tops are 1, 2 or 5 times a power of ten at or above the largest value', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 17, 40, 51, 99, 100, 101, 2500].map(niceCeil)).toEqual([1, 1, 2, 5, 10, 10, 20, 20, 50, 100, 100, 100, 200, 5000])
    expect(niceCeil(Number.NaN)).toBe(1)
  })

  test('bars scale to the largest value, and a small non-zero value still shows', () => {
    expect(scaleLength(50, 100, 300)).toBe(150)
    expect(scaleLength(100, 100, 300)).toBe(300)
    expect(scaleLength(1, 10_000, 300)).toBe(2)
    expect(scaleLength(0, 100, 300)).toBe(0)
    expect(scaleLength(5, 0, 300)).toBe(0)
    // Never past the end, even when the value is above the scale's top.
    expect(scaleLength(150, 100, 300)).toBe(300)
  })

  test("actions come in the policy's order, unknown ones after by id, none without decisions", () => {
    const rows = actionRows({ remove: 3, zeta_new: 1, allow: 12, label: 0, alpha_new: 2 }, ['allow', 'label', 'remove'])
    expect(rows).toEqual([
      { id: 'allow', decisions: 12 },
      { id: 'remove', decisions: 3 },
      { id: 'alpha_new', decisions: 2 },
      { id: 'zeta_new', decisions: 1 },
    ])
    expect(actionRows({}, ['allow'])).toEqual([])
  })

  test('the hourly series has every hour of the last 48 up to the current one, empty hours at zero', () => {
    const now = Date.parse('2026-12-03T14:35:00Z')
    const series = hourlySeries(
      [
        { hour: '2026-12-03T13:00:00.000Z', decisions: 5 },
        { hour: '2026-12-01T14:00:00Z', decisions: 2 },
        { hour: '2026-12-03T14:00:00+00:00', decisions: 1 },
        { hour: 'not a time', decisions: 9 },
      ],
      now,
    )
    expect(series).toHaveLength(49)
    expect(series[0]).toEqual({ hourMs: Date.parse('2026-12-01T14:00:00Z'), decisions: 2 })
    expect(series.at(-1)).toEqual({ hourMs: Date.parse('2026-12-03T14:00:00Z'), decisions: 1 })
    expect(series.at(-2)!.decisions).toBe(5)
    expect(series.reduce((s, b) => s + b.decisions, 0)).toBe(8)
    for (let i = 1; i < series.length; i++) expect(series[i]!.hourMs - series[i - 1]!.hourMs).toBe(HOUR_MS)
  })

  test("a browser clock behind the service's still shows the newest hour", () => {
    const now = Date.parse('2026-12-03T12:10:00Z')
    const series = hourlySeries([{ hour: '2026-12-03T13:00:00Z', decisions: 4 }], now)
    expect(series.at(-1)).toEqual({ hourMs: Date.parse('2026-12-03T13:00:00Z'), decisions: 4 })
    expect(hourStart(now)).toBe(Date.parse('2026-12-03T12:00:00Z'))
  })

  test('the busiest hour is the latest of the largest, and none when nothing was received', () => {
    const b = (h: number, decisions: number) => ({ hourMs: h * HOUR_MS, decisions })
    expect(busiestHour([b(1, 3), b(2, 7), b(3, 7), b(4, 0)])).toEqual(b(3, 7))
    expect(busiestHour([b(1, 0)])).toBeNull()
  })
})
