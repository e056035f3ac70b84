import { verifyEd25519 } from '../../core/ed25519'
import { EnrollRequest, SIGNATURE_HEADER, type RevokeSelfResponse } from '../../shared/sync-protocol'
import { schemaError, ServerError } from '../errors'
import { enroll, revokeOwnToken } from '../ops/reviewers'
import { clientAddress, type SyncApp, type SyncAppOptions } from './app'
import { parseJsonBody, readBody } from './body'
import { decodeSignature } from './signature'

const MAX_ENROLL_BYTES = 16 * 1024

/**
 * `POST /v1/enroll`: a one-time code and the device's public key for a token. Limited per
 * address, since it has no token. A repeat of the same code by the same device (id and key)
 * gets a new token: the device may not have received the first answer (ops/reviewers.ts).
 */
export function addEnrollRoute(app: SyncApp, opts: SyncAppOptions): void {
  app.post('/v1/enroll', async (c) => {
    await opts.limiter.hit(`addr:${clientAddress(c)}`)
    const body = await readBody(c.req.raw, MAX_ENROLL_BYTES)
    const parsed = EnrollRequest.safeParse(parseJsonBody(body))
    if (!parsed.success) throw schemaError('body', parsed.error)
    // The request proves it holds the private half of the key it enrolls: without that, a
    // used code, a device id and a public key (none of them secret for long) would be
    // enough to take over the device's token with a repeat (see ops/reviewers.ts).
    if (!verifyEd25519(parsed.data.public_key, body, decodeSignature(c.req.header(SIGNATURE_HEADER)))) {
      throw new ServerError('bad_signature', `the ${SIGNATURE_HEADER} header does not verify over the body with body.public_key`)
    }
    return c.json(await enroll(opts.db, parsed.data))
  })
}

/**
 * `POST /v1/devices/self/revoke` (behind the token check): the device gives up the token
 * it authenticated with, when it unenrolls. Any body is ignored. Afterwards that token is
 * `unauthorized`; the device itself stays enrolled (not revoked), so it may enroll again.
 */
export function addSelfRevokeRoute(app: SyncApp, opts: SyncAppOptions): void {
  app.post('/v1/devices/self/revoke', async (c) => {
    // False only when a concurrent request replaced or revoked the token since it was
    // checked: either way it no longer works, which is what was asked.
    await revokeOwnToken(opts.db, c.get('device'))
    const body: RevokeSelfResponse = { revoked: true }
    return c.json(body)
  })
}
