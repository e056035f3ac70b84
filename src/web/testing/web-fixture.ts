import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { ProfileKeys } from '../../core/profile-crypto/profile-keys'
import type { ProfileSession } from '../../core/profile-session'
import { openTinjau, type Tinjau } from '../../core/tinjau'
import { makePack, tempDir } from '../../core/testing/make-pack'
import { startWebHost, type WebHost, type WebHostOptions } from '../web-host'

/**
 * A real web host on 127.0.0.1:0 over a real profile in a temp folder, with a tiny fake
 * renderer (index.html, assets/x.js) and a file beside it that must never be served.
 */

export interface WebFixture {
  tinjau: Tinjau
  host: WebHost
  dataDir: string
  rendererDir: string
  /** POST /api/<method> with the secret (or `auth`), JSON body. */
  api(method: string, body?: unknown, init?: { auth?: string | null; rawBody?: string; contentType?: string }): Promise<Response>
  /** A pack of `n` clips (make-pack), in the fixture's folder; returns its path. */
  pack(n: number): string
  close(): Promise<void>
}

export const INDEX_HTML = '<!doctype html><title>tinjau test renderer</title>'
export const ASSET_JS = 'console.log("asset")\n'
export const OUTSIDE_SECRET = 'outside-the-renderer-folder'

export async function startFixture({
  keys,
  ...opts
}: Partial<WebHostOptions> & { wrap?: (t: Tinjau) => Tinjau; sessionOf?: (t: Tinjau) => ProfileSession; keys?: ProfileKeys } = {}): Promise<WebFixture> {
  const base = tempDir('tinjau-web-')
  const dataDir = path.join(base, 'data')
  const rendererDir = path.join(base, 'renderer')
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML)
  writeFileSync(path.join(rendererDir, 'assets', 'x.js'), ASSET_JS)
  mkdirSync(path.join(rendererDir, '.vite'), { recursive: true })
  writeFileSync(path.join(rendererDir, '.vite', 'manifest.json'), '{}')
  writeFileSync(path.join(base, 'secret.txt'), OUTSIDE_SECRET)

  const tinjau = openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test', keys: keys ?? null })
  const served = opts.wrap ? opts.wrap(tinjau) : tinjau
  let packs = 0
  const { wrap: _wrap, sessionOf, ...hostOpts } = opts
  const host = await startWebHost({ rendererDir, log: () => {}, ...hostOpts, ...(sessionOf ? { session: sessionOf(served) } : { tinjau: served }) })
  return {
    tinjau,
    host,
    dataDir,
    rendererDir,
    api(method, body, init = {}) {
      const auth = init.auth === undefined ? `Bearer ${host.secret}` : init.auth
      const headers: Record<string, string> = { 'Content-Type': init.contentType ?? 'application/json' }
      if (auth !== null) headers.Authorization = auth
      return fetch(`${host.url}/api/${method}`, {
        method: 'POST',
        headers,
        body: init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      })
    },
    pack(n) {
      const root = path.join(base, `pack-${++packs}`)
      mkdirSync(root)
      return makePack(n, { root })
    },
    async close() {
      await host.close()
      tinjau.close()
      rmSync(base, { recursive: true, force: true })
    },
  }
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * A request exactly as written: fetch normalises `..` away and will not let a test
 * choose the Host header, so traversal and rebinding tests go through node:http.
 */
export function rawRequest(port: number, requestPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

export function decisionCount(t: Tinjau): number {
  return t.store.sqlite.prepare('SELECT count(*) FROM decisions').pluck().get() as number
}
