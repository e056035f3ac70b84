// The sandboxed preload: exposes the contract as `window.tinjau`, and nothing else.
// No Node, no zod: it imports only the name lists and the bridge type, and is bundled.
// Main validates every call again (sender and schema); these checks keep the surface
// honest, they are not the security boundary.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { API_EVENTS, API_METHODS, IPC_EVENT_CHANNEL, IPC_PREFIX, type ApiEvent, type ApiMethod } from '../shared/api-methods'
import { MEDIA_PROTOCOL, PICK_PACK_CHANNEL, type TinjauBridge } from '../shared/bridge'

type InvokeResult = Awaited<ReturnType<TinjauBridge['invoke']>>

const SHA256 = /^[0-9a-f]{64}$/

const isMethod = (m: unknown): m is ApiMethod => typeof m === 'string' && (API_METHODS as readonly string[]).includes(m)
const isEvent = (e: unknown): e is ApiEvent => typeof e === 'string' && (API_EVENTS as readonly string[]).includes(e)

const bridge: TinjauBridge = {
  async invoke(method, input) {
    if (!isMethod(method)) {
      const error = { code: 'invalid_input', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } as const
      return { ok: false, error } satisfies InvokeResult
    }
    try {
      return (await ipcRenderer.invoke(IPC_PREFIX + method, input)) as InvokeResult
    } catch (err) {
      // No handler (main failed to start) or an uncloneable input: still a Result.
      return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
    }
  },

  on(event, listener) {
    if (!isEvent(event) || typeof listener !== 'function') return () => {}
    // The IpcRendererEvent stays here: the page gets the payload only.
    const relay = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, relay)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay)
    }
  },

  mediaUrl(sha256) {
    return typeof sha256 === 'string' && SHA256.test(sha256) ? `${MEDIA_PROTOCOL}://media/${sha256}` : ''
  },

  async pickPack(kind) {
    if (kind !== 'folder' && kind !== 'zip') return null
    const chosen: unknown = await ipcRenderer.invoke(PICK_PACK_CHANNEL, kind)
    return typeof chosen === 'string' ? chosen : null
  },

  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file)
    } catch {
      return ''
    }
  },
}

contextBridge.exposeInMainWorld('tinjau', Object.freeze(bridge))
