import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { ProfileSession } from '../core/profile-session'
import type { Tinjau } from '../core/tinjau'
import { createWebApp } from './app'
import { newSecret } from './auth'
import { MAX_JSON_BODY_BYTES } from './json-body'

/**
 * The web host: the contract, the built renderer and media over HTTP on loopback, behind
 * a per-launch secret. See src/shared/bridge.ts for the wire format.
 */

export const WEB_HOST_ADDRESS = '127.0.0.1'

export interface WebHostOptions {
  /**
   * The profile, lockable (a session), or open for good: an open profile or its opening
   * (the host then listens at once; calls wait for it). One of the two.
   */
  session?: ProfileSession
  tinjau?: Tinjau | Promise<Tinjau>
  /** See WebAppOptions.onProfileWanted. */
  onProfileWanted?: ((why: 'call' | 'asset') => void) | undefined
  /** The built renderer: index.html and assets/. */
  rendererDir: string
  /** 0 (the default) picks any free port. */
  port?: number
  /** Only 127.0.0.1 is accepted; the option exists so a caller asking for more fails loudly. */
  host?: string
  /** Fixed secret (tests); by default 32 random bytes, base64url, new each launch. */
  secret?: string
  keepAliveMs?: number
  maxBodyBytes?: number
  log?: (message: string, err?: unknown) => void
}

export interface WebHost {
  /** `http://127.0.0.1:<port>`, without the secret. */
  url: string
  /** What a reviewer opens: `http://127.0.0.1:<port>/?k=<secret>`. */
  launchUrl: string
  port: number
  secret: string
  /** HTTP requests received so far (has a browser come yet?). */
  requestsSeen(): number
  close(): Promise<void>
}

const MIN_SECRET_LENGTH = 32
const CLOSE_GRACE_MS = 500

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const host = opts.host ?? WEB_HOST_ADDRESS
  if (host !== WEB_HOST_ADDRESS) {
    throw new Error(`the web host binds to ${WEB_HOST_ADDRESS} only (asked for ${JSON.stringify(host)})`)
  }
  const port = opts.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`)
  const secret = opts.secret ?? newSecret()
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the secret must be at least ${MIN_SECRET_LENGTH} characters`)

  let boundPort = -1
  const openStreams = new Set<() => void>()
  const inflight = new Set<Promise<unknown>>()
  const session = opts.session ?? (opts.tinjau ? ProfileSession.fixed(opts.tinjau) : null)
  if (!session) throw new Error('the web host needs a profile: a session or an open profile')
  const app = createWebApp({
    session,
    onProfileWanted: opts.onProfileWanted,
    rendererDir: opts.rendererDir,
    secret,
    port: () => boundPort,
    keepAliveMs: opts.keepAliveMs ?? 20_000,
    maxBodyBytes: opts.maxBodyBytes ?? MAX_JSON_BODY_BYTES,
    openStreams,
    inflight,
    log: opts.log ?? ((message, err) => console.error(`tinjau web host: ${message}`, err ?? '')),
  })
  // overrideGlobalObjects: false keeps this process's global Request/Response untouched
  // (the CLI and the tests share it).
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server
  let requestsSeen = 0
  server.on('request', () => requestsSeen++)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  boundPort = (server.address() as AddressInfo).port
  const url = `http://${host}:${boundPort}`

  let closing: Promise<void> | null = null
  return {
    url,
    launchUrl: `${url}/?k=${secret}`,
    port: boundPort,
    secret,
    requestsSeen: () => requestsSeen,
    /**
     * Stop accepting, end event streams, cut connections still open after a grace
     * period (a video being watched), and resolve only when every API call already
     * running has finished, so the caller can close the store right after.
     */
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        for (const end of [...openStreams]) end()
        server.closeIdleConnections()
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        cut.unref()
        await closed
        clearTimeout(cut)
        await Promise.allSettled([...inflight])
      })()
      return closing
    },
  }
}
