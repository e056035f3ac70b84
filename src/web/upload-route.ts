import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { Hono } from 'hono'
import type { Tinjau } from '../core/tinjau'
import { WEB_UPLOAD_PATH } from '../shared/bridge'
import { requireSecret } from './auth'
import { jsonError } from './responses'

/**
 * `POST /upload/pack`: a pack zip the reviewer picked or dropped in the browser, which
 * cannot hand the host a path. The body is streamed to a fresh file under the profile's
 * uploads folder (never buffered, never anywhere else, cut off past the import's own size
 * limits); the answer is that file's path, for `pack.import`, which removes it when done.
 * The file's name is taken from `X-File-Name` only to keep its `.zip` ending.
 */

export interface UploadRouteOptions {
  tinjau: () => Tinjau
  secret: string
}

class TooLarge extends Error {}

export function addUploadRoute(app: Hono, opts: UploadRouteOptions): void {
  app.post(WEB_UPLOAD_PATH, requireSecret(opts.secret, { allowQuery: false }), async (c) => {
    const tinjau = opts.tinjau()
    const limit = tinjau.imports.maxUploadBytes()
    const declared = Number(c.req.header('content-length') ?? NaN)
    if (declared > limit) return jsonError(c, 413, 'invalid_pack', `the upload is ${declared} bytes, over the import limit of ${limit} bytes`)
    const body = c.req.raw.body
    if (!body) return jsonError(c, 400, 'invalid_input', 'the upload has no body: send the pack zip as the request body')
    const name = decodeName(c.req.header('x-file-name'))
    const target = tinjau.imports.uploadPath(randomBytes(12).toString('hex'), name)
    let received = 0
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length
        if (received > limit) done(new TooLarge())
        else done(null, chunk)
      },
    })
    try {
      await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), counter, createWriteStream(target, { flags: 'wx', mode: 0o600 }))
    } catch (err) {
      await rm(target, { force: true })
      if (err instanceof TooLarge) return jsonError(c, 413, 'invalid_pack', `the upload is over the import limit of ${limit} bytes`)
      return jsonError(c, 400, 'invalid_input', `the upload did not arrive whole: ${err instanceof Error ? err.message : String(err)}`)
    }
    return c.json({ ok: true, value: { path: target, bytes: received } })
  })
}

function decodeName(header: string | undefined): string {
  try {
    return decodeURIComponent(header ?? '').slice(0, 255)
  } catch {
    return ''
  }
}
