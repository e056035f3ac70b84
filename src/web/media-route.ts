import { stat } from 'node:fs/promises'
import type { Hono } from 'hono'
import type { Tinjau } from '../core/tinjau'
import { parseByteRange } from '../shared/byte-range'
import { requireSecret } from './auth'
import { fileBody } from './file-response'
import { jsonError } from './responses'

/**
 * `GET /media/<sha256>`: content-addressed media. Only a sha256 ever reaches the media
 * store, which alone turns it into a path, so no request can name a file. The type
 * comes from the media_objects row written at import, never from the request.
 */

export interface MediaRouteOptions {
  tinjau: () => Pick<Tinjau, 'media' | 'mediaType'>
  secret: string
}

const SHA256 = /^[0-9a-f]{64}$/

export function addMediaRoute(app: Hono, opts: MediaRouteOptions): void {
  app.get('/media/:sha', requireSecret(opts.secret, { allowQuery: true }), async (c) => {
    const sha = c.req.param('sha')
    const file = SHA256.test(sha) ? opts.tinjau().media.pathFor(sha) : null
    if (!file) return jsonError(c, 400, 'invalid_input', 'a media address is a sha256: 64 lowercase hex characters')
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) return jsonError(c, 404, 'not_found', `no media object ${sha}`)

    const size = info.size
    const headers: Record<string, string> = {
      'Content-Type': opts.tinjau().mediaType(sha),
      'Accept-Ranges': 'bytes',
      // The address is the content's hash: it can never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${sha}"`,
    }
    const range = parseByteRange(c.req.header('range'), size)
    if (range === 'unsatisfiable') {
      return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } })
    }
    const head = c.req.method === 'HEAD'
    if (range === null) {
      return new Response(head ? null : fileBody(file), { status: 200, headers: { ...headers, 'Content-Length': String(size) } })
    }
    return new Response(head ? null : fileBody(file, range), {
      status: 206,
      headers: {
        ...headers,
        'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
        'Content-Length': String(range.end - range.start + 1),
      },
    })
  })
}
