import { describe, expect, it } from 'vitest'
import { formatBytes, formatClipTime, formatScore, formatSpan, timeLeft } from './format'

describe('format', () => {
  it('formats clip positions with the locale decimal separator', () => {
    expect(formatClipTime(65_300, 'en')).toBe('1:05.3')
    expect(formatClipTime(65_300, 'id')).toBe('1:05,3')
    expect(formatClipTime(0, 'en')).toBe('0:00.0')
    expect(formatClipTime(59_999, 'en')).toBe('0:59.9')
    expect(formatClipTime(3_600_000 + 61_000, 'en')).toBe('1:01:01.0')
  })

  it('formats spans coarsely, never as zero', () => {
    expect(formatSpan(2 * 3_600_000 + 15 * 60_000, 'en')).toBe('2 hours 15 minutes')
    expect(formatSpan(2 * 3_600_000 + 15 * 60_000, 'id')).toBe('2 jam 15 menit')
    expect(formatSpan(10_000, 'en')).toBe('1 minute')
    expect(formatSpan(86_400_000 + 3_600_000, 'id')).toBe('1 hari 1 jam')
    expect(formatSpan(3 * 86_400_000 + 3_600_000, 'id')).toBe('3 hari')
  })

  it('says whether a deadline has passed', () => {
    const now = Date.parse('2025-08-30T10:00:00Z')
    expect(timeLeft('2025-08-30T12:00:00Z', now, 'en')).toEqual({ overdue: false, span: '2 hours' })
    expect(timeLeft('2025-08-30T09:30:00Z', now, 'en')?.overdue).toBe(true)
    expect(timeLeft(null, now, 'en')).toBeNull()
    expect(timeLeft('not a date', now, 'en')).toBeNull()
  })

  it('formats scores and sizes', () => {
    expect(formatScore(0.94, 'id')).toBe('94%')
    expect(formatBytes(12_345_678, 'id')).toBe('12,3 MB')
    expect(formatBytes(512, 'en')).toMatch(/^512 (B|byte)/)
  })
})
