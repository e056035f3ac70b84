import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron'
import { API_METHODS, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../shared/api-methods'
import { PICK_PACK_CHANNEL } from '../shared/bridge'
import { dispatch } from '../shared/dispatch'
import type { Result } from '../shared/errors'
import { ProfileSession } from '../core/profile-session'
import type { Tinjau } from '../core/tinjau'
import { isAppUrl, type RendererTarget } from './renderer-target'
import type { AppWindows } from './window'

/**
 * The contract over IPC: one `ipcMain.handle` per method. Each call is checked twice:
 * who sent it (our window's main frame, showing our page) and what it carries (the
 * contract's schema, via `dispatch`, the same path the web host uses).
 */

export const UNAUTHORIZED: Result<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'this page may not call the Tinjau API' },
}

/**
 * A sender is trusted only if it is the main frame (not an iframe) of a window we
 * created, and that frame currently shows our renderer. `senderFrame` is null when the
 * frame navigated or was destroyed after sending: refuse those too.
 */
export function isTrustedSender(event: IpcMainInvokeEvent, windows: AppWindows, target: RendererTarget): boolean {
  const frame = event.senderFrame
  if (!frame) return false
  if (frame.parent !== null) return false
  if (!windows.owns(event.sender)) return false
  const main = event.sender.mainFrame
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false
  return isAppUrl(target, frame.url)
}

export interface IpcBinding {
  dispose(): void
}

/** `profile`: the app's lockable session (or, in tests, a profile open for good). */
export function registerIpc(profile: ProfileSession | Tinjau, windows: AppWindows, target: RendererTarget): IpcBinding {
  const session = profile instanceof ProfileSession ? profile : ProfileSession.fixed(profile)
  const channels = API_METHODS.map((method) => {
    const channel = IPC_PREFIX + method
    ipcMain.handle(channel, (event, input: unknown): Promise<Result<unknown>> | Result<unknown> => {
      if (!isTrustedSender(event, windows, target)) {
        console.warn(`tinjau: refused ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`)
        return UNAUTHORIZED
      }
      // The session refuses profile calls while locked and waits for an import holding the store.
      return dispatch(session.handlers, method, input, (err) => console.error(`tinjau: ${method} failed:`, err))
    })
    return channel
  })

  // The OS dialog for a pack: the renderer gets a path, which pack.import then checks like any other.
  ipcMain.handle(PICK_PACK_CHANNEL, async (event, kind: unknown): Promise<string | null> => {
    if (!isTrustedSender(event, windows, target) || (kind !== 'folder' && kind !== 'zip')) return null
    const options: OpenDialogOptions =
      kind === 'folder' ? { properties: ['openDirectory'] } : { properties: ['openFile'], filters: [{ name: 'Tinjau pack', extensions: ['zip'] }] }
    const win = BrowserWindow.fromWebContents(event.sender)
    const chosen = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return chosen.canceled ? null : (chosen.filePaths[0] ?? null)
  })
  channels.push(PICK_PACK_CHANNEL)

  // Core events (and the lock's) go to our windows only, and only while they show our page.
  const unsubscribe = session.onEvent((event, payload) => {
    for (const win of windows.all()) {
      const contents = win.webContents
      if (isAppUrl(target, contents.mainFrame.url)) contents.send(IPC_EVENT_CHANNEL, event, payload)
    }
  })

  return {
    dispose() {
      unsubscribe()
      for (const channel of channels) ipcMain.removeHandler(channel)
    },
  }
}
