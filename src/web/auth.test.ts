import { describe, expect, it } from 'vitest'
import { bearerToken, newSecret, secretMatches } from './auth'
import { resolvePort } from './launch'

describe('the secret', () => {
  it('is 32 random bytes, base64url', () => {
    const a = newSecret()
    expect(Buffer.from(a, 'base64url')).toHaveLength(32)
    expect(a).not.toBe(newSecret())
  })

  it('matches only itself, whatever the length of the guess', () => {
    const s = newSecret()
    expect(secretMatches(s, s)).toBe(true)
    for (const guess of [null, undefined, '', s.slice(1), `${s}x`, s.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(secretMatches(s, guess)).toBe(false)
    }
  })

  it('is read from a Bearer header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('Bearer  abc ')).toBe('abc')
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'abc']) expect(bearerToken(h)).toBeNull()
  })
})

describe('resolvePort', () => {
  it('takes --port, then TINJAU_PORT, then 0', () => {
    expect(resolvePort('8080', { TINJAU_PORT: '9090' })).toBe(8080)
    expect(resolvePort(undefined, { TINJAU_PORT: '9090' })).toBe(9090)
    expect(resolvePort(undefined, {})).toBe(0)
    expect(resolvePort('0', {})).toBe(0)
  })

  it('refuses what is not a port', () => {
    expect(() => resolvePort('http', {})).toThrow(/--port: "http" is not a port number/)
    expect(() => resolvePort('70000', {})).toThrow(/not a port/)
    expect(() => resolvePort('-1', {})).toThrow(/not a port/)
    expect(() => resolvePort(undefined, { TINJAU_PORT: '1e3' })).toThrow(/TINJAU_PORT/)
  })
})
