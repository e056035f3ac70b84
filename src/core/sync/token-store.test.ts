import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { KeyProtector } from '../device-key'
import { tempDir } from '../testing/make-pack'
import { TokenStore, TokenStoreError } from './token-store'

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZZZ'

/** A stand-in for safeStorage: reversible, and visibly not the plain bytes. */
const xorProtector = (name = 'test-os-keychain'): KeyProtector => ({
  name,
  encrypt: (plain) => Buffer.concat([Buffer.from('SEALED:'), Buffer.from(plain.map((b) => b ^ 0x5a))]),
  decrypt: (sealed) => {
    if (!sealed.subarray(0, 7).equals(Buffer.from('SEALED:'))) throw new Error('not sealed by me')
    return Buffer.from(sealed.subarray(7).map((b) => b ^ 0x5a))
  },
})

describe('sync token file', () => {
  test('none stored reads as null; a written token reads back, from a fresh store too', () => {
    const dir = tempDir('tinjau-token-')
    const store = new TokenStore(dir)
    expect(store.read()).toBeNull()
    store.write(TOKEN)
    expect(store.read()).toBe(TOKEN)
    expect(new TokenStore(dir).read()).toBe(TOKEN)
    store.clear()
    expect(new TokenStore(dir).read()).toBeNull()
  })

  test.skipIf(process.platform === 'win32')('the file is mode 0600, even under a permissive umask', () => {
    const old = process.umask(0o000)
    try {
      const store = new TokenStore(tempDir('tinjau-token-'))
      store.write(TOKEN)
      expect(statSync(store.file).mode & 0o777).toBe(0o600)
    } finally {
      process.umask(old)
    }
  })

  test('with a protector the file holds only sealed bytes, and only that protector opens it', () => {
    const dir = tempDir('tinjau-token-')
    new TokenStore(dir, xorProtector()).write(TOKEN)
    const text = readFileSync(`${dir}/sync-token.json`, 'utf8')
    expect(text).not.toContain(TOKEN)
    expect(Buffer.from(JSON.parse(text).token, 'base64').toString('latin1')).not.toContain(TOKEN)
    expect(JSON.parse(text).protector).toBe('test-os-keychain')
    expect(new TokenStore(dir, xorProtector()).read()).toBe(TOKEN)

    for (const other of [new TokenStore(dir), new TokenStore(dir, xorProtector('another'))]) {
      const err = (() => {
        try {
          other.read()
          return null
        } catch (e) {
          return e as Error
        }
      })()
      expect(err).toBeInstanceOf(TokenStoreError)
      expect(err!.message).toContain('sync-token.json')
      expect(err!.message).toContain('enroll this device again')
      expect(err!.message).not.toContain(TOKEN)
    }
  })

  test('a damaged file is an error that names the file, never a silent "not enrolled"', () => {
    const dir = tempDir('tinjau-token-')
    writeFileSync(`${dir}/sync-token.json`, '{"format":"tinjau.sync-token","version":1,"protector":null,"token":"%%%"}')
    expect(() => new TokenStore(dir).read()).toThrow(/sync-token\.json: token is not base64/)
    writeFileSync(`${dir}/sync-token.json`, 'not json')
    expect(() => new TokenStore(dir).read()).toThrow(/not valid JSON/)
  })
})
