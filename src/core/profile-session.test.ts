import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import type { ApiError } from '../shared/errors'
import type { ProfileStatus } from '../shared/profile-lock'
import type { KeyProtector } from './device-key'
import { profileKeyPath, readProfileKeyInfo, type ScryptParams } from './profile-crypto/profile-key-file'
import type { ProfileKeys } from './profile-crypto/profile-keys'
import { ProfileSession, retryDelayMs, type ProfileSessionOptions } from './profile-session'
import { tempDir } from './testing/make-pack'
import { openTinjau, type Tinjau } from './tinjau'

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'

function session(over: Partial<ProfileSessionOptions> = {}) {
  const dataDir = over.dataDir ?? tempDir('tinjau-session-')
  const opened: { keys: ProfileKeys; tinjau: Tinjau }[] = []
  const s = new ProfileSession({
    dataDir,
    scrypt: CHEAP,
    log: () => {},
    open: (keys) => {
      // A copy: the session overwrites its own when it locks, and the test checks that.
      const tinjau = openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test', keys })
      opened.push({ keys, tinjau })
      return tinjau
    },
    ...over,
  })
  return { s, dataDir, opened }
}

/** The TinjauError code a promise rejects with (or 'resolved'). */
const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: ApiError) => e.code)

function fakeStore(name = 'electron-safeStorage'): KeyProtector {
  const x = (b: Buffer) => Buffer.from(b.map((v) => v ^ 0x5a))
  return { name, encrypt: x, decrypt: x }
}

