import { describe, expect, test } from 'vitest'
import { EMPTY_SESSION, decisionsThisSession, medianSecondsPerClip, recordClipTime } from './session-stats'

describe('session figures', () => {
  test('no median before the first decision', () => {
    expect(decisionsThisSession(EMPTY_SESSION)).toBe(0)
    expect(medianSecondsPerClip(EMPTY_SESSION)).toBeNull()
  })

  test('the median of an odd and an even number of clips, in seconds', () => {
    let s = [12_000, 3_000, 45_000].reduce(recordClipTime, EMPTY_SESSION)
    expect(decisionsThisSession(s)).toBe(3)
    expect(medianSecondsPerClip(s)).toBe(12)
    s = recordClipTime(s, 20_000)
    expect(medianSecondsPerClip(s)).toBe(16)
  })

  test('one clip left open over a long break does not move the median much', () => {
    const s = [10_000, 11_000, 12_000, 13_000, 50 * 60_000].reduce(recordClipTime, EMPTY_SESSION)
    expect(medianSecondsPerClip(s)).toBe(12)
  })

  test('impossible times are dropped, and the input is never changed', () => {
    const s = recordClipTime(EMPTY_SESSION, 5_000)
    expect(recordClipTime(s, -1)).toBe(s)
    expect(recordClipTime(s, Number.NaN)).toBe(s)
    expect(recordClipTime(s, Number.POSITIVE_INFINITY)).toBe(s)
    recordClipTime(s, 7_000)
    expect(s.clipMs).toEqual([5_000])
  })
})
