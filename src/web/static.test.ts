import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ASSET_JS, INDEX_HTML, OUTSIDE_SECRET, rawRequest, startFixture, type WebFixture } from './testing/web-fixture'
import { confine } from './static-route'

let fx: WebFixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(async () => {
  await fx.close()
})

describe('the built renderer', () => {
  it('serves index.html at / (with or without ?k=) and assets by path', async () => {
    for (const p of ['/', `/?k=${fx.host.secret}`, '/index.html']) {
      const res = await fetch(`${fx.host.url}${p}`)
      expect(res.status, p).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(await res.text()).toBe(INDEX_HTML)
    }
    const js = await fetch(`${fx.host.url}/assets/x.js`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(js.headers.get('cache-control')).toContain('immutable')
    expect(await js.text()).toBe(ASSET_JS)
  })

  it('refuses directory traversal in every spelling', async () => {
    const attempts = [
      '/..%2f..%2fpackage.json',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%5csecret.txt',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/assets/x.js%00.html',
      '/.vite/manifest.json',
      '/%E0%A4%A',
      '/assets',
      '/assets/',
    ]
    for (const p of attempts) {
      const res = await rawRequest(fx.host.port, p)
      expect(res.status, p).toBeGreaterThanOrEqual(400)
      expect(res.status, p).toBeLessThan(500)
      expect(res.body, p).not.toContain(OUTSIDE_SECRET)
      expect(res.body, p).not.toContain('root:')
    }
  })

  it('confines paths to the root', () => {
    const root = '/srv/renderer'
    expect(confine(root, '/')).toBe('/srv/renderer/index.html')
    expect(confine(root, '/assets/a.js')).toBe('/srv/renderer/assets/a.js')
    expect(confine(root, '/..%2fx')).toBeNull()
    expect(confine(root, '/a/../../x')).toBeNull()
    expect(confine(root, '/%2Fetc/passwd')).toBe('/srv/renderer/etc/passwd')
    expect(confine(root, '/a%5c..%5cx')).toBeNull()
    expect(confine(root, '/%zz')).toBeNull()
  })
})
