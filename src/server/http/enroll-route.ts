import { EnrollRequest } from '../../shared/sync-protocol'
import { schemaError } from '../errors'
import { enroll } from '../ops/reviewers'
import { clientAddress, type SyncApp, type SyncAppOptions } from './app'
import { parseJsonBody, readBody } from './body'

const MAX_ENROLL_BYTES = 16 * 1024

/** `POST /v1/enroll`: a one-time code and the device's public key for a token. Limited per address, since it has no token. */
export function addEnrollRoute(app: SyncApp, opts: SyncAppOptions): void {
  app.post('/v1/enroll', async (c) => {
    await opts.limiter.hit(`addr:${clientAddress(c)}`)
    const raw = parseJsonBody(await readBody(c.req.raw, MAX_ENROLL_BYTES))
    const parsed = EnrollRequest.safeParse(raw)
    if (!parsed.success) throw schemaError('body', parsed.error)
    return c.json(await enroll(opts.db, parsed.data))
  })
}
