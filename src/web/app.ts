import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { ProfileSession } from '../core/profile-session'
import { addApiRoute } from './api-route'
import { addEventsRoute } from './events-route'
import { addMediaRoute } from './media-route'
import { jsonError } from './responses'
import { loopbackOnly, securityHeaders } from './security'
import { addStaticRoute } from './static-route'
import { addUploadRoute } from './upload-route'

/** The web host's routes, without a socket: `server.ts` binds it to 127.0.0.1. */

export interface WebAppOptions {
  /**
   * The profile as it is over time: locked, being unlocked (the host may listen and serve
   * the renderer meanwhile; calls that need it wait), open (see core/profile-session.ts).
   */
  session: ProfileSession
  /**
   * Told when the profile is wanted while still unopened: a call is waiting for it
   * ('call'), or the browser has been sent the renderer's code ('asset', so the store can
   * open while the browser parses it). See serveUntilShutdown.
   */
  onProfileWanted?: ((why: 'call' | 'asset') => void) | undefined
  rendererDir: string
  secret: string
  /** The bound port, known only once listening; the Host check needs it. */
  port: () => number
  keepAliveMs: number
  maxBodyBytes: number
  openStreams: Set<() => void>
  inflight: Set<Promise<unknown>>
  log: (message: string, err?: unknown) => void
}

/** How long a call that needs the profile waits for the page's code to be asked for (see wantedByCall). */
export const CALL_GRACE_MS = 15

export function createWebApp(opts: WebAppOptions): Hono {
  const app = new Hono()
  app.use('*', securityHeaders())
  app.use('*', loopbackOnly(opts.port))

  const { session } = opts
  const open = () => session.current()
  // The page sends its start-up calls and then asks for the rest of its code (main.tsx):
  // opening the profile (which holds the thread for a few hundred ms) on the first call
  // would stall that code's response for the whole open. So a call waits a moment for the
  // code's request to arrive; while code is being sent, the end of its sending opens the
  // profile instead (below).
  let assetsInFlight = () => 0
  const wantedByCall = () =>
    setTimeout(() => {
      if (session.state !== 'unlocked' && assetsInFlight() === 0) opts.onProfileWanted?.('call')
    }, CALL_GRACE_MS).unref()
  /** Waits for an unlock under way; a start-up unlock that failed is a 503 saying why. */
  const settle = async (c: Context): Promise<Response | null> => {
    if (session.state === 'unlocked') return null
    wantedByCall()
    try {
      await session.settled()
    } catch (err) {
      return jsonError(c, 503, 'internal', `the profile could not be opened: ${err instanceof Error ? err.message : String(err)}`)
    }
    return null
  }
  // The lock's own methods and the event stream answer at once, whatever the profile's state
  // (the lock screen needs them); every other call waits for an unlock under way, and is
  // then refused by the session if the profile is locked.
  const waitForProfile: MiddlewareHandler = async (c, next) => {
    if (c.req.path === '/api/events' || c.req.path.startsWith('/api/profile.')) {
      if (session.state !== 'unlocked') wantedByCall()
      return next()
    }
    const failed = await settle(c)
    if (failed) return failed
    await next()
  }
  // Media and uploads: only while open; locked is a 423, so no byte of the profile leaves.
  const requireOpen: MiddlewareHandler = async (c, next) => {
    const failed = await settle(c)
    if (failed) return failed
    if (session.state !== 'unlocked') return jsonError(c, 423, 'locked', 'the profile is locked: unlock it first')
    await next()
  }
  app.use('/api/*', waitForProfile)
  app.use('/media/*', requireOpen)
  app.use('/upload/*', requireOpen)

  addEventsRoute(app, { tinjau: () => session, secret: opts.secret, keepAliveMs: opts.keepAliveMs, open: opts.openStreams })
  addApiRoute(app, {
    session,
    secret: opts.secret,
    maxBodyBytes: opts.maxBodyBytes,
    inflight: opts.inflight,
    onInternal: (err) => opts.log('internal error in an API call', err),
  })
  addMediaRoute(app, { tinjau: open, secret: opts.secret })
  addUploadRoute(app, { tinjau: open, secret: opts.secret })
  ;({ assetsInFlight } = addStaticRoute(app, opts.rendererDir, (codeSent) => {
    if (session.state !== 'unlocked' && codeSent) opts.onProfileWanted?.('asset')
  }))

  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`))
  app.onError((err, c) => {
    opts.log(`error serving ${c.req.method} ${c.req.path}`, err)
    return jsonError(c, 500, 'internal', 'internal error')
  })
  return app
}
