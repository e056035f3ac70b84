import { describe, expect, it, vi } from 'vitest'
import { WEB_SECRET_STORAGE_KEY } from '../../shared/bridge'
import { ApiCallError } from './api-error'
import { createWebApi, takeWebSecret, type EventSourceLike, type WebEnv } from './web-api'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data }
}

function fakeEnv(href: string, opts: { storage?: Record<string, string>; fetch?: WebEnv['fetch'] } = {}) {
  const replaced: string[] = []
  const env = {
    location: { href },
    history: { state: { keep: 1 }, replaceState: (_d: unknown, _u: string, url?: string) => void replaced.push(url ?? '') },
    sessionStorage: memoryStorage(opts.storage),
    fetch: opts.fetch ?? (async () => json({ ok: true, value: null })),
  }
  return { env, replaced }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('web secret', () => {
  it('takes ?k= from the address, stores it, and drops it from the address bar', () => {
    const { env, replaced } = fakeEnv('http://127.0.0.1:4321/?k=s3cret&x=1#queue')
    expect(takeWebSecret(env)).toBe('s3cret')
    expect(env.sessionStorage.data.get(WEB_SECRET_STORAGE_KEY)).toBe('s3cret')
    expect(replaced).toEqual(['/?x=1#queue'])
  })

  it('falls back to sessionStorage after a reload, leaving the address alone', () => {
    const { env, replaced } = fakeEnv('http://127.0.0.1:4321/', { storage: { [WEB_SECRET_STORAGE_KEY]: 'kept' } })
    expect(takeWebSecret(env)).toBe('kept')
    expect(replaced).toEqual([])
  })

  it('a new ?k= replaces a stored secret', () => {
    const { env } = fakeEnv('http://127.0.0.1:4321/?k=new', { storage: { [WEB_SECRET_STORAGE_KEY]: 'old' } })
    expect(takeWebSecret(env)).toBe('new')
    expect(env.sessionStorage.data.get(WEB_SECRET_STORAGE_KEY)).toBe('new')
  })

  it('with `later`, keeps the secret and cleans the address only when that work runs', () => {
    const { env, replaced } = fakeEnv('http://127.0.0.1:4321/?k=s3cret')
    const waiting: (() => void)[] = []
    const withLater = { ...env, later: (work: () => void) => void waiting.push(work) }
    expect(takeWebSecret(withLater)).toBe('s3cret')
    expect(env.sessionStorage.data.has(WEB_SECRET_STORAGE_KEY)).toBe(false)
    expect(replaced).toEqual([])
    waiting.forEach((work) => work())
    expect(env.sessionStorage.data.get(WEB_SECRET_STORAGE_KEY)).toBe('s3cret')
    expect(replaced).toEqual(['/'])
  })

  it('still works for the page when storage throws', () => {
    const { env } = fakeEnv('http://127.0.0.1:4321/?k=abc')
    env.sessionStorage.setItem = () => {
      throw new Error('SecurityError')
    }
    expect(takeWebSecret(env)).toBe('abc')
  })
})

describe('web transport', () => {
  it('POSTs JSON to /api/<method> with the bearer secret and returns the value', async () => {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => json({ ok: true, value: { locale: 'id' } }))
    const { env } = fakeEnv('http://h/?k=abc', { fetch })
    const api = createWebApi(env)
    await expect(api.call('settings.setLocale', { locale: 'id' })).resolves.toEqual({ locale: 'id' })
    const [url, init] = fetch.mock.calls[0]!
    expect(url).toBe('/api/settings.setLocale')
    expect(init?.method).toBe('POST')
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer abc')
    expect(JSON.parse(String(init?.body))).toEqual({ locale: 'id' })
  })

  it('throws ApiCallError carrying code, message and details on ok:false', async () => {
    const error = { code: 'policy_violation', message: 'the decision breaks policy', details: [{ path: 'rationale', message: 'required' }] }
    const { env } = fakeEnv('http://h/?k=abc', { fetch: async () => json({ ok: false, error }, 422) })
    const api = createWebApi(env)
    const err = await api.call('decision.record', { clipId: 'c', categories: ['hate'], action: 'remove' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiCallError)
    expect((err as ApiCallError).toApiError()).toEqual(error)
    expect((err as ApiCallError).method).toBe('decision.record')
  })

  it('turns a non-JSON answer into an internal error naming the status', async () => {
    const { env } = fakeEnv('http://h/?k=abc', { fetch: async () => new Response('<h1>Bad gateway</h1>', { status: 502 }) })
    const err = (await createWebApi(env)
      .call('app.info', {})
      .catch((e: unknown) => e)) as ApiCallError
    expect(err.code).toBe('internal')
    expect(err.message).toContain('502')
  })

  it('turns a network failure into an internal error', async () => {
    const { env } = fakeEnv('http://h/?k=abc', {
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    const err = (await createWebApi(env)
      .call('app.info', {})
      .catch((e: unknown) => e)) as ApiCallError
    expect(err.code).toBe('internal')
    expect(err.message).toContain('Failed to fetch')
  })

  it('refuses to call without a secret, without touching the network', async () => {
    const fetch = vi.fn()
    const { env } = fakeEnv('http://h/', { fetch })
    const err = (await createWebApi(env)
      .call('app.info', {})
      .catch((e: unknown) => e)) as ApiCallError
    expect(err.code).toBe('unauthorized')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('builds media URLs with the secret', () => {
    const { env } = fakeEnv('http://h/?k=a b')
    expect(createWebApi(env).mediaUrl('ab'.repeat(32))).toBe(`/media/${'ab'.repeat(32)}?k=a%20b`)
  })

  it('hears named server-sent events on one EventSource, closed with the last listener', () => {
    const sources: FakeSource[] = []
    class FakeSource implements EventSourceLike {
      listeners = new Map<string, ((ev: { data: string }) => void)[]>()
      closed = false
      constructor(readonly url: string) {
        sources.push(this)
      }
      addEventListener(type: string, l: (ev: { data: string }) => void) {
        this.listeners.set(type, [...(this.listeners.get(type) ?? []), l])
      }
      close() {
        this.closed = true
      }
      emit(type: string, data: string) {
        for (const l of this.listeners.get(type) ?? []) l({ data })
      }
    }
    const { env } = fakeEnv('http://h/?k=abc')
    const api = createWebApi({ ...env, EventSource: FakeSource })
    const heard: unknown[] = []
    const off1 = api.on('queue.changed', (p) => heard.push(['one', p]))
    const off2 = api.on('queue.changed', (p) => heard.push(['two', p]))
    expect(sources).toHaveLength(1)
    expect(sources[0]!.url).toBe('/api/events?k=abc')
    sources[0]!.emit('queue.changed', '{"reason":"decision"}')
    sources[0]!.emit('queue.changed', 'not json')
    expect(heard).toEqual([
      ['one', { reason: 'decision' }],
      ['two', { reason: 'decision' }],
    ])
    off1()
    expect(sources[0]!.closed).toBe(false)
    off2()
    expect(sources[0]!.closed).toBe(true)
  })
})
