import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

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
