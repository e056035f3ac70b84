import type { ApiEvent, ApiMethod } from '../../shared/api-methods'
import { WEB_SECRET_PARAM, WEB_SECRET_STORAGE_KEY, WEB_UPLOAD_PATH } from '../../shared/bridge'
import type { EventPayload, MethodInput, MethodOutput, TinjauApi } from '../../shared/contract'
import { ApiCallError, unwrapResult } from './api-error'

/**
 * `TinjauApi` over the web host's HTTP protocol (see the doc comment in
 * src/shared/bridge.ts). Everything the browser provides comes in through `WebEnv`, so
 * the tests can pass fakes.
 */

export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: { data: string }) => void): void
  close(): void
}

export interface WebEnv {
  location: { href: string }
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string): void }
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }
  fetch: (input: string, init?: RequestInit) => Promise<Response>
  EventSource?: new (url: string) => EventSourceLike
  /** For pack uploads (absent: this host takes no packs from the page). */
  XMLHttpRequest?: typeof XMLHttpRequest
  /** Runs work that can wait until the start-up calls are sent (absent: at once). */
  later?: (work: () => void) => void
}

/**
 * The per-launch secret. On first load it arrives as `?k=` in the address: keep it in
 * sessionStorage (it survives a reload, not the tab) and drop it from the address bar so
 * it is not left in history, bookmarks or a screenshot.
 */
export function takeWebSecret(env: Pick<WebEnv, 'location' | 'history' | 'sessionStorage' | 'later'>): string | null {
  const url = new URL(env.location.href)
  const fromUrl = url.searchParams.get(WEB_SECRET_PARAM)
  if (fromUrl) {
    // After the start-up calls have left (env.later): the page's first use of sessionStorage
    // waits on the browser process, ~60 ms of a starting page here.
    const keep = () => {
      try {
        env.sessionStorage.setItem(WEB_SECRET_STORAGE_KEY, fromUrl)
      } catch {
        // Storage can be disabled; the secret still works for this page's life.
      }
      url.searchParams.delete(WEB_SECRET_PARAM)
      env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`)
    }
    if (env.later) env.later(keep)
    else keep()
    return fromUrl
  }
  try {
    return env.sessionStorage.getItem(WEB_SECRET_STORAGE_KEY)
  } catch {
    return null
  }
}

const NO_SECRET_MESSAGE = 'no access key: open the address the web host printed at start (it ends in ?k=…)'

export function createWebApi(env: WebEnv): TinjauApi {
  const secret = takeWebSecret(env)
  const listeners = new Map<ApiEvent, Set<(payload: unknown) => void>>()
  let source: EventSourceLike | null = null
  const subscribed = new Set<ApiEvent>()

  const openSource = (): EventSourceLike | null => {
    if (source) return source
    if (!env.EventSource || !secret) return null
    source = new env.EventSource(`/api/events?${WEB_SECRET_PARAM}=${encodeURIComponent(secret)}`)
    subscribed.clear()
    return source
  }

  const subscribe = (event: ApiEvent) => {
    const s = openSource()
    if (!s || subscribed.has(event)) return
    subscribed.add(event)
    s.addEventListener(event, (ev) => {
      let payload: unknown
      try {
        payload = JSON.parse(ev.data)
      } catch {
        return
      }
      for (const l of [...(listeners.get(event) ?? [])]) l(payload)
    })
  }

  return {
    async call<M extends ApiMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      if (!secret) throw new ApiCallError({ code: 'unauthorized', message: NO_SECRET_MESSAGE }, method)
      let response: Response
      try {
        response = await env.fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
          body: JSON.stringify(input ?? {}),
        })
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        throw new ApiCallError({ code: 'internal', message: `could not reach the Tinjau web host: ${why}` }, method)
      }
      let body: unknown
      try {
        body = await response.json()
      } catch {
        throw new ApiCallError(
          { code: response.status === 401 ? 'unauthorized' : 'internal', message: `unexpected answer from the web host (HTTP ${response.status})` },
          method,
        )
      }
      return unwrapResult<MethodOutput<M>>(body, method)
    },

    on<E extends ApiEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const l = listener as (payload: unknown) => void
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(l)
      subscribe(event)
      return () => {
        set.delete(l)
        const total = [...listeners.values()].reduce((n, s) => n + s.size, 0)
        if (total === 0 && source) {
          source.close()
          source = null
          subscribed.clear()
        }
      }
    },

    mediaUrl: (sha256) => `/media/${encodeURIComponent(sha256)}?${WEB_SECRET_PARAM}=${encodeURIComponent(secret ?? '')}`,

    packs: env.XMLHttpRequest ? { upload: (file, onProgress, signal) => uploadPack(env.XMLHttpRequest!, secret, file, onProgress, signal) } : {},
  }
}

/** XMLHttpRequest, not fetch: only it reports how much of a (large) upload has been sent. */
function uploadPack(
  Xhr: typeof XMLHttpRequest,
  secret: string | null,
  file: File,
  onProgress?: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  // Errors are told as the import's: the upload is its first step.
  const method = 'pack.import'
  if (!secret) return Promise.reject(new ApiCallError({ code: 'unauthorized', message: NO_SECRET_MESSAGE }, method))
  return new Promise((resolve, reject) => {
    const xhr = new Xhr()
    xhr.open('POST', WEB_UPLOAD_PATH)
    xhr.setRequestHeader('Authorization', `Bearer ${secret}`)
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name))
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size)
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        reject(new ApiCallError({ code: 'internal', message: `unexpected answer from the web host (HTTP ${xhr.status})` }, method))
        return
      }
      try {
        resolve(unwrapResult<{ path: string }>(body, method).path)
      } catch (err) {
        reject(err)
      }
    }
    xhr.onerror = () => reject(new ApiCallError({ code: 'internal', message: 'could not send the pack to the Tinjau web host' }, method))
    // The host drops a partial upload when the connection goes.
    xhr.onabort = () => reject(new ApiCallError({ code: 'cancelled', message: 'the upload was cancelled; nothing was imported' }, method))
    if (signal?.aborted) return xhr.onabort(new ProgressEvent('abort'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(file)
  })
}
