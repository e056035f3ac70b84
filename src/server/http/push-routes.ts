import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { verifyEd25519 } from '../../core/ed25519'
import { MAX_PUSH_BODY_BYTES, PushRequest, SIGNATURE_HEADER, type PushResponse } from '../../shared/sync-protocol'
import { schemaError, ServerError } from '../errors'
import { decodeSignature } from './signature'
import { ingestDecisionPack } from '../ops/decision-packs'
import { storeDecisions } from '../ops/decisions'
import { storeMediaHashes } from '../ops/media-hashes'
import type { SyncApp, SyncAppOptions } from './app'
import { parseJsonBody, readBody, saveBody } from './body'

/** The largest decision pack taken over HTTP: the size the app's verifier reads (decisions.json ≤ 512 MiB), deflated. */
export const MAX_DECISION_PACK_BYTES = 512 * 1024 * 1024

/**
 * `POST /v1/decisions` and `POST /v1/decision-packs`. The signature is checked over the
 * exact bytes received before anything in them is trusted or even parsed; the bytes and
 * the signature are then stored with the decisions they carried.
 */
export function addPushRoutes(app: SyncApp, opts: SyncAppOptions): void {
  app.post('/v1/decisions', async (c) => {
    const device = c.get('device')
    const body = await readBody(c.req.raw, MAX_PUSH_BODY_BYTES, 'push body')
    const signature = decodeSignature(c.req.header(SIGNATURE_HEADER))
    if (!verifyEd25519(device.publicKey, body, signature)) {
      throw new ServerError('bad_signature', `the ${SIGNATURE_HEADER} header does not verify over the body with the key device ${device.deviceId} enrolled with`)
    }
    const parsed = PushRequest.safeParse(parseJsonBody(body, 'push body'))
    if (!parsed.success) throw schemaError('body', parsed.error)
    const push = parsed.data
    if (push.device_id !== device.deviceId) {
      throw new ServerError('forbidden', `body.device_id "${push.device_id}" is not the device this token belongs to (${device.deviceId})`, [
        { path: 'body.device_id', message: 'not the token’s device' },
      ])
    }
    const results = push.decisions.length === 0 ? [] : await storeDecisions(opts.db, device, push.decisions, { kind: 'push', ref: push.batch_id, body, signature })
    const response: PushResponse = { results }
    // After the decisions, which never wait on their media's hashes: one statement for all of them.
    if (push.media_hashes) response.media_hashes = await storeMediaHashes(opts.db, device, push.media_hashes)
    return c.json(response)
  })

  app.post('/v1/decision-packs', async (c) => {
    const file = path.join(opts.tmpDir, `upload-${randomBytes(8).toString('hex')}.zip`)
    try {
      await saveBody(c.req.raw, file, MAX_DECISION_PACK_BYTES, 'decision pack')
      return c.json(await ingestDecisionPack(opts.db, file))
    } finally {
      await rm(file, { force: true })
    }
  })
}

