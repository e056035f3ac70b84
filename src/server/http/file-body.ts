import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

/** A file (or part of it) as a streamed body; the file closes when the client goes away. */
export function fileBody(file: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(file, range ? { start: range.start, end: range.end } : {})) as ReadableStream<Uint8Array>
}
