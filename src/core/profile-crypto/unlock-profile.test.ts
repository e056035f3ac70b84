import { existsSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { tempDir } from '../testing/make-pack'
import { ensureTestProfileKey, TEST_PASSPHRASE, testProfileKeys } from '../testing/test-profile-key'
import { profileKeyPath, unlockProfileKey, unlockProfileKeySync } from './profile-key-file'
import { SQLITE_CLEAR_HEADER } from './profile-keys'
import { profileAccess, unlockProfile } from './unlock-profile'
import { wipeProfile } from './wipe-profile'

const made: string[] = []
const dataDir = () => {
  const dir = tempDir('tinjau-unlock-')
  made.push(dir)
  return path.join(dir, 'profile')
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('profileAccess', () => {
  test('new, clear, locked, and wiped: an encrypted database without its key file', async () => {
    const fresh = dataDir()
    expect(profileAccess(fresh)).toEqual({ state: 'new' })

    const clear = dataDir()
    openTestTinjau(clear).close()
    expect(readFileSync(path.join(clear, 'tinjau.sqlite')).subarray(0, 16).equals(SQLITE_CLEAR_HEADER)).toBe(true)
    expect(profileAccess(clear)).toEqual({ state: 'clear' })

    const encrypted = dataDir()
    await ensureTestProfileKey(encrypted)
    const t = openTestTinjau(encrypted)
    t.deviceKey()
    t.close()
    expect(profileAccess(encrypted)).toMatchObject({ state: 'locked', info: { hasPassphrase: true, protectors: [] } })

    expect(wipeProfile(encrypted)).toEqual({ key: true, credentials: ['device-key.json'] })
    expect(profileAccess(encrypted)).toEqual({ state: 'wiped' })
    expect(wipeProfile(encrypted)).toEqual({ key: false, credentials: [] })
  })

  test('unlockProfile never makes a new key for a wiped profile', async () => {
    const dir = dataDir()
    await ensureTestProfileKey(dir)
    openTestTinjau(dir).close()
    wipeProfile(dir)
    await expect(unlockProfile(dir, { passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'missing' })
    expect(existsSync(profileKeyPath(dir))).toBe(false)
    // The test helpers leave it alone too.
    expect(await ensureTestProfileKey(dir)).toBeNull()
    expect(existsSync(profileKeyPath(dir))).toBe(false)
  })
})

describe('unlockProfileKeySync (test helpers)', () => {
  test('gives the same keys as the async unlock, and refuses a wrong passphrase', async () => {
    const dir = dataDir()
    await ensureTestProfileKey(dir)
    const sync = unlockProfileKeySync(dir, TEST_PASSPHRASE)
    const async = await unlockProfileKey(dir, { passphrase: TEST_PASSPHRASE })
    expect(sync.master.equals(async.master)).toBe(true)
    expect(testProfileKeys(dir)!.db.equals(async.keys.db)).toBe(true)
    expect(() => unlockProfileKeySync(dir, 'not the passphrase')).toThrow(expect.objectContaining({ code: 'wrong_passphrase' }))
    expect(testProfileKeys(dataDir())).toBeNull()
  })
})
