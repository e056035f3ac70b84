import { describe, expect, it } from 'vitest'
import {
  countSensitiveClip,
  createExposure,
  dismissReminder,
  isBreakDue,
  msUntilBreakDue,
  setExposed,
  shiftFigures,
  spanExposureMs,
  takeBreak,
  totalExposureMs,
} from './exposure'

const MIN = 60_000
const SPAN = 50 * MIN

/** A fake clock: the state and the time move together. */
function clock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('exposure timer', () => {
  it('counts only while exposed', () => {
    const c = clock()
    let s = createExposure(c.now())
    c.advance(10 * MIN) // an ordinary clip
    expect(totalExposureMs(s, c.now())).toBe(0)
    s = setExposed(s, true, c.now())
    c.advance(5 * MIN)
    expect(totalExposureMs(s, c.now())).toBe(5 * MIN)
    s = setExposed(s, false, c.now())
    c.advance(20 * MIN)
    expect(totalExposureMs(s, c.now())).toBe(5 * MIN)
    s = setExposed(s, true, c.now())
    c.advance(1 * MIN)
    expect(totalExposureMs(s, c.now())).toBe(6 * MIN)
  })

  it('is idempotent: exposing twice keeps the first start, stopping twice changes nothing', () => {
    const c = clock()
    let s = setExposed(createExposure(c.now()), true, c.now())
    c.advance(MIN)
    s = setExposed(s, true, c.now())
    c.advance(MIN)
    expect(totalExposureMs(s, c.now())).toBe(2 * MIN)
    s = setExposed(s, false, c.now())
    const stopped = s
    c.advance(MIN)
    expect(setExposed(s, false, c.now())).toBe(stopped)
  })

  it('a break is due after the span of exposure, however it is split', () => {
    const c = clock()
    let s = createExposure(c.now())
    for (let i = 0; i < 4; i++) {
      s = setExposed(s, true, c.now())
      c.advance(12 * MIN)
      s = setExposed(s, false, c.now())
      c.advance(30 * MIN)
    }
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false) // 48 minutes
    expect(msUntilBreakDue(s, c.now(), SPAN)).toBeNull() // not exposed: nothing to wait for
    s = setExposed(s, true, c.now())
    expect(msUntilBreakDue(s, c.now(), SPAN)).toBe(2 * MIN)
    c.advance(2 * MIN - 1)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false)
    c.advance(1)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(true)
    expect(msUntilBreakDue(s, c.now(), SPAN)).toBe(0)
  })

  it('dismissing or taking a break starts the next span; both are counted', () => {
    const c = clock()
    let s = setExposed(createExposure(c.now()), true, c.now())
    c.advance(SPAN)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(true)
    s = dismissReminder(s, c.now())
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false)
    expect(spanExposureMs(s, c.now())).toBe(0)
    c.advance(SPAN - 1)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false)
    c.advance(1)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(true)
    s = takeBreak(setExposed(s, false, c.now()), c.now())
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false)
    expect(s.breaks).toBe(1)
    expect(s.remindersDismissed).toBe(1)
    expect(totalExposureMs(s, c.now())).toBe(2 * SPAN) // total exposure is never reset
  })

  it('a shorter span set by the reviewer applies at once', () => {
    const c = clock()
    let s = setExposed(createExposure(c.now()), true, c.now())
    c.advance(20 * MIN)
    expect(isBreakDue(s, c.now(), SPAN)).toBe(false)
    expect(isBreakDue(s, c.now(), 15 * MIN)).toBe(true)
    s = setExposed(s, false, c.now())
    expect(isBreakDue(s, c.now(), 15 * MIN)).toBe(true)
  })

  it('sums up the shift', () => {
    const c = clock()
    let s = createExposure(c.now())
    s = countSensitiveClip(setExposed(s, true, c.now()))
    c.advance(30 * MIN)
    s = countSensitiveClip(setExposed(setExposed(s, false, c.now()), true, c.now()))
    c.advance(30 * MIN)
    s = setExposed(s, false, c.now())
    c.advance(60 * MIN)
    s = takeBreak(s, c.now())
    expect(shiftFigures(s, c.now())).toEqual({ shiftMs: 120 * MIN, exposureMs: 60 * MIN, exposureShare: 0.5, breaks: 1, sensitiveClips: 2 })
    expect(shiftFigures(createExposure(c.now()), c.now()).exposureShare).toBe(0)
  })
})
