import type { Hono } from 'hono'
import type { ProfileSession } from '../core/profile-session'
import { HTTP_STATUS_FOR_ERROR } from '../shared/bridge'
import { requireSecret } from './auth'
import { readJsonBody } from './json-body'

/**
 * `POST /api/<method>`: the contract over HTTP. Order matters: the secret is checked
 * before the body is even read, and the payload goes through the same `dispatch` (and so
 * the same zod schemas) as Electron's IPC handlers.
 */

export interface ApiRouteOptions {
  /** The profile as it is over time; it serves the contract (refusing calls while locked). */
  session: ProfileSession
  secret: string
  maxBodyBytes: number
  onInternal: (err: unknown) => void
  /** Calls still running, so closing the host can wait for them before the store closes. */
  inflight: Set<Promise<unknown>>
}

/**
 * The contract (zod schemas for every method) is loaded on the first call, not at start:
 * the host listens, and the browser loads the renderer, while it loads.
 */
let contractDispatch: Promise<typeof import('../shared/dispatch').dispatch> | null = null
const loadDispatch = () => (contractDispatch ??= import('../shared/dispatch').then((m) => m.dispatch))

export function addApiRoute(app: Hono, opts: ApiRouteOptions): void {
  app.post('/api/:method', requireSecret(opts.secret, { allowQuery: false }), async (c) => {
    const body = await readJsonBody(c.req.raw, opts.maxBodyBytes)
    if (!body.ok) return c.json({ ok: false, error: body.error }, body.status)
    const dispatch = await loadDispatch()
    // No gate here: the session waits for an import holding the store itself (profile-session.ts).
    const call = dispatch(opts.session.handlers, c.req.param('method'), body.value, opts.onInternal)
    opts.inflight.add(call)
    const result = await call.finally(() => opts.inflight.delete(call))
    return c.json(result, result.ok ? 200 : HTTP_STATUS_FOR_ERROR[result.error.code])
  })
}
