import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { DEVICE_KEY_FILE, loadOrCreateDeviceKey, verifyEd25519, type KeyProtector } from '../device-key'
import { SYNC_TOKEN_FILE, TokenStore } from '../sync/token-store'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { tempDir } from '../testing/make-pack'
import { deriveProfileKeys, newMasterKey } from './profile-keys'
import { PROFILE_SECRETS_PROTECTOR, profileSecretsProtector } from './secrets-protector'

/** What Electron's safeStorage does, minus the OS keychain: a real cipher with its own key. */
function osStore(key = randomBytes(32)): KeyProtector {
  return {
    name: 'electron-safeStorage',
    encrypt(plain) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()])
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      d.setAuthTag(sealed.subarray(sealed.length - 16))
      return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()])
    },
  }
}

const TOKEN = 'tok_3f9a-secret-sync-token-value'
const fileJson = (dir: string, name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { protector: string | null }

describe("the profile's own seal for the device key and the sync token", () => {
  test('round-trips, and refuses another profile\'s key or a changed byte', () => {
    const keys = deriveProfileKeys(newMasterKey())
    const p = profileSecretsProtector(keys)
    const sealed = p.encrypt(Buffer.from(TOKEN))
    expect(sealed.includes(Buffer.from(TOKEN))).toBe(false)
    expect(p.decrypt(sealed).toString()).toBe(TOKEN)
    expect(() => profileSecretsProtector(deriveProfileKeys(newMasterKey())).decrypt(sealed)).toThrow()
    sealed[14]! ^= 1
    expect(() => p.decrypt(sealed)).toThrow()
  })

  test('an encrypted profile seals a device key and token kept plainly before, at open, keeping the same key and token', () => {
    const dataDir = tempDir()
    const before = loadOrCreateDeviceKey(dataDir)
    new TokenStore(dataDir).write(TOKEN)
    expect(fileJson(dataDir, DEVICE_KEY_FILE).protector).toBeNull()

    const keys = deriveProfileKeys(newMasterKey())
    const t = openTestTinjau(dataDir, { keys })
    expect(fileJson(dataDir, DEVICE_KEY_FILE).protector).toBe(PROFILE_SECRETS_PROTECTOR)
    expect(fileJson(dataDir, SYNC_TOKEN_FILE).protector).toBe(PROFILE_SECRETS_PROTECTOR)
    for (const name of [DEVICE_KEY_FILE, SYNC_TOKEN_FILE]) expect(readFileSync(path.join(dataDir, name), 'utf8')).not.toContain(Buffer.from(TOKEN).toString('base64'))
    const key = t.deviceKey()
    expect(key.publicKey).toBe(before.publicKey)
    expect(verifyEd25519(key.publicKey, Buffer.from('pack'), key.sign(Buffer.from('pack')))).toBe(true)
    t.close()
    expect(new TokenStore(dataDir, profileSecretsProtector(keys)).read()).toBe(TOKEN)
    // Without the profile's key neither can be read.
    expect(() => new TokenStore(dataDir).read()).toThrow(/sealed by "tinjau-profile-key", which is not available here/)
    expect(() => loadOrCreateDeviceKey(dataDir)).toThrow(/sealed by "tinjau-profile-key"/)
  })

  test("one sealed by the OS store (Electron before encryption) is opened by it once and sealed with the profile's key", () => {
    const dataDir = tempDir()
    const store = osStore()
    const before = loadOrCreateDeviceKey(dataDir, store)
    new TokenStore(dataDir, store).write(TOKEN)
    expect(fileJson(dataDir, DEVICE_KEY_FILE).protector).toBe('electron-safeStorage')

    const keys = deriveProfileKeys(newMasterKey())
    const key = loadOrCreateDeviceKey(dataDir, profileSecretsProtector(keys), undefined, [store])
    expect(key.publicKey).toBe(before.publicKey)
    expect(key.protector).toBe(PROFILE_SECRETS_PROTECTOR)
    expect(new TokenStore(dataDir, profileSecretsProtector(keys), [store]).read()).toBe(TOKEN)
    expect(fileJson(dataDir, SYNC_TOKEN_FILE).protector).toBe(PROFILE_SECRETS_PROTECTOR)
    // From now on the OS store alone opens neither.
    expect(() => loadOrCreateDeviceKey(dataDir, store)).toThrow(/sealed by "tinjau-profile-key", not by "electron-safeStorage"/)
    expect(loadOrCreateDeviceKey(dataDir, profileSecretsProtector(keys)).publicKey).toBe(before.publicKey)
  })
})
