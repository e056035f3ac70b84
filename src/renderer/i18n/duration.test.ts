import { describe, expect, it } from 'vitest'
import { formatDuration } from './duration'

describe('formatDuration', () => {
  it('says minutes and hours in the locale', () => {
    expect(formatDuration(0, 'en')).toBe('0 minutes')
    expect(formatDuration(59_999, 'en')).toBe('0 minutes')
    expect(formatDuration(60_000, 'en')).toBe('1 minute')
    expect(formatDuration(50 * 60_000, 'en')).toBe('50 minutes')
    expect(formatDuration(125 * 60_000, 'en')).toBe('2 hours 5 minutes')
    expect(formatDuration(120 * 60_000, 'en')).toBe('2 hours')
    expect(formatDuration(125 * 60_000, 'id')).toBe('2 jam 5 menit')
    expect(formatDuration(Number.NaN, 'id')).toBe('0 menit')
  })
})
