import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { KeyProtector } from '../device-key'
import { tempDir } from '../testing/make-pack'
import {
  createProfileKey,
  DEFAULT_SCRYPT,
  profileKeyPath,
  readProfileKeyInfo,
  setPassphrase,
  setProtector,
  unlockProfileKey,
  wipeProfileKey,
  type ScryptParams,
} from './profile-key-file'

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'

/** A stand-in OS store: XOR with a fixed pad is enough to prove which wrap was used. */
function fakeStore(name: string, pad = 0x5a): KeyProtector {
  const x = (b: Buffer) => Buffer.from(b.map((v) => v ^ pad))
  return { name, encrypt: x, decrypt: x }
}

const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code)

describe('the profile key file', () => {
  test('a passphrase unlocks the same master key; the file holds neither the key nor the passphrase', async () => {
    const dir = tempDir()
    const made = await createProfileKey(dir, { passphrase: PASS, scrypt: CHEAP })
    const text = readFileSync(profileKeyPath(dir), 'utf8')
    for (const secret of [made.master.toString('base64'), made.master.toString('hex'), PASS]) expect(text).not.toContain(secret)
    const again = await unlockProfileKey(dir, { passphrase: PASS })
    expect(again.master.equals(made.master)).toBe(true)
    expect(again.keys.db.equals(made.keys.db)).toBe(true)
    expect(readProfileKeyInfo(dir)).toMatchObject({ hasPassphrase: true, protectors: [] })
  })

  test('the default cost is scrypt N=2^17, r=8, p=1, and it is what a file records', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ N: 131072, r: 8, p: 1 })
    const dir = tempDir()
    await createProfileKey(dir, { passphrase: PASS })
    expect(JSON.parse(readFileSync(profileKeyPath(dir), 'utf8')).wraps[0].kdf).toMatchObject({ name: 'scrypt', N: 131072, r: 8, p: 1 })
    expect((await unlockProfileKey(dir, { passphrase: PASS })).master).toHaveLength(32)
  })

  test('a wrong passphrase, a wrong store, a missing wrap: clear errors, the file unchanged', async () => {
    const dir = tempDir()
    await createProfileKey(dir, { protector: fakeStore('os-a') })
    const before = readFileSync(profileKeyPath(dir))
    expect(await code(unlockProfileKey(dir, { passphrase: PASS }))).toBe('no_wrap')
    expect(await code(unlockProfileKey(dir, { protector: fakeStore('os-b') }))).toBe('no_wrap')
    // The right name but another secret: the key comes back wrong-length or fails to unseal.
    const failing: KeyProtector = { name: 'os-a', encrypt: (b) => b, decrypt: () => { throw new Error('keyring locked') } }
    await expect(unlockProfileKey(dir, { protector: failing })).rejects.toThrow(/"os-a" could not unseal the key \(keyring locked\)/)
    expect(readFileSync(profileKeyPath(dir)).equals(before)).toBe(true)

    const dir2 = tempDir()
    await createProfileKey(dir2, { passphrase: PASS, scrypt: CHEAP })
    await expect(unlockProfileKey(dir2, { passphrase: 'correct horse battery!' })).rejects.toThrow(/the passphrase is not right/)
  })

  test('an OS store and a passphrase can both hold the key; changing the passphrase keeps the key', async () => {
    const dir = tempDir()
    const store = fakeStore('electron-safeStorage')
    const made = await createProfileKey(dir, { protector: store })
    await setPassphrase(dir, made.master, PASS, CHEAP)
    setProtector(dir, made.master, store)
    expect(readProfileKeyInfo(dir)).toMatchObject({ hasPassphrase: true, protectors: ['electron-safeStorage'] })
    await setPassphrase(dir, made.master, 'another passphrase', CHEAP)
    expect(await code(unlockProfileKey(dir, { passphrase: PASS }))).toBe('wrong_passphrase')
    expect((await unlockProfileKey(dir, { passphrase: 'another passphrase' })).master.equals(made.master)).toBe(true)
    expect((await unlockProfileKey(dir, { protector: store })).master.equals(made.master)).toBe(true)
  })

  test('refuses a weak passphrase, and never replaces an existing key', async () => {
    const dir = tempDir()
    await expect(createProfileKey(dir, { passphrase: 'short', scrypt: CHEAP })).rejects.toThrow(/at least 8 characters/)
    expect(readProfileKeyInfo(dir)).toBeNull()
    await createProfileKey(dir, { passphrase: PASS, scrypt: CHEAP })
    const before = readFileSync(profileKeyPath(dir))
    expect(await code(createProfileKey(dir, { passphrase: PASS, scrypt: CHEAP }))).toBe('exists')
    expect(readFileSync(profileKeyPath(dir)).equals(before)).toBe(true)
  })

  test('a damaged file is an error naming the file and the field, never a new key', async () => {
    const dir = tempDir()
    await createProfileKey(dir, { passphrase: PASS, scrypt: CHEAP })
    const file = profileKeyPath(dir)
    const good = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, '{ not json')
    await expect(unlockProfileKey(dir, { passphrase: PASS })).rejects.toThrow(/profile-key\.json: is not valid JSON/)
    writeFileSync(file, JSON.stringify({ ...good, wraps: [{ ...good.wraps[0], kdf: { ...good.wraps[0].kdf, N: 1000 } }] }))
    await expect(unlockProfileKey(dir, { passphrase: PASS })).rejects.toThrow(/wraps\.0\.kdf\.N must be a power of two/)
    // A flipped byte of the sealed key fails the GCM tag: reported as the passphrase being wrong, never as a key.
    const sealed = Buffer.from(good.wraps[0].sealed, 'base64')
    sealed[3]! ^= 1
    writeFileSync(file, JSON.stringify({ ...good, wraps: [{ ...good.wraps[0], sealed: sealed.toString('base64') }] }))
    expect(await code(unlockProfileKey(dir, { passphrase: PASS }))).toBe('wrong_passphrase')
  })

  test('wiping removes the key file, after which the profile cannot be unlocked', async () => {
    const dir = tempDir()
    await createProfileKey(dir, { passphrase: PASS, scrypt: CHEAP })
    expect(wipeProfileKey(dir)).toBe(true)
    expect(await code(unlockProfileKey(dir, { passphrase: PASS }))).toBe('missing')
    expect(wipeProfileKey(dir)).toBe(false)
  })
})
