import type { TinjauApi } from '../../shared/contract'
import { createElectronApi } from './electron-api'
import { createWebApi } from './web-api'

/** Electron when the preload exposed `window.tinjau`, else the web host over HTTP. */
export function createApi(win: Window): TinjauApi {
  if (win.tinjau) return createElectronApi(win.tinjau)
  return createWebApi({
    location: win.location,
    history: win.history,
    sessionStorage: win.sessionStorage,
    fetch: win.fetch.bind(win),
    EventSource: typeof EventSource === 'function' ? EventSource : undefined,
    XMLHttpRequest: typeof XMLHttpRequest === 'function' ? XMLHttpRequest : undefined,
    later: (work) => void win.setTimeout(work, 0),
  })
}
