import type { Hono } from 'hono'
import type { Tinjau } from '../core/tinjau'
import { parseByteRange } from '../shared/byte-range'
import { requireSecret } from './auth'
import { storedBody } from './file-response'
import { jsonError } from './responses'

/**
 * `GET /media/<sha256>`: content-addressed media. Only a sha256 ever reaches the media
 * store, which alone turns it into a path, so no request can name a file. The type
 * comes from the media_objects row written at import, never from the request. Sizes and
 * ranges are of the clear bytes; an encrypted profile's objects are decrypted on the fly,
 * only the chunks a range touches.
 */

export interface MediaRouteOptions {
  tinjau: () => Pick<Tinjau, 'media' | 'mediaType'>
  secret: string
}

const SHA256 = /^[0-9a-f]{64}$/

export function addMediaRoute(app: Hono, opts: MediaRouteOptions): void {
  app.get('/media/:sha', requireSecret(opts.secret, { allowQuery: true }), async (c) => {
    const sha = c.req.param('sha')
    if (!SHA256.test(sha)) return jsonError(c, 400, 'invalid_input', 'a media address is a sha256: 64 lowercase hex characters')
    const reader = await opts.tinjau().media.open(sha)
    if (!reader) return jsonError(c, 404, 'not_found', `no media object ${sha}`)
    let handedOver = false
    try {
      const size = reader.size
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
      const length = range === null ? size : range.end - range.start + 1
      const status = range === null ? 200 : 206
      const all: Record<string, string> = { ...headers, 'Content-Length': String(length) }
      if (range !== null) all['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`
      if (head || length === 0) return new Response(null, { status, headers: all })
      handedOver = true
      return new Response(storedBody(reader, range ?? undefined), { status, headers: all })
    } finally {
      if (!handedOver) await reader.close()
    }
  })
}
