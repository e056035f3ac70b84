import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { DEVICE_KEY_FILE, loadOrCreateDeviceKey, verifyEd25519 } from '../core/device-key'
import { tempDir } from '../core/testing/make-pack'
import { safeStorageProtector, SAFE_STORAGE_PROTECTOR } from './key-protector'
import { fake, resetFakeElectron } from './testing/fake-electron'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

beforeEach(() => resetFakeElectron())

describe('the device key under safeStorage', () => {
  test('seals the private key with the OS secret store: the file holds no usable key, and the key signs after reopening', () => {
    const dir = tempDir('tinjau-key-')
    const key = loadOrCreateDeviceKey(dir, safeStorageProtector('darwin')!)
    const file = readFileSync(path.join(dir, DEVICE_KEY_FILE), 'utf8')
    expect(file).toContain(SAFE_STORAGE_PROTECTOR)
    expect(file).not.toMatch(/BEGIN PRIVATE KEY/)
    const again = loadOrCreateDeviceKey(dir, safeStorageProtector('darwin')!)
    expect(again.publicKey).toBe(key.publicKey)
    const message = Buffer.from('decisions.json bytes')
    expect(verifyEd25519(key.publicKey, message, again.sign(message))).toBe(true)
  })

  test('none where the OS has no secret store, or Linux would fall back to a built-in password', () => {
    fake.state.safeStorage.available = false
    expect(safeStorageProtector('win32')).toBeNull()
    fake.state.safeStorage.available = true
    fake.state.safeStorage.backend = 'basic_text'
    expect(safeStorageProtector('linux')).toBeNull()
    expect(safeStorageProtector('darwin')).not.toBeNull()
  })

  test('a key sealed by safeStorage is not opened without it, rather than replaced by a new one', () => {
    const dir = tempDir('tinjau-key-')
    loadOrCreateDeviceKey(dir, safeStorageProtector('darwin')!)
    const before = readFileSync(path.join(dir, DEVICE_KEY_FILE), 'utf8')
    expect(() => loadOrCreateDeviceKey(dir)).toThrow(/electron-safeStorage/)
    expect(readFileSync(path.join(dir, DEVICE_KEY_FILE), 'utf8')).toBe(before)
  })
})
