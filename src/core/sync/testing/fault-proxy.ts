import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A fault-injecting HTTP proxy for sync tests: a real loopback server that the client talks
 * to instead of the sync service, forwarding each request over a real TCP connection and
 * deciding per request, from a seeded PRNG, what goes wrong. Every request is logged with the
 * fault it got, so a failing seed can be read back (`dump()`).
 *
 * Faults:
 * - `drop-before`  the connection is destroyed before anything is forwarded;
 * - `drop-after`   the request is forwarded, the server answers, and the client's connection
 *                  is destroyed instead of answering (the server applied a push; the client
 *                  never hears it);
 * - `delay`        forwarded after a short wait;
 * - `status`       500, 502 or 503 answered by the proxy itself, nothing forwarded;
 * - `truncate`     the server's answer with only part of its body (Content-Length kept, then
 *                  the connection is destroyed; or without a length, ended early);
 * - `duplicate`    forwarded twice (one after the other, or both at once) and answered with
 *                  the second answer;
 * - `restart`      the server is killed and restarted (the harness's `restart()`) while the
 *                  request is forwarded: it may be answered, refused, or cut.
 * `offline` (a switch) drops every request before forwarding; `faults = false` stops all faults.
 */

export type FaultKind = 'none' | 'offline' | 'drop-before' | 'drop-after' | 'delay' | 'status' | 'truncate' | 'duplicate' | 'restart' | 'hold'

export interface FaultProxyOptions {
  /** The sync service's base URL, e.g. http://127.0.0.1:4567. */
  target: string
  /** A seeded PRNG (mulberry32): the same seed, the same faults for the same sequence of requests. */
  random: () => number
  /** A name in the log (a client's). */
  name?: string
  /** Chance that a request gets a fault while faults are on (default 0.4). */
  rate?: number
  /** Relative weights of the faults (a fault with weight 0, or `restart` without `restart`, never happens). */
  weights?: Partial<Record<Exclude<FaultKind, 'none' | 'offline' | 'hold'>, number>>
  /** Kills and restarts the server (TestServer.restart). Shared by proxies of one server: it must not run twice at once. */
  restart?: () => Promise<void>
  /** Restarts this proxy may cause at most (default 1). */
  maxRestarts?: number
  /** Longest `delay` fault, in ms (default 40). */
  maxDelayMs?: number
}

export interface ProxyEvent {
  n: number
  method: string
  path: string
  fault: FaultKind
  /** What happened, as logged. */
  detail: string
  /** The server's status, when it answered. */
  upstreamStatus?: number
}

interface Upstream {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

const DEFAULT_WEIGHTS: Record<Exclude<FaultKind, 'none' | 'offline' | 'hold'>, number> = {
  'drop-before': 3,
  'drop-after': 4,
  delay: 2,
  status: 3,
  truncate: 3,
  duplicate: 3,
  restart: 1,
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer', 'host', 'content-length'])

export class FaultProxy {
  /** Faults on or off (offline is separate). */
  faults = true
  /** Every request is dropped before forwarding: the device is offline. */
  offline = false
  readonly events: ProxyEvent[] = []
  private readonly log: string[] = []
  private server: http.Server | null = null
  private readonly sockets = new Set<Socket>()
  private readonly targetUrl: URL
  private n = 0
  private restarts = 0
  private readonly pending = new Set<Promise<unknown>>()
  private holder: ((e: { n: number; method: string; path: string; upstream: Upstream }) => boolean) | null = null
  private readonly listeners = new Set<(e: ProxyEvent) => void>()
  private readonly arrivals = new Set<(e: { n: number; method: string; path: string }) => void>()
  url = ''

  constructor(private readonly opts: FaultProxyOptions) {
    this.targetUrl = new URL(opts.target)
  }

  static async start(opts: FaultProxyOptions): Promise<FaultProxy> {
    const p = new FaultProxy(opts)
    await p.listen()
    return p
  }

  private async listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      const work = this.handle(req, res).catch((err: unknown) => {
        this.note(`internal proxy error: ${(err as Error).message}`)
        req.socket.destroy()
      })
      this.track(work)
    })
    server.keepAliveTimeout = 1_000
    server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.server = server
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  /** Hear every request once its fate is known (after the fault took effect). */
  onEvent(fn: (e: ProxyEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Hear every request as it arrives, before it is forwarded (or dropped). */
  onRequest(fn: (e: { n: number; method: string; path: string }) => void): () => void {
    this.arrivals.add(fn)
    return () => this.arrivals.delete(fn)
  }

  /**
   * Hold an answer: `fn` sees each answer from the server (faults off for that request) and
   * returns true to keep it from the client; the client's connection then stays open, silent,
   * until `release()` destroys it. For "the server has it, the client is killed before hearing".
   */
  holdWhen(fn: ((e: { n: number; method: string; path: string; upstream: Upstream }) => boolean) | null): void {
    this.holder = fn
  }

  /** Destroy every held (and every other open) client connection. */
  release(): void {
    for (const s of this.sockets) s.destroy()
  }

  /** Wait for requests in flight and a restart in progress: the server is then up and quiet. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  /** The log, last `last` lines: which fault each request got. */
  dump(last = 400): string {
    const lines = this.log.slice(-last)
    return `fault proxy ${this.opts.name ?? ''} (${this.log.length} lines${this.log.length > last ? `, last ${last}` : ''}):\n${lines.join('\n')}`
  }

  async close(): Promise<void> {
    this.release()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
    await this.settle()
  }

  // ---- one request -------------------------------------------------------------------

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p)).catch(() => {})
    return p
  }

  private note(line: string): void {
    this.log.push(`${new Date().toISOString().slice(11, 23)} ${line}`)
  }

  private emit(e: ProxyEvent): void {
    this.events.push(e)
    this.note(`#${e.n} ${e.method} ${e.path} -> ${e.fault}${e.detail ? `: ${e.detail}` : ''}`)
    for (const l of this.listeners) l(e)
  }

  private pick(): FaultKind {
    if (this.offline) return 'offline'
    // Draw the same number of values whatever the outcome, so one request's fault does not shift the next one's.
    const r1 = this.opts.random()
    const r2 = this.opts.random()
    if (!this.faults || r1 >= (this.opts.rate ?? 0.4)) return 'none'
    const weights = { ...DEFAULT_WEIGHTS, ...this.opts.weights }
    if (!this.opts.restart || this.restarts >= (this.opts.maxRestarts ?? 1)) weights.restart = 0
    const total = Object.values(weights).reduce((a, b) => a + b, 0)
    if (total <= 0) return 'none'
    let x = r2 * total
    for (const [k, w] of Object.entries(weights) as [Exclude<FaultKind, 'none' | 'offline' | 'hold'>, number][]) {
      if (x < w) return k
      x -= w
    }
    return 'none'
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++this.n
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const body = await readAll(req)
    for (const a of this.arrivals) a({ n, method, path })
    const fault = this.pick()
    const r = this.opts.random()
    const base = { n, method, path: path.replace(/\?.*$/, (q) => (q.length > 60 ? `${q.slice(0, 60)}…` : q)), fault }
    const forward = () => this.forward(method, path, req.headers, body)

    switch (fault) {
      case 'offline':
      case 'drop-before':
        req.socket.destroy()
        return this.emit({ ...base, detail: 'connection dropped, nothing forwarded' })
      case 'status': {
        const status = [500, 502, 503][Math.floor(r * 3)]!
        const text = status === 502 ? '<html>bad gateway</html>' : JSON.stringify({ error: { code: status === 503 ? 'unavailable' : 'server_error', message: 'injected by the fault proxy' } })
        res.writeHead(status, { 'content-type': status === 502 ? 'text/html' : 'application/json', 'content-length': Buffer.byteLength(text) })
        res.end(text)
        return this.emit({ ...base, detail: `answered ${status} without forwarding` })
      }
      case 'delay': {
        const ms = Math.floor(r * (this.opts.maxDelayMs ?? 40))
        await sleep(ms)
        const up = await forward().catch((err: Error) => err)
        if (up instanceof Error) {
          req.socket.destroy()
          return this.emit({ ...base, detail: `delayed ${ms} ms, then the server failed (${up.message}); connection dropped` })
        }
        this.answer(res, up)
        return this.emit({ ...base, detail: `delayed ${ms} ms, answered ${up.status}`, upstreamStatus: up.status })
      }
      case 'drop-after': {
        const up = await forward().catch((err: Error) => err)
        req.socket.destroy()
        if (up instanceof Error) return this.emit({ ...base, detail: `forwarded, the server failed (${up.message}); connection dropped` })
        return this.emit({ ...base, detail: `forwarded, the server answered ${up.status}; connection dropped before the answer`, upstreamStatus: up.status })
      }
      case 'truncate': {
        const up = await forward().catch((err: Error) => err)
        if (up instanceof Error) {
          req.socket.destroy()
          return this.emit({ ...base, detail: `the server failed (${up.message}); connection dropped` })
        }
        const keep = Math.floor(r * up.body.length)
        const withLength = r < 0.5
        res.writeHead(up.status, { ...copyHeaders(up.headers), ...(withLength ? { 'content-length': up.body.length } : {}) })
        res.write(up.body.subarray(0, keep))
        if (withLength) {
          // Let the partial body reach the client before the connection goes.
          await new Promise<void>((resolve) => setImmediate(resolve))
          req.socket.destroy()
        } else {
          res.end()
        }
        return this.emit({ ...base, detail: `answer ${up.status} cut to ${keep} of ${up.body.length} bytes (${withLength ? 'length kept, connection dropped' : 'chunked, ended early'})`, upstreamStatus: up.status })
      }
      case 'duplicate': {
        const together = r < 0.5
        let first: Upstream | Error
        let second: Upstream | Error
        if (together) {
          ;[first, second] = await Promise.all([forward().catch((err: Error) => err), forward().catch((err: Error) => err)])
        } else {
          first = await forward().catch((err: Error) => err)
          second = await forward().catch((err: Error) => err)
        }
        const what = `forwarded twice (${together ? 'at once' : 'one after the other'}): ${status(first)}, then ${status(second)}`
        if (second instanceof Error) {
          req.socket.destroy()
          return this.emit({ ...base, detail: `${what}; connection dropped` })
        }
        this.answer(res, second)
        return this.emit({ ...base, detail: `${what}; answered with the second`, upstreamStatus: second.status })
      }
      case 'restart': {
        this.restarts++
        const restarting = this.track(this.opts.restart!())
        const up = await forward().catch((err: Error) => err)
        await restarting.catch(() => {})
        if (up instanceof Error) {
          req.socket.destroy()
          return this.emit({ ...base, detail: `server killed and restarted while forwarding: ${up.message}; connection dropped` })
        }
        this.answer(res, up)
        return this.emit({ ...base, detail: `server killed and restarted while forwarding; it answered ${up.status} first`, upstreamStatus: up.status })
      }
      default: {
        const up = await forward().catch((err: Error) => err)
        if (up instanceof Error) {
          req.socket.destroy()
          return this.emit({ ...base, detail: `the server failed (${up.message}); connection dropped` })
        }
        if (this.holder?.({ n, method, path, upstream: up })) {
          this.emit({ ...base, fault: 'hold', detail: `the server answered ${up.status}; answer held back`, upstreamStatus: up.status })
          return
        }
        this.answer(res, up)
        return this.emit({ ...base, detail: `answered ${up.status}`, upstreamStatus: up.status })
      }
    }
  }

  private answer(res: ServerResponse, up: Upstream): void {
    res.writeHead(up.status, { ...copyHeaders(up.headers), 'content-length': up.body.length })
    res.end(up.body)
  }

  /** One request to the server on a fresh connection, its whole answer read. */
  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Upstream> {
    return new Promise<Upstream>((resolve, reject) => {
      const out = http.request(
        {
          host: this.targetUrl.hostname,
          port: this.targetUrl.port,
          method,
          path,
          agent: false,
          headers: { ...copyHeaders(headers), host: this.targetUrl.host, 'content-length': body.length, connection: 'close' },
        },
        (up) => {
          readAll(up).then((b) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: b }), reject)
        },
      )
      out.setTimeout(30_000, () => out.destroy(new Error('the server did not answer in 30 s')))
      out.on('error', reject)
      out.end(body)
    })
  }
}

function status(x: Upstream | Error): string {
  return x instanceof Error ? `failed (${x.message})` : String(x.status)
}

function copyHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v
  return out
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
    stream.on('aborted', () => reject(new Error('the connection was cut while reading')))
  })
}
