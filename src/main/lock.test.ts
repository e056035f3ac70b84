import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { profileKeyPath, readProfileKeyInfo } from '../core/profile-crypto/profile-key-file'
import { tempDir } from '../core/testing/make-pack'
import { IPC_EVENT_CHANNEL, IPC_PREFIX } from '../shared/api-methods'
import type { Result } from '../shared/errors'
import type { ProfileStatus } from '../shared/profile-lock'
import { runApp } from './app'
import { fake, resetFakeElectron, type FakeBrowserWindow } from './testing/fake-electron'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

/**
 * Unlocking in Electron, behind the recording fake of `electron` (the binary cannot run on
 * the build machines): with a real OS key store the profile opens with no prompt; with
 * Linux's basic_text it waits for the lock screen's passphrase; locking refuses calls and
 * media until the OS store (or the passphrase) opens it again.
 */

function makeAppRoot(): string {
  const root = tempDir('tinjau-approot-')
  symlinkSync(path.resolve('resources'), path.join(root, 'resources'), 'dir')
  const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node')
  mkdirSync(path.join(root, '.electron-native'))
  copyFileSync(nodeBuild, path.join(root, '.electron-native', 'better_sqlite3.node'))
  return root
}

async function start(dataDir: string) {
  fake.app.appPath = makeAppRoot()
  const running = runApp({ argv: ['electron', '.'], env: { TINJAU_DATA_DIR: dataDir } })!
  await fake.app.becomeReady()
  const session = (await running.ready)!
  const win = fake.state.windows[0]!
  // Our page, as the window shows it: trusted by the IPC sender check.
  const invoke = async (method: string, input: unknown = {}): Promise<Result<any>> =>
    fake.state.ipcHandlers.get(IPC_PREFIX + method)!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, input)
  return { session, win, invoke }
}

const statusEvents = (win: FakeBrowserWindow) =>
  win.webContents.sent.filter(([channel, event]) => channel === IPC_EVENT_CHANNEL && event === 'profile.status').map(([, , payload]) => payload as ProfileStatus)

const media = () => fake.state.protocolHandlers.get('tinjau-media')!(new Request(`tinjau-media://media/${'a'.repeat(64)}`))

beforeEach(() => {
  resetFakeElectron()
  vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  fake.app.emit('will-quit')
  vi.restoreAllMocks()
})

describe('unlocking in Electron', () => {
  test('with a real OS key store: no prompt; locked by the OS screen lock, refused meanwhile, opened again by the OS store', async () => {
    const dataDir = tempDir('tinjau-data-')
    const { session, win, invoke } = await start(dataDir)
    await session.settled()
    expect(readProfileKeyInfo(dataDir)).toMatchObject({ hasPassphrase: false, protectors: ['electron-safeStorage'] })
    expect(await invoke('app.info')).toMatchObject({ ok: true, value: { host: 'electron' } })
    expect(await invoke('profile.status')).toMatchObject({ ok: true, value: { state: 'unlocked', osStore: true, hasPassphrase: false } })
    expect((await media()).status).toBe(404) // open: the object is just not there

    fake.powerMonitor.emit('lock-screen')
    await vi.waitFor(() => expect(session.state).toBe('locked'))
    expect(await invoke('app.info')).toMatchObject({ ok: false, error: { code: 'locked' } })
    expect((await media()).status).not.toBe(404) // refused before any file is looked for
    expect(statusEvents(win).at(-1)).toMatchObject({ state: 'locked', lockedBy: 'os', osStore: true })

    expect(await invoke('profile.unlock', { osStore: true })).toMatchObject({ ok: true, value: { state: 'unlocked' } })
    // A passphrase for the CLI, set from the settings.
    expect(await invoke('profile.setPassphrase', { passphrase: 'correct horse battery' })).toMatchObject({ ok: true, value: { hasPassphrase: true } })
    expect(await invoke('profile.lock')).toMatchObject({ ok: true, value: { state: 'locked', lockedBy: 'reviewer' } })
    expect(await invoke('profile.unlock', { passphrase: 'correct horse battery' })).toMatchObject({ ok: true, value: { state: 'unlocked' } })
  })

  test('with only basic_text: the profile waits for a passphrase chosen on the lock screen', async () => {
    fake.state.safeStorage.backend = 'basic_text'
    const dataDir = tempDir('tinjau-data-')
    const { session, invoke } = await start(dataDir)
    await session.settled()
    expect(await invoke('profile.status')).toMatchObject({ ok: true, value: { state: 'new', osStore: false } })
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)
    expect(await invoke('queue.list', { limit: 10 })).toMatchObject({ ok: false, error: { code: 'locked' } })
    expect(await invoke('profile.unlock', { osStore: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await invoke('profile.unlock', { passphrase: 'correct horse battery' })).toMatchObject({ ok: true, value: { state: 'unlocked', hasPassphrase: true } })
    expect(readProfileKeyInfo(dataDir)).toMatchObject({ hasPassphrase: true, protectors: [] })
    expect(await invoke('app.info')).toMatchObject({ ok: true })
  }, 30_000)
})
