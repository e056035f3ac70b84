import { Readable } from 'node:stream'
import { protocol } from 'electron'
import { MEDIA_PROTOCOL } from '../shared/bridge'
import { parseByteRange } from '../shared/byte-range'
import { TinjauError } from '../shared/errors'
import type { ProfileFile } from '../core/profile-crypto/profile-file'
import type { Tinjau } from '../core/tinjau'

/**
 * `tinjau-media://media/<sha256>`: content-addressed media for <video> and <img>.
 * The URL carries a hash and nothing else; the file path comes only from
 * `MediaStore.pathFor`, so no part of a URL ever reaches the file system. Sizes and ranges
 * are of the clear bytes: an encrypted profile's objects are decrypted on the fly, only
 * the chunks a range touches.
 */

const MEDIA_URL = new RegExp(`^${MEDIA_PROTOCOL}://media/([0-9a-f]{64})$`)

/** Before `ready`: the scheme must be standard+secure for media seeking and fetch. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_PROTOCOL, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
  ])
}

/**
 * The sha256 a URL names, or null. The URL must be exactly
 * `tinjau-media://media/<64 lowercase hex>`: no other host, segment, query, fragment,
 * port or credentials. Both the raw string and its parsed form must match, so
 * normalisation (`..`, `%2e`, case) cannot smuggle anything through.
 */
export function mediaShaFromUrl(raw: string): string | null {
  const m = MEDIA_URL.exec(raw)
  if (!m) return null
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return null
  }
  if (u.href !== raw || u.host !== 'media' || u.pathname !== `/${m[1]}`) return null
  return m[1]!
}

/** What serving needs from the profile: a reader of a hash's clear bytes, and the recorded mime. */
export interface MediaSource {
  open(sha256: string): Promise<ProfileFile | null>
  mimeFor(sha256: string): string
}

export function mediaSourceFor(tinjau: Tinjau): MediaSource {
  return {
    open: (sha) => tinjau.media.open(sha),
    mimeFor: (sha) => tinjau.mediaType(sha),
  }
}

const text = (status: number, body: string, extra: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra } })

export async function serveMedia(request: Request, source: MediaSource): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed', { Allow: 'GET, HEAD' })
  const sha = mediaShaFromUrl(request.url)
  if (!sha) return text(400, 'bad media url')
  // Open once: the size and the bytes come from the same file.
  const reader = await source.open(sha)
  if (!reader) return text(404, 'no such media')
  let handedOver = false
  try {
    const size = reader.size
    const headers: Record<string, string> = {
      'Content-Type': source.mimeFor(sha),
      'Accept-Ranges': 'bytes',
      // Content-addressed: the bytes behind a hash never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      // The renderer's background hasher reads frames back through a canvas, which a
      // cross-origin source taints unless CORS allows it. Only this app's pages can reach
      // the scheme at all, so allowing any origin opens nothing to anyone else.
      'Access-Control-Allow-Origin': '*',
    }
    const range = parseByteRange(request.headers.get('range'), size)
    if (range === 'unsatisfiable') return text(416, 'range not satisfiable', { 'Content-Range': `bytes */${size}` })
    const { start, end } = range ?? { start: 0, end: size - 1 }
    const length = size === 0 ? 0 : end - start + 1
    headers['Content-Length'] = String(length)
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`
    const status = range ? 206 : 200
    if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers })
    const stream = reader.createReadStream({ start, end }) as Readable
    stream.once('close', () => void reader.close().catch(() => {}))
    handedOver = true
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers })
  } finally {
    if (!handedOver) await reader.close()
  }
}

/** After `ready`: serve the scheme from this profile. */
export function registerMediaProtocol(tinjau: Tinjau): void {
  const source = mediaSourceFor(tinjau)
  protocol.handle(MEDIA_PROTOCOL, (request) =>
    serveMedia(request, source).catch((err: unknown) => {
      // A locked profile (see live-profile.ts) is an answer, not a failure.
      if (err instanceof TinjauError && err.code === 'locked') return text(423, 'the profile is locked')
      console.error('tinjau: media request failed:', err)
      return text(500, 'media error')
    }),
  )
}
