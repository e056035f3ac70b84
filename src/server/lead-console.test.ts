import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { errorResponse, type SyncEnv } from './http/app'
import { addLeadConsoleRoute } from './http/lead-console-route'
import { ServerError } from './errors'

// The console's files by name from a list made at start: a strict CSP on every page, no
// path from the URL ever reaching the file system, and a clear word when it is not built.

let dir: string
const appWith = (d: string | null) => {
  const app = new Hono<SyncEnv>()
  addLeadConsoleRoute(app, d)
  app.get('/lead/api/ping', (c) => c.json({ api: true }))
  app.notFound(() => errorResponse(new ServerError('not_found', 'no route')))
  app.onError((err) => errorResponse(err instanceof ServerError ? err : new ServerError('server_error', 'failed')))
  return app
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-lead-console-'))
  mkdirSync(path.join(dir, 'assets'))
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Lead</title>')
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  writeFileSync(path.join(dir, 'secret.txt'), 'not served: no known type')
  writeFileSync(path.join(os.tmpdir(), 'tinjau-outside.html'), 'outside')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the lead console files', () => {
  test('the page and its assets, each with the strict CSP; the page is never cached stale, assets are immutable', async () => {
    const app = appWith(dir)
    for (const url of ['/lead/', '/lead/index.html']) {
      const res = await app.request(url)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const csp = res.headers.get('content-security-policy')!
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('<title>Lead</title>')
    }
    const js = await app.request('/lead/assets/index-abc123.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(js.headers.get('cache-control')).toContain('immutable')
    const redirect = await app.request('/lead')
    expect(redirect.status).toBe(308)
    expect(redirect.headers.get('location')).toBe('/lead/')
  })

  test('anything not in the list is not_found, whatever the path says; the API is left to its routes', async () => {
    const app = appWith(dir)
    for (const url of ['/lead/secret.txt', '/lead/../tinjau-outside.html', '/lead/assets/..%2F..%2Ftinjau-outside.html', '/lead/%2e%2e/%2e%2e/etc/passwd', '/lead/assets/missing.js']) {
      const res = await app.request(url)
      expect(res.status, url).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    }
    expect(await (await app.request('/lead/api/ping')).json()).toEqual({ api: true })
  })

  test('not built: every page says how to build it', async () => {
    for (const d of [null, path.join(dir, 'nope')]) {
      const res = await appWith(d).request('/lead/')
      expect(res.status).toBe(503)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/npm run build/)
    }
  })
})
