import type { MiddlewareHandler } from 'hono'
import { rendererCsp } from '../shared/csp'
import { jsonError } from './responses'

/**
 * Headers every response carries, and the DNS-rebinding defence. The CSP is the
 * renderer's own (src/renderer/index.html), so the page behaves the same in Electron and
 * in a browser.
 */

export const CONTENT_SECURITY_POLICY = rendererCsp()

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** Set after the handler ran, so 404s, errors and streams get them too. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
  }
}

/** `127.0.0.1:<port>` and `localhost:<port>`: the only names this server answers to. */
export function loopbackAuthorities(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

/**
 * A page on another site can make a browser resolve its own host name to 127.0.0.1 (DNS
 * rebinding) and then talk to us as "same origin". Its requests still carry its own
 * name in `Host`, so anything but our loopback authority is refused. For requests that
 * change state, an `Origin` other than ours is refused too (defence in depth: the bearer
 * secret already stops cross-site requests).
 */
export function loopbackOnly(port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const allowed = loopbackAuthorities(port())
    const host = (c.req.header('host') ?? '').toLowerCase()
    if (!allowed.includes(host)) return jsonError(c, 403, 'unauthorized', 'this server answers only to 127.0.0.1 and localhost')
    const origin = c.req.header('origin')
    if (origin !== undefined && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (!allowed.some((a) => origin.toLowerCase() === `http://${a}`)) {
        return jsonError(c, 403, 'unauthorized', 'cross-origin requests are not accepted')
      }
    }
    await next()
  }
}
