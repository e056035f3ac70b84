import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { WEB_SECRET_PARAM } from '../shared/bridge'
import { jsonError } from './responses'

/**
 * The per-launch secret. Loopback alone is not enough: any local process or any web page
 * the reviewer opens can reach 127.0.0.1, so every API and media request must prove it
 * was handed the secret at launch.
 */

export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Constant-time comparison. Both sides are hashed first, so timingSafeEqual always sees
 * two equal-length buffers and the length of a wrong guess leaks nothing either.
 */
export function secretMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')
  return m ? m[1]! : null
}

function presentedSecret(c: Context, allowQuery: boolean): string | null {
  const bearer = bearerToken(c.req.header('authorization'))
  if (bearer) return bearer
  // EventSource and <video src> cannot set headers: they carry the secret in the URL.
  return allowQuery ? (c.req.query(WEB_SECRET_PARAM) ?? null) : null
}

export function requireSecret(secret: string, opts: { allowQuery: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (!secretMatches(secret, presentedSecret(c, opts.allowQuery))) {
      return jsonError(c, 401, 'unauthorized', 'missing or wrong secret: open the URL the web host printed at launch')
    }
    await next()
  }
}