describe('a profile session', () => {
  test('new → passphrase chosen → open; lock closes it, refuses calls and overwrites the keys; the right passphrase opens it again, data intact', async () => {
    const { s, dataDir, opened } = session()
    expect((await s.status()).state).toBe('new')
    expect(await code(s.handlers['app.info']({}) as Promise<unknown>)).toBe('locked')
    // Too short: refused, nothing written.
    expect(await code(s.unlock({ passphrase: 'short' }))).toBe('invalid_input')
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)

    const events: ProfileStatus[] = []
    s.onEvent((event, payload) => event === 'profile.status' && events.push(payload as ProfileStatus))
    const status = await s.unlock({ passphrase: PASS })
    expect(status).toMatchObject({ state: 'unlocked', hasPassphrase: true, canLock: true, osStore: false })
    expect(events.map((e) => e.state)).toEqual(['unlocking', 'unlocked'])
    s.current().store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', 'kept')").run()
    expect(await s.handlers['settings.get']({})).toMatchObject({ idleLock: { minutes: 15 } })

    const { keys, tinjau } = opened[0]!
    const locked = await s.lock()
    expect(locked).toMatchObject({ state: 'locked', lockedBy: 'reviewer' })
    expect(tinjau.store.sqlite.open).toBe(false)
    expect(keys.db.equals(Buffer.alloc(32))).toBe(true)
    expect(keys.files.equals(Buffer.alloc(32))).toBe(true)
    expect(() => s.current()).toThrow(/locked/)
    expect(await code(s.handlers['queue.list']({ limit: 10 } as never) as Promise<unknown>)).toBe('locked')
    expect(events.at(-1)).toMatchObject({ state: 'locked', lockedBy: 'reviewer' })

    const before = readFileSync(profileKeyPath(dataDir))
    expect(await code(s.unlock({ passphrase: 'not the passphrase' }))).toBe('wrong_passphrase')
    expect(readFileSync(profileKeyPath(dataDir)).equals(before)).toBe(true)
    expect(await s.status()).toMatchObject({ state: 'locked', failures: 1 })
    await s.unlock({ passphrase: PASS })
    expect(s.current().store.sqlite.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe('kept')
    expect((await s.status()).failures).toBe(0)
    await s.close()
  })

  test('after three wrong passphrases each try waits longer, and a try too soon is refused without trying', async () => {
    expect([1, 2, 3, 4, 5, 20].map(retryDelayMs)).toEqual([0, 0, 5_000, 10_000, 20_000, 300_000])
    let clock = 1_000_000
    const { s, dataDir } = session({ now: () => clock })
    await s.unlock({ passphrase: PASS })
    await s.lock()
    expect(await code(s.unlock({ passphrase: 'wrong one 1' }))).toBe('wrong_passphrase')
    expect(await code(s.unlock({ passphrase: 'wrong one 2' }))).toBe('wrong_passphrase')
    const third = await s.unlock({ passphrase: 'wrong one 3' }).catch((e: ApiError) => e)
    expect(third).toMatchObject({ code: 'wrong_passphrase', message: expect.stringMatching(/wait 5 s/) })
    expect(await s.status()).toMatchObject({ failures: 3, retryInMs: 5_000 })
    // Even the right passphrase must wait.
    const early = await s.unlock({ passphrase: PASS }).catch((e: ApiError) => e)
    expect(early).toMatchObject({ code: 'too_many_attempts', message: expect.stringMatching(/try again in 5 s/) })
    clock += 5_000
    expect((await s.unlock({ passphrase: PASS })).state).toBe('unlocked')
    expect(readProfileKeyInfo(dataDir)?.hasPassphrase).toBe(true)
    await s.close()
  })

  test('locks itself after the idle time, and the setting 0 turns that off', async () => {
    const { s } = session({ idleLockMs: 30 })
    const lockedByIdle = new Promise<ProfileStatus>((resolve) =>
      s.onEvent((event, payload) => {
        if (event === 'profile.status' && (payload as ProfileStatus).state === 'locked') resolve(payload as ProfileStatus)
      }),
    )
    await s.unlock({ passphrase: PASS })
    expect((await s.status()).idleLockMs).toBe(30)
    expect(await lockedByIdle).toMatchObject({ lockedBy: 'idle', idleLockFixed: true })

    const { s: s2 } = session()
    await s2.unlock({ passphrase: PASS })
    expect((await s2.status()).idleLockMs).toBe(15 * 60_000)
    await s2.handlers['settings.setIdleLock']({ minutes: 0 })
    expect((await s2.status()).idleLockMs).toBeNull()
    expect(await code(s2.handlers['settings.setIdleLock']({ minutes: -1 }) as Promise<unknown>)).toBe('invalid_input')
    expect(await s2.handlers['settings.get']({})).toMatchObject({ idleLock: { minutes: 0 } })
    await s2.close()
  })

  test('input reported by the page postpones the idle lock (the host\'s clock decides, not the page\'s)', async () => {
    let clock = 5_000_000
    const { s } = session({ idleLockMs: 40, now: () => clock })
    await s.unlock({ passphrase: PASS })
    // The timer looks again every 40 ms of real time; only the injected clock says how long it has been idle.
    const turns = () => new Promise((r) => setTimeout(r, 120))
    clock += 30
    s.activity()
    clock += 30 // 60 since the unlock, 30 since the input
    await turns()
    expect(s.state).toBe('unlocked')
    clock += 10 // 40 since the input
    await vi.waitFor(() => expect(s.state).toBe('locked'))
    expect((await s.status()).lockedBy).toBe('idle')
  })

  test('with the OS key store: a new profile opens without a prompt; a passphrase can be added for the CLI, and changed only with the current one', async () => {
    const store = fakeStore()
    const { s, dataDir } = session({ protector: store })
    await s.start({ osStore: true }, false)
    expect(await s.status()).toMatchObject({ state: 'unlocked', osStore: true, hasPassphrase: false })
    expect(await code(s.setPassphrase({ passphrase: 'short' }))).toBe('invalid_input')
    expect((await s.setPassphrase({ passphrase: PASS })).hasPassphrase).toBe(true)
    expect(await code(s.setPassphrase({ passphrase: 'another passphrase' }))).toBe('invalid_input')
    expect(await code(s.setPassphrase({ passphrase: 'another passphrase', current: 'not it at all' }))).toBe('wrong_passphrase')
    await s.setPassphrase({ passphrase: 'another passphrase', current: PASS })
    await s.lock()
    expect((await s.unlock({ osStore: true })).state).toBe('unlocked')
    await s.lock()
    expect((await s.unlock({ passphrase: 'another passphrase' })).state).toBe('unlocked')
    expect(readProfileKeyInfo(dataDir)).toMatchObject({ hasPassphrase: true, protectors: ['electron-safeStorage'] })
    await s.close()
  })

  test('a passphrase-only profile opened where the OS store is real gets sealed by it too; without a store, osStore is refused', async () => {
    const { s, dataDir } = session()
    expect(await code(s.unlock({ osStore: true }))).toBe('invalid_input')
    await s.unlock({ passphrase: PASS })
    await s.close()
    const { s: app } = session({ dataDir, protector: fakeStore() })
    expect(await app.status()).toMatchObject({ state: 'locked', osStore: false, hasPassphrase: true })
    await app.start({ osStore: true }, false)
    expect((await app.status()).state).toBe('locked')
    await app.unlock({ passphrase: PASS })
    expect(readProfileKeyInfo(dataDir)?.protectors).toEqual(['electron-safeStorage'])
    await app.lock()
    expect((await app.unlock({ osStore: true })).state).toBe('unlocked')
    await app.close()
  })

  test('a start-up unlock marked fatal makes every call fail with its error', async () => {
    const { s, dataDir } = session()
    await s.unlock({ passphrase: PASS })
    await s.close()
    const { s: again } = session({ dataDir })
    await expect(again.start({ passphrase: 'wrong passphrase' }, true)).rejects.toMatchObject({ code: 'wrong_passphrase' })
    await expect(again.settled()).rejects.toMatchObject({ code: 'wrong_passphrase' })
  })

  test('a profile handed over open cannot be locked or unlocked', async () => {
    const dataDir = tempDir('tinjau-session-')
    const t = openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test' })
    const s = ProfileSession.fixed(t)
    expect(await s.status()).toMatchObject({ state: 'unlocked', canLock: false, idleLockMs: null })
    expect(await code(s.lock())).toBe('conflict')
    expect(await s.handlers['app.info']({})).toMatchObject({ host: 'web' })
    await s.close()
    expect(t.store.sqlite.open).toBe(false)
  })
})
