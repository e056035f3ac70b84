import { describe, expect, test } from 'vitest'
import { formatSecondsPerClip, shortId } from './overview-format'

describe('overview formats', () => {
  test('time per clip in seconds, then minutes and seconds, in the locale', () => {
    expect(formatSecondsPerClip(42.35, 'en')).toBe('42.4 secs')
    expect(formatSecondsPerClip(42.35, 'id')).toBe('42,4 dtk')
    expect(formatSecondsPerClip(125, 'en')).toBe('2 mins 5 secs')
    expect(formatSecondsPerClip(120, 'id')).toBe('2 mnt')
    expect(formatSecondsPerClip(3900, 'en')).toBe('1 hr 5 mins')
    expect(formatSecondsPerClip(-1, 'en')).toBe('0 secs')
  })

  test('device ids are cut to 8 characters', () => {
    expect(shortId('dev_0123456789abcdef')).toBe('dev_0123…')
    expect(shortId('dev-1')).toBe('dev-1')
    expect(shortId('123456789')).toBe('123456789')
  })
})
