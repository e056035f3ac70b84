import { describe, expect, it } from 'vitest'
import { activityReportEveryMs, passphraseProblem, retryInMs } from './lock'

describe('the lock screen rules', () => {
  it('a chosen passphrase needs the minimum length (in characters, not bytes) and the same text twice', () => {
    expect(passphraseProblem('short', 'short', 8)).toBe('tooShort')
    expect(passphraseProblem('kata sandi', 'kata sandí', 8)).toBe('mismatch')
    expect(passphraseProblem('kata sandi', 'kata sandi', 8)).toBeNull()
    // Seven emoji are 14 UTF-16 units but 7 characters.
    expect(passphraseProblem('🔒🔒🔒🔒🔒🔒🔒', '🔒🔒🔒🔒🔒🔒🔒', 8)).toBe('tooShort')
  })

  it('reports activity a quarter of the idle time apart, between 250 ms and 30 s', () => {
    expect(activityReportEveryMs(15 * 60_000)).toBe(30_000)
    expect(activityReportEveryMs(60_000)).toBe(15_000)
    expect(activityReportEveryMs(400)).toBe(250)
  })

  it('reads the wait from a refused unlock, and nothing from anything else', () => {
    expect(retryInMs({ code: 'too_many_attempts', message: 'x', details: [{ path: 'retryInMs', message: '5000' }] })).toBe(5000)
    expect(retryInMs({ code: 'wrong_passphrase', message: 'x', details: [{ path: 'passphrase', message: 'not right' }] })).toBe(0)
    expect(retryInMs({ code: 'internal', message: 'x', details: [{ path: 'retryInMs', message: 'soon' }] })).toBe(0)
  })
})
