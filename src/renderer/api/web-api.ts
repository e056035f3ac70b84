import type { ApiEvent, ApiMethod } from '../../shared/api-methods'
import { WEB_SECRET_PARAM, WEB_SECRET_STORAGE_KEY } from '../../shared/bridge'
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
}

/**
 * The per-launch secret. On first load it arrives as `?k=` in the address: keep it in
 * sessionStorage (it survives a reload, not the tab) and drop it from the address bar so
 * it is not left in history, bookmarks or a screenshot.
 */
export function takeWebSecret(env: Pick<WebEnv, 'location' | 'history' | 'sessionStorage'>): string | null {
  const url = new URL(env.location.href)
  const fromUrl = url.searchParams.get(WEB_SECRET_PARAM)
  if (fromUrl) {
    try {
      env.sessionStorage.setItem(WEB_SECRET_STORAGE_KEY, fromUrl)
    } catch {
      // Storage can be disabled; the secret still works for this page's life.
    }
    url.searchParams.delete(WEB_SECRET_PARAM)
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`)
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
  }
}
