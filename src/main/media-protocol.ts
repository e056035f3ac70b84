import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { protocol } from 'electron'
import { MEDIA_PROTOCOL } from '../shared/bridge'
import type { Tinjau } from '../core/tinjau'

/**
 * `tinjau-media://media/<sha256>`: content-addressed media for <video> and <img>.
 * The URL carries a hash and nothing else; the file path comes only from
 * `MediaStore.pathFor`, so no part of a URL ever reaches the file system.
 */

const MEDIA_URL = new RegExp(`^${MEDIA_PROTOCOL}://media/([0-9a-f]{64})$`)

/** Before `ready`: the scheme must be standard+secure for media seeking and fetch. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_PROTOCOL, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
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

export type ByteRange = { start: number; end: number }

/**
 * One `Range: bytes=...` header against a file of `size` bytes (RFC 9110 §14).
 * - `null`: no usable range, serve the whole file (absent, malformed, or several ranges,
 *   which a server may ignore);
 * - `'unsatisfiable'`: answer 416;
 * - `{ start, end }`: inclusive byte positions, clamped to the file.
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!m) return null
  const [, a = '', b = ''] = m
  if (a === '' && b === '') return null
  const first = a === '' ? null : Number(a)
  const last = b === '' ? null : Number(b)
  if ((first !== null && !Number.isSafeInteger(first)) || (last !== null && !Number.isSafeInteger(last))) return null
  if (first === null) {
    // Suffix range: the last `last` bytes.
    if (last === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - last!), end: size - 1 }
  }
  if (last !== null && last < first) return null
  if (first >= size) return 'unsatisfiable'
  return { start: first, end: last === null ? size - 1 : Math.min(last, size - 1) }
}

/**
 * Mime types we let a pack declare. Anything else (text/html, image/svg+xml, ...) is
 * served as an opaque download type, so a hostile pack cannot get a document or script
 * rendered from our scheme.
 */
export function safeMime(mime: string | null | undefined): string {
  if (!mime) return 'application/octet-stream'
  const m = mime.trim().toLowerCase()
  if (/^(video|audio)\/[a-z0-9][a-z0-9.+-]*$/.test(m)) return m
  if (/^image\/(png|jpeg|gif|webp|avif)$/.test(m)) return m
  return 'application/octet-stream'
}

/** What serving needs from the profile: a path for a hash, and the recorded mime. */
export interface MediaSource {
  pathFor(sha256: string): string | null
  mimeFor(sha256: string): string | undefined
}

export function mediaSourceFor(tinjau: Tinjau): MediaSource {
  const mime = tinjau.store.sqlite.prepare('SELECT mime FROM media_objects WHERE sha256 = ?').pluck()
  return {
    pathFor: (sha) => tinjau.media.pathFor(sha),
    mimeFor: (sha) => mime.get(sha) as string | undefined,
  }
}

const text = (status: number, body: string, extra: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra } })

export async function serveMedia(request: Request, source: MediaSource): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed', { Allow: 'GET, HEAD' })
  const sha = mediaShaFromUrl(request.url)
  if (!sha) return text(400, 'bad media url')
  const file = source.pathFor(sha)
  if (!file) return text(400, 'bad media url')

  // Open once and stat the handle, so the size and the bytes come from the same file.
  let fh
  try {
    fh = await open(file, 'r')
  } catch {
    return text(404, 'no such media')
  }
  let handedOver = false
  try {
    const stat = await fh.stat()
    if (!stat.isFile()) return text(404, 'no such media')
    const size = stat.size
    const headers: Record<string, string> = {
      'Content-Type': safeMime(source.mimeFor(sha)),
      'Accept-Ranges': 'bytes',
      // Content-addressed: the bytes behind a hash never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    }
    const range = parseRange(request.headers.get('range'), size)
    if (range === 'unsatisfiable') return text(416, 'range not satisfiable', { 'Content-Range': `bytes */${size}` })
    const { start, end } = range ?? { start: 0, end: size - 1 }
    const length = size === 0 ? 0 : end - start + 1
    headers['Content-Length'] = String(length)
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`
    const status = range ? 206 : 200
    if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers })
    const stream = fh.createReadStream({ start, end, autoClose: true })
    handedOver = true
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers })
  } finally {
    if (!handedOver) await fh.close()
  }
}

/** After `ready`: serve the scheme from this profile. */
export function registerMediaProtocol(tinjau: Tinjau): void {
  const source = mediaSourceFor(tinjau)
  protocol.handle(MEDIA_PROTOCOL, (request) =>
    serveMedia(request, source).catch((err: unknown) => {
      console.error('tinjau: media request failed:', err)
      return text(500, 'media error')
    }),
  )
}
