import { close, read } from 'node:fs'
import { Readable } from 'node:stream'
import yauzl from 'yauzl'

/**
 * The zip file as yauzl reads it. Listing the central directory takes two small reads per
 * entry; one by one through the thread pool they cost ~35 µs each, seconds for 100,000
 * media files. While `listing` is set, reads are served from a 1 MiB window read ahead
 * (the central directory is read front to back), so thousands of entries cost one read.
 * Otherwise (local headers, entry data) reads are exact, so nothing is read twice.
 */

const WINDOW_BYTES = 1024 * 1024
/** Larger than a stream's default 16 KiB: fewer reads through the thread pool for big media. */
const STREAM_READ_BYTES = 128 * 1024

export class ZipFileReader extends yauzl.RandomAccessReader {
  listing = false
  private window: Buffer = Buffer.alloc(0)
  private windowAt = 0

  constructor(private readonly fd: number) {
    super()
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // Not fs.createReadStream: destroying one (a failed or cancelled entry) closes the
    // descriptor, which every other entry and yauzl's reference count still use.
    return new RangeStream(this.fd, start, end)
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const inWindow = position - this.windowAt
    if (this.listing && inWindow >= 0 && inWindow + length <= this.window.length) {
      this.window.copy(buffer, offset, inWindow, inWindow + length)
      queueMicrotask(() => callback(null))
      return
    }
    const size = this.listing ? Math.max(length, WINDOW_BYTES) : length
    const into = this.listing ? Buffer.allocUnsafe(size) : buffer
    const at = this.listing ? 0 : offset
    this.readFully(into, at, size, position, (err, got) => {
      if (err) return callback(err)
      if (this.listing) {
        this.window = into.subarray(0, got)
        this.windowAt = position
        if (got >= length) into.copy(buffer, offset, 0, length)
      }
      callback(got < length ? new Error('unexpected EOF') : null)
    })
  }

  override close(callback: (err: Error | null) => void): void {
    close(this.fd, callback)
  }

  /** Read until `length` bytes or the end of the file. */
  private readFully(buffer: Buffer, offset: number, length: number, position: number, done: (err: Error | null, got: number) => void): void {
    let got = 0
    const next = () => {
      read(this.fd, buffer, offset + got, length - got, position + got, (err, n) => {
        if (err) return done(err, got)
        got += n
        if (n === 0 || got >= length) return done(null, got)
        next()
      })
    }
    next()
  }
}

/** Bytes [start, end) of the file, by positioned reads, so streams of several entries may run at once. */
class RangeStream extends Readable {
  constructor(
    private readonly fd: number,
    private at: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: STREAM_READ_BYTES })
  }

  override _read(size: number): void {
    const want = Math.min(Math.max(size, STREAM_READ_BYTES), this.end - this.at)
    if (want <= 0) {
      this.push(null)
      return
    }
    const buffer = Buffer.allocUnsafe(want)
    read(this.fd, buffer, 0, want, this.at, (err, n) => {
      if (err) return this.destroy(err)
      if (n === 0) return this.destroy(new Error('unexpected end of file'))
      this.at += n
      this.push(n < want ? buffer.subarray(0, n) : buffer)
    })
  }
}
