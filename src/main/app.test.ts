import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { tempDir } from '../core/testing/make-pack'
import { PICK_PACK_CHANNEL } from '../shared/bridge'
import { API_METHODS, IPC_PREFIX } from '../shared/api-methods'
import { runApp, type RunningApp } from './app'
import { parseDataDirFlag } from './data-dir'
import { findNativeBinding, nativeBindingDir } from './native-binding'
import { fake, resetFakeElectron } from './testing/fake-electron'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

/**
 * An app folder as the packaged layout has it: resources/ and .electron-native/. The
 * "Electron build" here is the Node build of better-sqlite3 (the ABI vitest runs on),
 * which is exactly what lets the real openTinjau run behind the fake Electron.
 */
function makeAppRoot(withNative = true): string {
  const root = tempDir('tinjau-approot-')
  symlinkSync(path.resolve('resources'), path.join(root, 'resources'), 'dir')
  if (withNative) {
    const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node')
    mkdirSync(path.join(root, '.electron-native'))
    copyFileSync(nodeBuild, path.join(root, '.electron-native', 'better_sqlite3.node'))
  }
  return root
}

/**
 * An installed app as electron-builder lays it out: `app.asar` (a plain folder stands in for
 * the archive: Electron's fs reads both alike) holding resources/, and beside it
 * `app.asar.unpacked` with the Electron build where better-sqlite3's own build would be.
 */
function makePackagedRoot(withNative = true): string {
  const base = tempDir('tinjau-packaged-')
  const appRoot = path.join(base, 'app.asar')
  mkdirSync(appRoot)
  symlinkSync(path.resolve('resources'), path.join(appRoot, 'resources'), 'dir')
  if (withNative) {
    const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node')
    const dir = path.join(base, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release')
    mkdirSync(dir, { recursive: true })
    copyFileSync(nodeBuild, path.join(dir, 'better_sqlite3.node'))
  }
  return appRoot
}

let running: RunningApp | null = null
beforeEach(() => {
  resetFakeElectron()
  vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  fake.app.emit('will-quit')
  running = null
  vi.restoreAllMocks()
})

describe('lifecycle', () => {
  test('before ready: lock, sandbox, privileged scheme, profile-scoped userData; nothing opened yet', () => {
    fake.app.appPath = makeAppRoot()
    const dataDir = tempDir('tinjau-data-')
    running = runApp({ argv: ['electron', '.', '--data-dir', dataDir], env: {} })
    expect(running).not.toBeNull()
    expect(fake.app.lockRequested).toBe(true)
    expect(fake.app.sandboxEnabled).toBe(true)
    expect(fake.app.paths.userData).toBe(path.join(dataDir, 'electron'))
    expect(fake.state.privilegedSchemes).toHaveLength(1)
    expect(fake.app.count('web-contents-created')).toBe(1)
    expect(fake.state.windows).toHaveLength(0)
    expect(fake.state.ipcHandlers.size).toBe(0)
  })

  test('on ready: the profile opens with the Electron binding, then protocol, IPC and one hardened window', async () => {
    const appRoot = makeAppRoot()
    fake.app.appPath = appRoot
    fake.app.version = '1.2.3'
    const dataDir = tempDir('tinjau-data-')
    running = runApp({ argv: ['electron', '.'], env: { TINJAU_DATA_DIR: dataDir } })!
    await fake.app.becomeReady()
    const session = await running.ready
    expect(session).not.toBeNull()
    // The fake OS store is real (libsecret): the profile is unlocked by it, with no prompt.
    await session!.settled()
    const tinjau = session!.current()
    expect(tinjau.store.paths.root).toBe(dataDir)
    expect(await tinjau!.handlers['app.info']({})).toMatchObject({ host: 'electron', version: '1.2.3' })
    expect(fake.session.permissionRequestHandler).toBeDefined()
    expect(fake.session.headersReceived).toBeDefined()
    expect(fake.state.protocolHandlers.has('tinjau-media')).toBe(true)
    expect([...fake.state.ipcHandlers.keys()].sort()).toEqual([...API_METHODS.map((m) => IPC_PREFIX + m), PICK_PACK_CHANNEL].sort())
    expect(fake.state.windows).toHaveLength(1)
    const win = fake.state.windows[0]!
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: true })
    expect(win.loaded).toEqual({ file: path.join(appRoot, 'out', 'renderer', 'index.html') })
    win.emit('ready-to-show')
    expect(win.visible).toBe(true)

    // A second launch focuses the first window.
    win.minimized = true
    win.focused = false
    fake.app.emit('second-instance', {}, ['electron', '.'], '/')
    expect([win.minimized, win.focused]).toEqual([false, true])

    // Quitting closes the store and unbinds IPC.
    fake.app.emit('will-quit')
    expect(tinjau!.store.sqlite.open).toBe(false)
    expect(fake.state.ipcHandlers.size).toBe(0)
  })

  test('a second instance quits at once without registering anything', () => {
    fake.app.lockGranted = false
    fake.app.appPath = makeAppRoot()
    expect(runApp({ argv: [], env: { TINJAU_DATA_DIR: tempDir() } })).toBeNull()
    expect(fake.app.quitCalled).toBe(true)
    expect(fake.state.privilegedSchemes).toHaveLength(0)
    expect(fake.app.count('web-contents-created')).toBe(0)
  })

  test('without the Electron build of better-sqlite3: a clear dialog, exit 1, no window', async () => {
    fake.app.appPath = makeAppRoot(false)
    running = runApp({ argv: [], env: { TINJAU_DATA_DIR: tempDir() } })!
    await fake.app.becomeReady()
    expect(await running.ready).toBeNull()
    expect(fake.state.errorBoxes).toHaveLength(1)
    expect(fake.state.errorBoxes[0]!.content).toContain('npm run electron:native')
    expect(fake.app.exitCode).toBe(1)
    expect(fake.state.windows).toHaveLength(0)
  })

  test('closing the last window quits (except on macOS)', async () => {
    fake.app.appPath = makeAppRoot()
    running = runApp({ argv: [], env: { TINJAU_DATA_DIR: tempDir() } })!
    await fake.app.becomeReady()
    await running.ready
    fake.state.windows[0]!.close()
    fake.app.emit('window-all-closed')
    expect(fake.app.quitCalled).toBe(process.platform !== 'darwin')
  })
})

