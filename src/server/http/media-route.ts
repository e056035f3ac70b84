import { stat } from 'node:fs/promises'
import { parseByteRange } from '../../shared/byte-range'
import { one, sql } from '../db/open'
import { ServerError } from '../errors'
import type { MediaStore } from '../media'
import type { SyncApp, SyncAppOptions } from './app'
import { fileBody } from './file-body'

/**
 * `GET /v1/media/<sha256>`: a media object by its hash, with single Range requests (so a
 * device resumes a download where it stopped), only when it belongs to a clip assigned to
 * the reviewer now. Media of clips not theirs is refused the same way whether it exists or
 * not. Only a sha256 ever reaches the media store, which alone turns it into a path.
 */

export const SHA256_HEX = /^[0-9a-f]{64}$/


/** A media object by its hash, whole or one byte range (HEAD: the headers only); `not_found` when the store lacks it. */
export async function mediaResponse(media: MediaStore, sha: string, mime: string | null, method: string, rangeHeader: string | undefined): Promise<Response> {
  const file = media.pathFor(sha)
  const info = file ? await stat(file).catch(() => null) : null
  if (!file || !info?.isFile()) throw new ServerError('not_found', `media ${sha} is missing from the service's media store`)

  const size = info.size
  const headers: Record<string, string> = {
    'content-type': mime ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    // The address is the content's hash: it never changes.
    'cache-control': 'private, max-age=31536000, immutable',
    etag: `"${sha}"`,
  }
  const range = parseByteRange(rangeHeader, size)
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } })
  }
  const head = method === 'HEAD'
  if (range === null) return new Response(head ? null : fileBody(file), { status: 200, headers: { ...headers, 'content-length': String(size) } })
  return new Response(head ? null : fileBody(file, range), {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) },
  })
}

export function addMediaRoute(app: SyncApp, opts: SyncAppOptions): void {
  app.on(['GET', 'HEAD'], '/v1/media/:sha', async (c) => {
    const sha = c.req.param('sha')
    if (!SHA256_HEX.test(sha)) {
      throw new ServerError('invalid_request', 'a media address is a sha256: 64 lowercase hex characters', [{ path: 'path.sha256', message: '64 lowercase hex characters' }])
    }
    const reviewerId = c.get('device').reviewerId
    const held = await one<{ mime: string | null }>(
      opts.db,
      sql`SELECT (SELECT mime FROM media_objects WHERE sha256 = ${sha}) AS mime
          WHERE EXISTS (SELECT 1 FROM clips cl JOIN assignments a ON a.clip_id = cl.id AND a.reviewer_id = ${reviewerId} AND a.active
                        WHERE cl.media_sha256 = ${sha})
             OR EXISTS (SELECT 1 FROM clips cl JOIN assignments a ON a.clip_id = cl.id AND a.reviewer_id = ${reviewerId} AND a.active
                        WHERE cl.poster_sha256 = ${sha})`,
    )
    if (!held) throw new ServerError('forbidden', `media ${sha} is not part of a clip assigned to reviewer "${reviewerId}"`)
    return mediaResponse(opts.media, sha, held.mime, c.req.method, c.req.header('range'))
  })
}
