import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { ProfileFile } from '../core/profile-crypto/profile-file'

/**
 * A file (or part of it) as a streamed response body: videos are never read into memory
 * whole, and the file handle closes when the client disconnects (cancel destroys the
 * Node stream). `onClose` runs once the file has been read to its end and handed on, or the
 * client went away.
 */
export function fileBody(file: string, range?: { start: number; end: number }, onClose?: () => void): ReadableStream<Uint8Array> {
  const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {})
  if (onClose) stream.once('close', onClose)
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>
}

/**
 * A stored object's clear bytes (or a range of them) as a streamed response body, read through
 * its reader (decrypting only the chunks the range touches in an encrypted profile). The
 * reader is closed once the stream ends or the client goes away.
 */
export function storedBody(reader: ProfileFile, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  const stream = reader.createReadStream(range) as Readable
  stream.once('close', () => void reader.close().catch(() => {}))
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>
}
