import type { Context, Hono, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { SignInBody, type SessionInfo, type SignOutResult } from '../../shared/lead-api'
import type { Db } from '../db/open'
import { schemaError, ServerError } from '../errors'
import { resolveSession, SESSION_LIFETIME_MS, signIn, signOut, SIGN_IN_LIMITS, type LeadRole, type SignInLimits } from '../ops/leads'
import { clientAddress } from './app'
import { parseJsonBody, readBody } from './body'

/**
 * The lead console API's sign-in and guards (mounted at `/lead/api`). A lead is known by a
 * session cookie only — HttpOnly, SameSite=Strict, Path=/lead, Secure over https — never by
 * an `Authorization` header, so a device's bearer token is no key here (and a session
 * token is none on /v1: it is looked up in another table).
 *
 * Cross-site requests: SameSite=Strict keeps the cookie off them in today's browsers, and
 * `sameOriginOnly()` refuses any state-changing request whose `Origin` (or, without one,
 * `Sec-Fetch-Site`) is not this site. Apply it to the whole lead API
 * (`leadApi.use('*', sameOriginOnly())`); the session routes here apply it themselves.
 * It does not look at Content-Type (uploads may come as other types); JSON bodies read with
 * `readLeadJson` must say `application/json`, which a cross-site form cannot send.
 */

export const LEAD_SESSION_COOKIE = 'tinjau_lead'
export const LEAD_COOKIE_PATH = '/lead'
export type LeadEnv = { Variables: { lead: { id: string; name: string; role: LeadRole } } }

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface SameOriginOptions {
  /**
   * Origins that also count as this site (`https://review.example.org`): behind a proxy that
   * ends TLS, the request this service sees is `http://`, while the browser's Origin is `https://`.
   */
  origins?: readonly string[]
}

/** The scheme and host the request was made to, as this service received it. */
function ownOrigin(c: Context): string {
  return new URL(c.req.url).origin
}

/** CSRF: a non-GET/HEAD/OPTIONS request must come from this site, by `Origin` or, without one, `Sec-Fetch-Site: same-origin`. */
export function sameOriginOnly(opts: SameOriginOptions = {}): MiddlewareHandler {
  const also = new Set((opts.origins ?? []).map((o) => new URL(o).origin))
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method.toUpperCase())) {
      const origin = c.req.header('origin')
      const allowed =
        origin !== undefined
          ? origin !== 'null' && (origin === ownOrigin(c) || also.has(origin))
          : c.req.header('sec-fetch-site')?.trim().toLowerCase() === 'same-origin'
      if (!allowed) throw new ServerError('forbidden', 'cross-site request refused')
    }
    await next()
  }
}

/**
 * The signed-in lead (from the session cookie) as `c.get('lead')`; none or one not in force:
 * `unauthorized`. With `role` 'admin', a lead without it: `forbidden`.
 */
export function requireLead(db: Db, role?: 'admin'): MiddlewareHandler<LeadEnv> {
  return async (c, next) => {
    const token = getCookie(c, LEAD_SESSION_COOKIE)
    if (!token) throw new ServerError('unauthorized', 'sign in first: this needs a lead session')
    const session = await resolveSession(db, token)
    if (!session) throw new ServerError('unauthorized', 'the session has ended or is unknown; sign in again')
    if (role === 'admin' && session.role !== 'admin') throw new ServerError('forbidden', 'this needs the admin role')
    c.set('lead', { id: session.leadId, name: session.name, role: session.role })
    await next()
  }
}

const MAX_JSON_BYTES = 64 * 1024

/** A JSON body (`Content-Type: application/json`, at most `maxBytes`) checked against `schema`; `invalid_request` otherwise. */
export async function readLeadJson<T extends z.ZodType>(c: Context, schema: T, maxBytes = MAX_JSON_BYTES): Promise<z.infer<T>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new ServerError('invalid_request', 'the body must be JSON, sent with "Content-Type: application/json"', [{ path: 'header.content-type', message: 'must be application/json' }])
  }
  const parsed = schema.safeParse(parseJsonBody(await readBody(c.req.raw, maxBytes)))
  if (!parsed.success) throw schemaError('body', parsed.error)
  return parsed.data
}

// ---- the session routes ---------------------------------------------------------------

export interface LeadSessionRoutesOptions {
  db: Db
  /** Mark the cookie Secure; by default when the request came over https. Set true behind a proxy that ends TLS. */
  secureCookie?: boolean
  /** Passed to `sameOriginOnly()`. */
  origins?: readonly string[]
  signInLimits?: SignInLimits
}

/**
 * `POST /session` (`{ id, password }` → the cookie and `{ lead, expires_at }`), `GET /session`
 * (the signed-in lead), `DELETE /session` (signs out, clears the cookie), relative to where
 * `app` is mounted (`/lead/api`).
 */
export function addLeadSessionRoutes(app: Hono<LeadEnv>, opts: LeadSessionRoutesOptions): void {
  const { db } = opts
  const sameOrigin = sameOriginOnly({ origins: opts.origins ?? [] })
  const secure = (c: Context) => opts.secureCookie ?? new URL(c.req.url).protocol === 'https:'
  const cookieOptions = (c: Context) => ({ path: LEAD_COOKIE_PATH, httpOnly: true, sameSite: 'Strict' as const, secure: secure(c) })

  app.post('/session', sameOrigin, async (c) => {
    const body = await readLeadJson(c, SignInBody, 16 * 1024)
    const result = await signIn(db, { id: body.id, password: body.password, address: clientAddress(c) }, opts.signInLimits ?? SIGN_IN_LIMITS)
    setCookie(c, LEAD_SESSION_COOKIE, result.token, { ...cookieOptions(c), maxAge: Math.floor(SESSION_LIFETIME_MS / 1000) })
    c.header('cache-control', 'no-store')
    const answer: SessionInfo = { lead: result.lead, expires_at: result.expiresAt }
    return c.json(answer)
  })

  app.get('/session', async (c) => {
    const token = getCookie(c, LEAD_SESSION_COOKIE)
    const session = token ? await resolveSession(db, token) : null
    if (!session) throw new ServerError('unauthorized', token ? 'the session has ended or is unknown; sign in again' : 'not signed in')
    c.header('cache-control', 'no-store')
    const answer: SessionInfo = { lead: { id: session.leadId, name: session.name, role: session.role }, expires_at: session.expiresAt }
    return c.json(answer)
  })

  app.delete('/session', sameOrigin, async (c) => {
    const token = getCookie(c, LEAD_SESSION_COOKIE)
    const ended = token ? await signOut(db, token) : false
    deleteCookie(c, LEAD_SESSION_COOKIE, cookieOptions(c))
    c.header('cache-control', 'no-store')
    const answer: SignOutResult = { signed_out: ended }
    return c.json(answer)
  })
}
