import path from 'node:path'
import { app, dialog, powerMonitor, session } from 'electron'
import { findResourcesDir } from '../core/paths'
import { ProfileSession } from '../core/profile-session'
import { openTinjau } from '../core/tinjau'
import { dataDirFor } from './data-dir'
import { registerIpc, type IpcBinding } from './ipc'
import { safeStorageProtector } from './key-protector'
import { liveProfile } from './live-profile'
import { registerMediaProtocol, registerMediaScheme } from './media-protocol'
import { findNativeBinding } from './native-binding'
import { rendererTarget } from './renderer-target'
import { installAppSecurity, installSessionSecurity } from './security'
import { AppWindows, createMainWindow, focusWindow } from './window'

/**
 * The Electron lifecycle. Before `ready`: profile folder, single-instance lock, sandbox
 * for every renderer, the privileged media scheme and the per-contents security hooks.
 * After: session security, the profile's session (core/profile-session.ts), the media
 * protocol, IPC, the window; then the unlock. Where the OS key store is real (safeStorage,
 * not Linux's basic_text) the profile is unlocked by it at once, with no prompt (a new one
 * gets a key sealed by it); otherwise the window shows the lock screen and the reviewer
 * types (or, new, chooses) a passphrase. The session locks after the idle time, and when
 * the OS locks the screen or sleeps. Quitting closes the store.
 */

export interface RunOptions {
  argv?: readonly string[]
  env?: Record<string, string | undefined>
  cwd?: string
}

export interface RunningApp {
  /** Resolves to the profile's session once the window is up (the unlock may still be under way), or null if start failed. */
  ready: Promise<ProfileSession | null>
  windows: AppWindows
}

function fail(title: string, message: string): null {
  console.error(`tinjau: ${title}: ${message}`)
  dialog.showErrorBox(title, message)
  app.exit(1)
  return null
}

export function runApp(opts: RunOptions = {}): RunningApp | null {
  const argv = opts.argv ?? process.argv
  const env = opts.env ?? process.env
  const appRoot = app.getAppPath()
  const dataDir = dataDirFor(argv, env, opts.cwd ?? process.cwd())

  // Chromium's own state (and with it the single-instance lock) lives inside the Tinjau
  // profile: one running app per profile, and two profiles may run side by side.
  app.setPath('userData', path.join(dataDir, 'electron'))
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }

  app.enableSandbox()
  const target = rendererTarget({ appRoot, devUrl: env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged })
  registerMediaScheme()
  installAppSecurity(target)

  const windows = new AppWindows()
  let profile: ProfileSession | undefined
  let ipc: IpcBinding | undefined
  const openWindow = () => createMainWindow({ appRoot, target, devTools: !app.isPackaged, windows })

  app.on('second-instance', () => focusWindow(windows.first()))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (profile && windows.all().length === 0) openWindow()
  })
  app.on('will-quit', () => {
    ipc?.dispose()
    ipc = undefined
    profile?.closeNow()
    profile = undefined
  })

  const ready = app
    .whenReady()
    .then(() => {
      installSessionSecurity(session.defaultSession, target)
      const binding = findNativeBinding(appRoot, process.versions.electron, app.isPackaged)
      if (!binding.ok) return fail('Tinjau cannot open its database', binding.message)
      // After ready, as safeStorage needs. It seals the profile key and the device key's private half.
      const protector = safeStorageProtector()
      const resourcesDir = findResourcesDir(appRoot)
      const opened = new ProfileSession({
        dataDir,
        protector,
        open: (keys) => openTinjau({ dataDir, resourcesDir, host: 'electron', version: app.getVersion(), nativeBinding: binding.path, keyProtector: protector, keys }),
      })
      profile = opened
      registerMediaProtocol(liveProfile(opened))
      ipc = registerIpc(opened, windows, target)
      openWindow()
      // The window shows the lock screen's "unlocking" meanwhile; a failure leaves it locked, saying why.
      if (protector) void opened.start({ osStore: true }, false)
      // Away from the machine: lock with the OS.
      const lockNow = () => void opened.lock('os').catch((err: unknown) => console.error('tinjau: could not lock the profile:', err))
      powerMonitor.on('lock-screen', lockNow)
      powerMonitor.on('suspend', lockNow)
      return opened
    })
    .catch((err: unknown) => fail('Tinjau could not start', err instanceof Error ? (err.stack ?? err.message) : String(err)))

  return { ready, windows }
}