describe('native binding', () => {
  test('found when present; refused with the fix when built for another Electron', () => {
    const root = makeAppRoot()
    expect(findNativeBinding(root, '45.5.0')).toEqual({ ok: true, path: path.join(root, '.electron-native', 'better_sqlite3.node') })
    writeFileSync(path.join(root, '.electron-native', 'build-info.json'), JSON.stringify({ electron: '44.0.0' }))
    const stale = findNativeBinding(root, '45.5.0')
    expect(stale.ok).toBe(false)
    expect(!stale.ok && stale.message).toMatch(/built for Electron 44\.0\.0.*npm run electron:native/s)
    expect(findNativeBinding(root, '44.0.0').ok).toBe(true)
  })
})

describe('packaged app', () => {
  test('opens the profile with the build unpacked beside app.asar and resources inside it; no dev tools, no dev server', async () => {
    const appRoot = makePackagedRoot()
    fake.app.appPath = appRoot
    fake.app.isPackaged = true
    const dataDir = tempDir('tinjau-data-')
    running = runApp({ argv: ['tinjau'], env: { TINJAU_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: 'http://localhost:5173' } })!
    await fake.app.becomeReady()
    const tinjau = await running.ready
    expect(fake.state.errorBoxes).toEqual([])
    expect(tinjau).not.toBeNull()
    // The demo pack and the policy came from inside the app folder.
    expect(await tinjau!.handlers['app.info']({})).toMatchObject({ host: 'electron', demoAvailable: true })
    const win = fake.state.windows[0]!
    expect(win.options.webPreferences).toMatchObject({ devTools: false })
    expect(win.loaded).toEqual({ file: path.join(appRoot, 'out', 'renderer', 'index.html') })
  })

  test('the native path logic: packaged → app.asar.unpacked/node_modules/better-sqlite3/build/Release; development → .electron-native', () => {
    expect(nativeBindingDir('/opt/Tinjau/resources/app.asar', true)).toBe(
      path.join('/opt/Tinjau/resources/app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release'),
    )
    // asar: false (a plain app folder) keeps the build inside it.
    expect(nativeBindingDir('/opt/Tinjau/resources/app', true)).toBe(path.join('/opt/Tinjau/resources/app', 'node_modules', 'better-sqlite3', 'build', 'Release'))
    expect(nativeBindingDir('/src/tinjau', false)).toBe(path.join('/src/tinjau', '.electron-native'))
    const appRoot = makePackagedRoot()
    const found = findNativeBinding(appRoot, '45.5.0', true)
    expect(found).toEqual({ ok: true, path: path.join(`${appRoot}.unpacked`, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node') })
    // Unpackaged, the same folder has no .electron-native: the development message.
    const dev = findNativeBinding(appRoot, '45.5.0', false)
    expect(!dev.ok && dev.message).toContain('npm run electron:native')
  })

  test('a damaged installation: a dialog that says reinstall (never npm), exit 1, no window', async () => {
    fake.app.appPath = makePackagedRoot(false)
    fake.app.isPackaged = true
    running = runApp({ argv: [], env: { TINJAU_DATA_DIR: tempDir() } })!
    await fake.app.becomeReady()
    expect(await running.ready).toBeNull()
    expect(fake.state.errorBoxes).toHaveLength(1)
    expect(fake.state.errorBoxes[0]!.content).toMatch(/app\.asar\.unpacked.*install it again/s)
    expect(fake.state.errorBoxes[0]!.content).not.toContain('npm')
    expect(fake.app.exitCode).toBe(1)
    expect(fake.state.windows).toHaveLength(0)
  })

  test('a packaged build for another Electron is refused with the reinstall advice', () => {
    const appRoot = makePackagedRoot()
    writeFileSync(path.join(nativeBindingDir(appRoot, true), 'build-info.json'), JSON.stringify({ electron: '44.0.0' }))
    const stale = findNativeBinding(appRoot, '45.5.0', true)
    expect(!stale.ok && stale.message).toMatch(/built for Electron 44\.0\.0.*install it again/s)
  })
})

describe('--data-dir', () => {
  test.each([
    [['electron', '.', '--data-dir', '/a'], '/a'],
    [['electron', '.', '--data-dir=/b'], '/b'],
    [['tinjau', '--data-dir=/b', '--data-dir', '/c'], '/c'],
    [['electron', '.', '--data-dir'], undefined],
    [['electron', '.', '--data-dir', '--inspect'], undefined],
    [['electron', '.'], undefined],
  ])('%j → %s', (argv, expected) => {
    expect(parseDataDirFlag(argv)).toBe(expected)
  })
})
