import path from 'node:path'
import { app, dialog, session } from 'electron'
import { findResourcesDir } from '../core/paths'
import { openTinjau, type Tinjau } from '../core/tinjau'
import { dataDirFor } from './data-dir'
import { registerIpc, type IpcBinding } from './ipc'
import { safeStorageProtector } from './key-protector'
import { registerMediaProtocol, registerMediaScheme } from './media-protocol'
import { findNativeBinding } from './native-binding'
import { rendererTarget } from './renderer-target'
import { installAppSecurity, installSessionSecurity } from './security'
import { AppWindows, createMainWindow, focusWindow } from './window'

/**
 * The Electron lifecycle. Before `ready`: profile folder, single-instance lock, sandbox
 * for every renderer, the privileged media scheme and the per-contents security hooks.
 * After: session security, the profile (openTinjau, exactly what every host opens), the
 * media protocol, IPC, the window. Quitting closes the store.
 */

export interface RunOptions {
  argv?: readonly string[]
  env?: Record<string, string | undefined>
  cwd?: string
}

export interface RunningApp {
  /** Resolves to the open profile once the window is up, or null if start failed. */
  ready: Promise<Tinjau | null>
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
  let tinjau: Tinjau | undefined
  let ipc: IpcBinding | undefined
  const openWindow = () => createMainWindow({ appRoot, target, devTools: !app.isPackaged, windows })

  app.on('second-instance', () => focusWindow(windows.first()))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (tinjau && windows.all().length === 0) openWindow()
  })
  app.on('will-quit', () => {
    ipc?.dispose()
    ipc = undefined
    tinjau?.close()
    tinjau = undefined
  })

  const ready = app
    .whenReady()
    .then(() => {
      installSessionSecurity(session.defaultSession, target)
      const binding = findNativeBinding(appRoot, process.versions.electron, app.isPackaged)
      if (!binding.ok) return fail('Tinjau cannot open its database', binding.message)
      try {
        tinjau = openTinjau({
          dataDir,
          resourcesDir: findResourcesDir(appRoot),
          host: 'electron',
          version: app.getVersion(),
          nativeBinding: binding.path,
          // After ready, as safeStorage needs: the device key's private half is sealed by the OS.
          keyProtector: safeStorageProtector(),
        })
      } catch (err) {
        return fail('Tinjau cannot open its profile', `${dataDir}\n\n${err instanceof Error ? err.message : String(err)}`)
      }
      registerMediaProtocol(tinjau)
      ipc = registerIpc(tinjau, windows, target)
      openWindow()
      return tinjau
    })
    .catch((err: unknown) => fail('Tinjau could not start', err instanceof Error ? (err.stack ?? err.message) : String(err)))

  return { ready, windows }
}
