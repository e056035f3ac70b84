import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { TinjauError } from '../../shared/errors'
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION, type HealthResponse } from '../../shared/sync-protocol'
import { one, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import type { MediaStore } from '../media'
import { isRevokedDeviceToken, type AuthenticatedDevice } from '../ops/reviewers'
import { addMediaRoute } from './media-route'
import { addPullRoutes } from './pull-routes'
import { addPushRoutes } from './push-routes'
import { addEnrollRoute, addSelfRevokeRoute } from './enroll-route'
import type { RateLimiter } from './rate-limit'
import type { Policy } from '../../shared/policy'
import { LEAD_API_PATH } from '../../shared/lead-api'
import { createLeadApi } from './lead-api'
import { addLeadConsoleRoute } from './lead-console-route'

/**
 * The sync service's HTTP face (docs/sync-protocol.md), without a socket: server.ts binds
 * it. Every answer carries the protocol version; every error is `{ "error": { code,
 * message, details? } }` with the protocol's status; anything unexpected is logged here
 * and answered `server_error` (or `unavailable` when the database is gone) without its text.
 */

export type SyncEnv = { Variables: { device: AuthenticatedDevice } }
export type SyncApp = Hono<SyncEnv>

export interface SyncAppOptions {
  db: Db
  media: MediaStore
  limiter: RateLimiter
  /** Where uploaded decision packs wait while they are checked. */
  tmpDir: string
  log: (message: string, err?: unknown) => void
  /** The policy outcomes are checked against and DSA statements made with. */
  policy: Policy
  /** Origins that also count as the lead console's own (behind a proxy that ends TLS); see lead-auth.ts. */
  leadOrigins?: readonly string[]
  /** Mark the lead session cookie Secure even when the request came over http (behind a proxy that ends TLS). */
  secureCookie?: boolean
  /** The built lead console (out/lead), served under /lead/; null or absent: its pages say how to build it. */
  leadConsoleDir?: string | null
}

export function errorResponse(err: ServerError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) }
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter)
  return new Response(JSON.stringify(err.toBody()), { status: err.status, headers })
}

// Connection-level failures of the database: the request may be repeated later.
const DB_GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'])

function asServerError(err: unknown, log: SyncAppOptions['log'], c: Context): ServerError {
  if (err instanceof ServerError) return err
  // Core's checks (a decision pack's zip, say) word their refusals for the user already.
  if (err instanceof TinjauError && (err.code === 'invalid_input' || err.code === 'invalid_pack')) {
    return new ServerError('invalid_request', err.message, err.details)
  }
  log(`error serving ${c.req.method} ${c.req.path}`, err)
  const code = (err as { code?: unknown; cause?: { code?: unknown } })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code
  if (typeof code === 'string' && DB_GONE.has(code)) return new ServerError('unavailable', 'the service cannot reach its database; repeat later')
  return new ServerError('server_error', 'the service failed to handle the request; it may be repeated')
}

/** The caller's address, for limits on requests without a token. */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export function createSyncApp(opts: SyncAppOptions): SyncApp {
  const app = new Hono<SyncEnv>()

  app.use('*', async (c, next) => {
    const spoken = c.req.header(PROTOCOL_HEADER)
    // Absent is accepted (curl, a load balancer's probe); a different version never is.
    if (spoken !== undefined && spoken.trim() !== String(SYNC_PROTOCOL_VERSION)) {
      throw new ServerError(
        'protocol_mismatch',
        `this service speaks protocol version ${SYNC_PROTOCOL_VERSION}; the request says ${JSON.stringify(spoken.slice(0, 20))} in the ${PROTOCOL_HEADER} header`,
        [{ path: `header.${PROTOCOL_HEADER}`, message: `must be ${SYNC_PROTOCOL_VERSION}` }],
      )
    }
    await next()
    c.res.headers.set(PROTOCOL_HEADER, String(SYNC_PROTOCOL_VERSION))
  })

  app.get('/v1/health', async (c) => {
    await one(opts.db, sql`SELECT 1`)
    const body: HealthResponse = { service: 'tinjau-sync', protocol: SYNC_PROTOCOL_VERSION, time: new Date().toISOString() }
    return c.json(body)
  })

  addEnrollRoute(app, opts)
  const auth = requireDevice(opts)
  app.use('/v1/decisions', auth)
  app.use('/v1/decision-packs', auth)
  app.use('/v1/assignments', auth)
  app.use('/v1/media/*', auth)
  app.use('/v1/notices', auth)
  app.use('/v1/devices/self/revoke', auth)
  app.use('/v1/devices/self/status', auth)
  app.use('/v1/outcomes', auth)
  app.use('/v1/media-hashes', auth)
  addPushRoutes(app, opts)
  addPullRoutes(app, opts)
  addMediaRoute(app, opts)
  addSelfRevokeRoute(app, opts)
  // The lead console's API: sessions by cookie, never a device's token (and vice versa).
  app.route(
    LEAD_API_PATH,
    createLeadApi({
      db: opts.db,
      media: opts.media,
      tmpDir: opts.tmpDir,
      policy: opts.policy,
      ...(opts.leadOrigins ? { origins: opts.leadOrigins } : {}),
      ...(opts.secureCookie === undefined ? {} : { secureCookie: opts.secureCookie }),
    }),
  )
  addLeadConsoleRoute(app, opts.leadConsoleDir ?? null)

  app.notFound((c) => errorResponse(new ServerError('not_found', `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`)))
  app.onError((err, c) => errorResponse(asServerError(err, opts.log, c)))
  return app
}

/**
 * `Authorization: Bearer <token>` → the device (unknown: `unauthorized`; a device the
 * organisation revoked: `device_revoked`, so the device wipes its profile), then
 * the device's rate limit. Failed attempts count against the caller's address.
 */
function requireDevice(opts: SyncAppOptions): MiddlewareHandler<SyncEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    // Found: counted against the device's limit in the same statement.
    const device = match ? await opts.limiter.device(match[1]!) : null
    if (!device) {
      await opts.limiter.hit(`addr:${clientAddress(c)}`)
      if (match && (await isRevokedDeviceToken(opts.db, match[1]!))) {
        throw new ServerError('device_revoked', 'this device was revoked by its organisation; it must wipe its profile and may not enroll again')
      }
      throw new ServerError(
        'unauthorized',
        match ? 'the token is unknown (given up when the device unenrolled, or replaced); enroll again' : 'this request needs "Authorization: Bearer <token>" (the token enrollment gave)',
      )
    }
    c.set('device', device)
    await next()
  }
}
