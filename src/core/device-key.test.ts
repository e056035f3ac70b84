import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DEVICE_KEY_FILE, DeviceKeyError, loadOrCreateDeviceKey, verifyEd25519, type KeyProtector } from './device-key'
import { tempDir } from './testing/make-pack'

const dirs: string[] = []
const dataDir = () => {
  const d = tempDir('tinjau-key-')
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A real cipher with a fixed key: what safeStorage does, minus the OS keychain. */
function aesProtector(name = 'test-aes', key = Buffer.alloc(32, 7)): KeyProtector {
  return {
    name,
    encrypt(plain) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      d.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()])
    },
  }
}

const keyFile = (dir: string) => path.join(dir, DEVICE_KEY_FILE)
const readJson = (dir: string) => JSON.parse(readFileSync(keyFile(dir), 'utf8')) as Record<string, unknown>
const message = Buffer.from('decisions.json bytes')

describe('device key', () => {
  test('is made once, kept with mode 0600, and the same key on every later start', () => {
    const dir = dataDir()
    const first = loadOrCreateDeviceKey(dir)
    expect(first.publicKey).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/)
    expect(first.protector).toBeNull()
    if (process.platform !== 'win32') expect(statSync(keyFile(dir)).mode & 0o777).toBe(0o600)
    const again = loadOrCreateDeviceKey(dir)
    expect(again.publicKey).toBe(first.publicKey)
    const sig = again.sign(message)
    expect(sig).toHaveLength(64)
    expect(verifyEd25519(first.publicKey, message, sig)).toBe(true)
    expect(verifyEd25519(first.publicKey, Buffer.from('other bytes'), sig)).toBe(false)
    expect(readdirSync(dir)).toEqual([DEVICE_KEY_FILE])
  })

  test('a protector seals the private key; the file names it; the key round-trips', () => {
    const dir = dataDir()
    const made = loadOrCreateDeviceKey(dir, aesProtector())
    const file = readJson(dir)
    expect(file.protector).toBe('test-aes')
    // The sealed bytes are not a PKCS#8 key: the DER header of an Ed25519 key is absent.
    expect(Buffer.from(file.private_key as string, 'base64').includes(Buffer.from('302e020100300506032b6570', 'hex'))).toBe(false)
    const reopened = loadOrCreateDeviceKey(dir, aesProtector())
    expect(reopened.publicKey).toBe(made.publicKey)
    expect(verifyEd25519(made.publicKey, message, reopened.sign(message))).toBe(true)
  })

  test('a plainly stored key is sealed once a protector is given, and stays the same key', () => {
    const dir = dataDir()
    const plain = loadOrCreateDeviceKey(dir)
    const sealed = loadOrCreateDeviceKey(dir, aesProtector())
    expect(sealed.publicKey).toBe(plain.publicKey)
    expect(readJson(dir).protector).toBe('test-aes')
    expect(verifyEd25519(plain.publicKey, message, loadOrCreateDeviceKey(dir, aesProtector()).sign(message))).toBe(true)
  })

  test('a key sealed by a protector that is not available is an error, never a new key', () => {
    const dir = dataDir()
    loadOrCreateDeviceKey(dir, aesProtector())
    const before = readFileSync(keyFile(dir), 'utf8')
    expect(() => loadOrCreateDeviceKey(dir)).toThrow(/sealed by "test-aes", which is not available here; refusing to make a new key/)
    expect(() => loadOrCreateDeviceKey(dir, aesProtector('other'))).toThrow(/sealed by "test-aes", not by "other"/)
    expect(() => loadOrCreateDeviceKey(dir, aesProtector('test-aes', Buffer.alloc(32, 9)))).toThrow(/could not unseal the private key/)
    expect(readFileSync(keyFile(dir), 'utf8')).toBe(before)
  })

  test.each([
    ['not JSON', (_f: Record<string, unknown>) => '{ broken', /is not valid JSON/],
    ['a wrong format', (f: Record<string, unknown>) => ({ ...f, format: 'x' }), /format is not "tinjau.device-key"/],
    ['a newer version', (f: Record<string, unknown>) => ({ ...f, version: 2 }), /version 2 is not supported/],
    ['a malformed public key', (f: Record<string, unknown>) => ({ ...f, public_key: 'ed25519:abc' }), /public_key is not/],
    ['another public key', (f: Record<string, unknown>) => ({ ...f, public_key: `ed25519:${Buffer.alloc(32, 1).toString('base64')}` }), /does not belong to the private key/],
    ['a damaged private key', (f: Record<string, unknown>) => ({ ...f, private_key: Buffer.from('garbage').toString('base64') }), /not a PKCS#8 key/],
  ])('a key file with %s is a clear error and is left alone', (_name, edit, expected) => {
    const dir = dataDir()
    loadOrCreateDeviceKey(dir)
    const edited = edit(readJson(dir))
    writeFileSync(keyFile(dir), typeof edited === 'string' ? edited : JSON.stringify(edited))
    const before = readFileSync(keyFile(dir), 'utf8')
    let caught: unknown
    try {
      loadOrCreateDeviceKey(dir)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(DeviceKeyError)
    expect((caught as Error).message).toMatch(expected)
    expect((caught as Error).message).toContain(keyFile(dir))
    expect(readFileSync(keyFile(dir), 'utf8')).toBe(before)
  })

  test('an unreadable key file (a folder in its place) is an error, not a new key', () => {
    const dir = dataDir()
    mkdirSync(keyFile(dir))
    expect(() => loadOrCreateDeviceKey(dir)).toThrow(/cannot be read/)
  })
})
