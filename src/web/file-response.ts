import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

/**
 * A file (or part of it) as a streamed response body: videos are never read into memory
 * whole, and the file handle closes when the client disconnects (cancel destroys the
 * Node stream).
 */
export function fileBody(file: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {})
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>
}
