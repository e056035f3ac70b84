import { createWriteStream } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { readBoundedBody } from '../../shared/bounded-body'
import { ServerError } from '../errors'

/**
 * Request bodies, refused past a size before they are buffered: Content-Length first, then
 * the bytes actually received (a client may send none, or lie). Read whole through
 * shared/bounded-body.ts, as the web host's API does; streamed to a file here.
 */

function tooLarge(maxBytes: number, what: string): ServerError {
  return new ServerError('payload_too_large', `the ${what} is larger than ${maxBytes} bytes`)
}

function checkDeclared(req: Request, maxBytes: number, what: string): void {
  const declared = req.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes, what)
}

export async function readBody(req: Request, maxBytes: number, what = 'request body'): Promise<Buffer> {
  checkDeclared(req, maxBytes, what)
  // With a Content-Length the HTTP parser delivers exactly that many bytes, so the body is
  // bounded already and is taken whole: the Node adapter then hands over its buffer without
  // building a web Request and stream (a tenth of a push's time in the service). Without
  // one (chunked), it is counted as it arrives.
  const bytes = req.headers.get('content-length') !== null ? new Uint8Array(await req.arrayBuffer()) : await readBoundedBody(req, maxBytes)
  if (!bytes || bytes.byteLength > maxBytes) throw tooLarge(maxBytes, what)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The body streamed into `file` (which must not exist), at most `maxBytes`. */
export async function saveBody(req: Request, file: string, maxBytes: number, what: string): Promise<number> {
  checkDeclared(req, maxBytes, what)
  if (!req.body) throw new ServerError('invalid_request', `the ${what} is empty`)
  let size = 0
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      if (size > maxBytes) return done(tooLarge(maxBytes, what))
      done(null, chunk)
    },
  })
  await pipeline(Readable.fromWeb(req.body as unknown as Parameters<typeof Readable.fromWeb>[0]), limit, createWriteStream(file, { flags: 'wx' }))
  if (size === 0) throw new ServerError('invalid_request', `the ${what} is empty`)
  return size
}

/** JSON text → value, or `invalid_request` naming what and where. */
export function parseJsonBody(bytes: Buffer, what = 'request body'): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ServerError('invalid_request', `the ${what} is not valid UTF-8`, [{ path: 'body', message: 'not UTF-8' }])
  }
  if (text.trim() === '') throw new ServerError('invalid_request', `the ${what} is empty; JSON was expected`, [{ path: 'body', message: 'empty' }])
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new ServerError('invalid_request', `the ${what} is not valid JSON: ${reason}`, [{ path: 'body', message: reason }])
  }
}
