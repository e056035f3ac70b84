import { validate, version } from 'uuid'
import { describe, expect, it } from 'vitest'
import { timeOrderedId } from './ops/time-ordered-ids'

describe('timeOrderedId', () => {
  it('makes valid UUID v7 ids that only grow and never repeat, across refills of its random bytes', () => {
    // 4 KiB of random bytes serve 256 ids: 10,000 refill it 39 times, mostly within one millisecond.
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId())
    for (const id of ids.slice(0, 300)) {
      expect(validate(id)).toBe(true)
      expect(version(id)).toBe(7)
    }
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true)
    // The leading 48 bits are the time of making.
    const ms = Number.parseInt(ids.at(-1)!.replace(/-/g, '').slice(0, 12), 16)
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000)
  })
})
