import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A tiny HTTP server whose every answer a test writes: for the replies a real sync server
 * never gives (schema breaks, hostile clips, cut bodies, wrong hashes) and for counting
 * what the client asked. Not a sync server: each route is a function of the request.
 */

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export type FakeAnswer =
  | { status: number; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }
  /** Close the connection without an answer. */
  | 'drop'

export type Route = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>

export interface FakeServer {
  url: string
  requests: FakeRequest[]
  /** Routes by "METHOD /path" (the path without the query); the path prefix "/v1/media/" matches any hash. */
  routes: Map<string, Route>
  close(): Promise<void>
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({ status, body, headers })

export async function startFakeServer(): Promise<FakeServer> {
  const routes = new Map<string, Route>()
  const requests: FakeRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const fr: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) }
      requests.push(fr)
      const key = `${fr.method} ${fr.path.startsWith('/v1/media/') ? '/v1/media/' : fr.path}`
      const route = routes.get(key)
      void Promise.resolve(route ? route(fr) : json(404, { error: { code: 'not_found', message: `no route ${key}` } })).then((answer) => {
        if (answer === 'drop') {
          res.socket?.destroy()
          return
        }
        const payload = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body))
        res.writeHead(answer.status, { 'content-type': 'application/json', 'tinjau-protocol': '1', ...answer.headers })
        res.end(payload)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    routes,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
