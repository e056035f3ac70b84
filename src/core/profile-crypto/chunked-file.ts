import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { close, closeSync, fstat, fstatSync, fsyncSync, open, openSync, read, readSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { open as openFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { promisify } from 'node:util'

/**
 * The encrypted file format of a profile's media and imported pack.json files (issue 15,
 * docs/encryption.md "Files: media and packs").
 *
 *   header  : magic "TINJAUE1" (8) · version u8 (1) · reserved (3, zero) · chunk size u32 BE (4) · salt (32)  = 48 bytes
 *   chunk i : AES-256-GCM(ciphertext of up to `chunk size` plaintext bytes) · tag (16)
 *
 * Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds fewer
 * (possibly none), so a file whose size is a multiple of the chunk size ends with an empty
 * final chunk. That lets a stream seal a chunk the moment it fills without knowing whether
 * more follows, and makes the plaintext size a function of the file size alone.
 * Per-file key = HKDF-SHA256(files key, salt, "tinjau file chunk v1"); nonce = the chunk index
 * as a 96-bit big-endian counter (unique under that key); additional data = the header, the
 * chunk index (u64 BE) and a final-chunk flag, so a chunk moved, swapped in from another
 * file, or a file cut at a chunk boundary fails authentication.
 */

export const MAGIC = Buffer.from('TINJAUE1', 'latin1')
export const FORMAT_VERSION = 1
export const HEADER_BYTES = 48
export const CHUNK_BYTES = 64 * 1024
export const TAG_BYTES = 16
const SALT_BYTES = 32
const INFO = 'tinjau file chunk v1'
const MIN_CHUNK = 1024
const MAX_CHUNK = 16 * 1024 * 1024
/** Chunks per file-system read or write: large I/O, few system calls. */
const CHUNKS_PER_IO = 16

const readP = promisify(read)
const openP = promisify(open)
const closeP = promisify(close)
const fstatP = promisify(fstat)

/** A file that is not what it should be: names the file and, where it applies, the chunk. */
export class EncryptedFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly chunk?: number,
  ) {
    super(`${file}: ${message}`)
    this.name = 'EncryptedFileError'
  }
}

/** Random access to a file's plaintext; the same shape for clear files (see profile-file.ts). */
export interface EncryptedFile {
  readonly size: number /* plaintext bytes */
  read(offset: number, length: number): Promise<Buffer>
  /** `into`, when given, receives the bytes (a window reused across reads); the result is its first `length` bytes. */
  readSync(offset: number, length: number, into?: Buffer): Buffer
  createReadStream(range?: { start: number; end: number /* inclusive */ }): NodeJS.ReadableStream
  close(): Promise<void>
  closeSync(): void
}

function checkKey(fileKey: Buffer): void {
  if (!Buffer.isBuffer(fileKey) || fileKey.length !== 32) throw new Error('a files key is 32 bytes')
}

function newHeader(chunkBytes = CHUNK_BYTES): Buffer {
  const h = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(h, 0)
  h.writeUInt8(FORMAT_VERSION, 8)
  h.writeUInt32BE(chunkBytes, 12)
  randomBytes(SALT_BYTES).copy(h, 16)
  return h
}

function fileKeyFor(fileKey: Buffer, header: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, header.subarray(16, 16 + SALT_BYTES), INFO, 32))
}

/** Nonce and additional data of chunk `index`, written into reusable buffers. */
class ChunkParams {
  readonly nonce = Buffer.alloc(12)
  readonly aad: Buffer
  constructor(header: Buffer) {
    this.aad = Buffer.alloc(HEADER_BYTES + 9)
    header.copy(this.aad, 0)
  }
  set(index: number, final: boolean): void {
    this.nonce.fill(0, 0, 4)
    this.nonce.writeUInt32BE(Math.floor(index / 2 ** 32), 4)
    this.nonce.writeUInt32BE(index >>> 0, 8)
    this.aad.writeUInt32BE(Math.floor(index / 2 ** 32), HEADER_BYTES)
    this.aad.writeUInt32BE(index >>> 0, HEADER_BYTES + 4)
    this.aad.writeUInt8(final ? 1 : 0, HEADER_BYTES + 8)
  }
}

/** Seals consecutive chunks of one file. */
class ChunkSealer {
  readonly header = newHeader()
  private readonly key: Buffer
  private readonly params = new ChunkParams(this.header)
  private index = 0
  constructor(fileKey: Buffer) {
    checkKey(fileKey)
    this.key = fileKeyFor(fileKey, this.header)
  }
  /** Ciphertext and tag of the next chunk, written into `out` at `at`; returns the bytes written. */
  sealInto(plain: Buffer, final: boolean, out: Buffer, at: number): number {
    this.params.set(this.index++, final)
    const c = createCipheriv('aes-256-gcm', this.key, this.params.nonce)
    c.setAAD(this.params.aad)
    const ct = c.update(plain)
    ct.copy(out, at)
    const tail = c.final()
    tail.copy(out, at + ct.length)
    c.getAuthTag().copy(out, at + ct.length + tail.length)
    return plain.length + TAG_BYTES
  }
}

/** Magic-number check: does this file begin with the encrypted-file header? */
export function isEncryptedFile(filePath: string): boolean {
  const fd = openSync(filePath, 'r')
  try {
    const b = Buffer.alloc(MAGIC.length)
    return readSync(fd, b, 0, b.length, 0) === b.length && b.equals(MAGIC)
  } finally {
    closeSync(fd)
  }
}

function tempNameFor(dstPath: string): string {
  return path.join(path.dirname(dstPath), `.${path.basename(dstPath)}.enc-${randomBytes(6).toString('hex')}`)
}

const TEMP_NAME = /^\..+\.enc-[0-9a-f]{12}$/

/**
 * Whether a file name is one of this module's temporary names (`.<name>.enc-<12 hex>`, beside
 * the file being written). One left behind was never renamed into place — a crash mid-write —
 * and is safe to delete.
 */
export function isEncryptTempName(name: string): boolean {
  return TEMP_NAME.test(name)
}

/**
 * Encrypt a whole clear file into dst (dst written under a temp name beside it, fsynced,
 * renamed into place). `srcPath` may equal `dstPath`: the source is read whole before the
 * rename. Reads and writes 1 MiB at a time without blocking the event loop between them.
 */
export async function encryptFileTo(srcPath: string, dstPath: string, fileKey: Buffer): Promise<{ plainBytes: number }> {
  const sealer = new ChunkSealer(fileKey)
  const tmp = tempNameFor(dstPath)
  const src = await openFile(srcPath, 'r')
  let dst: FileHandle | null = null
  let plainBytes = 0
  try {
    dst = await openFile(tmp, 'wx')
    await dst.write(sealer.header)
    const inBuf = Buffer.allocUnsafe(CHUNK_BYTES * CHUNKS_PER_IO)
    const outBuf = Buffer.allocUnsafe((CHUNK_BYTES + TAG_BYTES) * CHUNKS_PER_IO)
    let pending = 0 // clear bytes in inBuf not yet sealed
    for (;;) {
      const { bytesRead } = await src.read(inBuf, pending, inBuf.length - pending, null)
      pending += bytesRead
      plainBytes += bytesRead
      const eof = bytesRead === 0
      // A full chunk is never the final one (the final chunk is always short): seal them at once.
      let at = 0
      let outAt = 0
      while (pending - at >= CHUNK_BYTES) {
        outAt += sealer.sealInto(inBuf.subarray(at, at + CHUNK_BYTES), false, outBuf, outAt)
        at += CHUNK_BYTES
      }
      if (eof) outAt += sealer.sealInto(inBuf.subarray(at, pending), true, outBuf, outAt)
      for (let done = 0; done < outAt; ) done += (await dst.write(outBuf, done, outAt - done)).bytesWritten
      if (eof) break
      inBuf.copy(inBuf, 0, at, pending)
      pending -= at
    }
    await dst.sync()
    await dst.close()
    dst = null
    await src.close()
    await rename(tmp, dstPath)
    return { plainBytes }
  } catch (err) {
    await dst?.close().catch(() => {})
    await src.close().catch(() => {})
    await unlink(tmp).catch(() => {})
    throw err
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done, buf.length - done)
}

/**
 * The encrypted form of bytes held in memory, a piece at a time (header first), so a writer
 * can hand each piece to an asynchronous write without holding a second copy of it all.
 */
export function* sealedPieces(plain: Uint8Array, fileKey: Buffer): Generator<Buffer> {
  const sealer = new ChunkSealer(fileKey)
  yield sealer.header
  const data = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength)
  const perPiece = CHUNKS_PER_IO * 4
  let at = 0
  for (;;) {
    const outBuf = Buffer.allocUnsafe((CHUNK_BYTES + TAG_BYTES) * perPiece)
    let outAt = 0
    for (let k = 0; k < perPiece; k++) {
      if (data.length - at >= CHUNK_BYTES) {
        outAt += sealer.sealInto(data.subarray(at, at + CHUNK_BYTES), false, outBuf, outAt)
        at += CHUNK_BYTES
      } else {
        outAt += sealer.sealInto(data.subarray(at), true, outBuf, outAt)
        yield outBuf.subarray(0, outAt)
        return
      }
    }
    yield outBuf.subarray(0, outAt)
  }
}

/**
 * Encrypt bytes held in memory into `dstPath` (temp name, fsync, rename) — for pack.json
 * files, which an import already holds whole.
 */
export function writeEncryptedFileSync(dstPath: string, plain: Uint8Array, fileKey: Buffer): void {
  const tmp = tempNameFor(dstPath)
  try {
    const fd = openSync(tmp, 'wx')
    try {
      for (const piece of sealedPieces(plain, fileKey)) writeAll(fd, piece)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, dstPath)
  } catch (err) {
    try {
      unlinkSync(tmp)
    } catch {
      /* not created */
    }
    throw err
  }
}

/**
 * Streaming encryption for writers that receive data as a stream (imports). Emits the header,
 * then each chunk as soon as it fills, then the short final chunk at the end.
 */
export function createEncryptStream(fileKey: Buffer): Transform {
  const sealer = new ChunkSealer(fileKey)
  const pending = Buffer.allocUnsafe(CHUNK_BYTES)
  let fill = 0
  let headerSent = false
  const sealed = (plain: Buffer, final: boolean) => {
    const out = Buffer.allocUnsafe(plain.length + TAG_BYTES)
    sealer.sealInto(plain, final, out, 0)
    return out
  }
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        if (!headerSent) {
          this.push(sealer.header)
          headerSent = true
        }
        let at = 0
        // Every chunk this input completes is sealed into one buffer and pushed once: fewer,
        // larger writes downstream.
        const whole = Math.floor((fill + chunk.length) / CHUNK_BYTES)
        const out = whole > 0 ? Buffer.allocUnsafe(whole * (CHUNK_BYTES + TAG_BYTES)) : null
        let outAt = 0
        // Fill the pending chunk first, then seal whole chunks straight from the input.
        if (fill > 0 && out) {
          const take = CHUNK_BYTES - fill
          chunk.copy(pending, fill, 0, take)
          at = take
          outAt += sealer.sealInto(pending, false, out, outAt)
          fill = 0
        }
        while (chunk.length - at >= CHUNK_BYTES) {
          outAt += sealer.sealInto(chunk.subarray(at, at + CHUNK_BYTES), false, out!, outAt)
          at += CHUNK_BYTES
        }
        if (out) this.push(out)
        if (at < chunk.length) {
          chunk.copy(pending, fill, at)
          fill += chunk.length - at
        }
        done()
      } catch (err) {
        done(err as Error)
      }
    },
    flush(done) {
      try {
        if (!headerSent) this.push(sealer.header)
        this.push(sealed(pending.subarray(0, fill), true))
        done()
      } catch (err) {
        done(err as Error)
      }
    },
  })
}

/** The layout read from a header and the file's size. */
interface Layout {
  header: Buffer
  chunkBytes: number
  plainSize: number
  chunkCount: number
  fileSize: number
}

function layoutOf(file: string, header: Buffer, got: number, fileSize: number): Layout {
  if (got < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new EncryptedFileError(file, 'is not an encrypted Tinjau file (no TINJAUE1 header)')
  }
  const version = header.readUInt8(8)
  if (version !== FORMAT_VERSION) throw new EncryptedFileError(file, `has encrypted-file format version ${version}; this build reads ${FORMAT_VERSION}`)
  const chunkBytes = header.readUInt32BE(12)
  if (chunkBytes < MIN_CHUNK || chunkBytes > MAX_CHUNK || header.readUIntBE(9, 3) !== 0) {
    throw new EncryptedFileError(file, `has a damaged header (chunk size ${chunkBytes})`)
  }
  const body = fileSize - HEADER_BYTES
  const stride = chunkBytes + TAG_BYTES
  const full = Math.floor(body / stride)
  const rest = body - full * stride
  if (rest < TAG_BYTES) {
    throw new EncryptedFileError(file, `is truncated: no final chunk after chunk ${full - 1} (${fileSize} bytes)`, full)
  }
  return { header: Buffer.from(header), chunkBytes, plainSize: full * chunkBytes + rest - TAG_BYTES, chunkCount: full + 1, fileSize }
}

class ChunkedReader implements EncryptedFile {
  readonly size: number
  private readonly key: Buffer
  private readonly params: ChunkParams
  private readonly stride: number
  private closed = false
  private scratch = Buffer.alloc(0)

  constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly layout: Layout,
    fileKey: Buffer,
  ) {
    this.size = layout.plainSize
    this.key = fileKeyFor(fileKey, layout.header)
    this.params = new ChunkParams(layout.header)
    this.stride = layout.chunkBytes + TAG_BYTES
  }

  private checkRange(offset: number, length: number): void {
    if (this.closed) throw new EncryptedFileError(this.file, 'is closed')
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new EncryptedFileError(this.file, `has ${this.size} bytes; cannot read ${length} at ${offset}`)
    }
  }

  /** Where chunks [first, last] lie in the file. */
  private span(first: number, last: number): { pos: number; len: number } {
    const pos = HEADER_BYTES + first * this.stride
    const end = Math.min(HEADER_BYTES + (last + 1) * this.stride, this.layout.fileSize)
    return { pos, len: end - pos }
  }

  /** Open chunk `index` whose sealed bytes are `sealed`; the plaintext (fresh buffer). */
  private openChunk(index: number, sealed: Buffer): Buffer {
    const final = index === this.layout.chunkCount - 1
    if (sealed.length < TAG_BYTES) throw new EncryptedFileError(this.file, `chunk ${index} is cut short`, index)
    this.params.set(index, final)
    const d = createDecipheriv('aes-256-gcm', this.key, this.params.nonce)
    d.setAAD(this.params.aad)
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const plain = d.update(sealed.subarray(0, sealed.length - TAG_BYTES))
    try {
      d.final()
    } catch {
      throw new EncryptedFileError(
        this.file,
        `chunk ${index} of ${this.layout.chunkCount} does not authenticate: the file was altered, truncated or reordered, or the key is wrong`,
        index,
      )
    }
    return plain
  }

  /** Decrypt sealed chunks [first, …] held in `buf` and copy the plaintext [offset, offset+length) into `out` at `outAt`. */
  /** Decrypt sealed chunks [first, last] held in `buf`; the plaintext [offset, offset+length) as one piece per chunk. */
  private decryptPieces(buf: Buffer, first: number, last: number, offset: number, length: number): Buffer[] {
    const cb = this.layout.chunkBytes
    const pieces: Buffer[] = []
    for (let i = first; i <= last; i++) {
      const rel = (i - first) * this.stride
      const plain = this.openChunk(i, buf.subarray(rel, Math.min(rel + this.stride, buf.length)))
      const chunkStart = i * cb
      const from = Math.max(offset, chunkStart) - chunkStart
      const to = Math.min(offset + length, chunkStart + plain.length) - chunkStart
      pieces.push(from === 0 && to === plain.length ? plain : plain.subarray(from, to))
    }
    return pieces
  }

  private decryptInto(buf: Buffer, first: number, last: number, offset: number, length: number, out: Buffer): void {
    let at = 0
    for (const piece of this.decryptPieces(buf, first, last, offset, length)) at += piece.copy(out, at)
  }

  /** The sealed bytes of the chunks [offset, offset+length) touches, read into `scratch` when it is large enough. */
  private async readSealed(offset: number, length: number, scratch?: Buffer): Promise<{ buf: Buffer; first: number; last: number }> {
    const { first, last } = this.chunksOf(offset, length)
    const { pos, len } = this.span(first, last)
    const buf = scratch && scratch.length >= len ? scratch.subarray(0, len) : Buffer.allocUnsafe(len)
    let got = 0
    while (got < len) {
      const { bytesRead } = await readP(this.fd, buf, got, len - got, pos + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    this.cut(got, len, first)
    return { buf, first, last }
  }

  private chunksOf(offset: number, length: number): { first: number; last: number } {
    const cb = this.layout.chunkBytes
    const first = Math.floor(offset / cb)
    // An empty read (or one at the very end) still authenticates the chunk it touches.
    const last = length === 0 ? first : Math.floor((offset + length - 1) / cb)
    return { first: Math.min(first, this.layout.chunkCount - 1), last: Math.min(last, this.layout.chunkCount - 1) }
  }

  private cut(got: number, want: number, first: number): void {
    if (got < want) throw new EncryptedFileError(this.file, `is truncated while reading chunk ${first} onwards`, first)
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.checkRange(offset, length)
    const out = Buffer.allocUnsafe(length)
    if (length === 0) return out
    const { buf, first, last } = await this.readSealed(offset, length)
    this.decryptInto(buf, first, last, offset, length, out)
    return out
  }

  readSync(offset: number, length: number, into?: Buffer): Buffer {
    this.checkRange(offset, length)
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length)
    if (length === 0) return out
    const { first, last } = this.chunksOf(offset, length)
    const { pos, len } = this.span(first, last)
    // Synchronous readers (pack.json windows) read again and again: keep the sealed bytes' buffer.
    if (this.scratch.length < len) this.scratch = Buffer.allocUnsafe(len)
    const buf = this.scratch.subarray(0, len)
    let got = 0
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got)
      if (n === 0) break
      got += n
    }
    this.cut(got, len, first)
    this.decryptInto(buf, first, last, offset, length, out)
    return out
  }

  createReadStream(range?: { start: number; end: number }): NodeJS.ReadableStream {
    const start = range?.start ?? 0
    const endExclusive = range ? range.end + 1 : this.size
    if (!(start >= 0 && endExclusive >= start && endExclusive <= this.size)) {
      throw new EncryptedFileError(this.file, `has ${this.size} bytes; cannot stream ${start}..${endExclusive - 1}`)
    }
    const cb = this.layout.chunkBytes
    // One sealed-bytes buffer per stream, reused: each decrypted chunk is a buffer of its own.
    const scratch = Buffer.allocUnsafe(CHUNKS_PER_IO * this.stride)
    let at = start
    // The first batch is one chunk, so the first byte (a seek's wait) comes after one
    // chunk's read and decryption; later batches double up to CHUNKS_PER_IO for throughput.
    let chunks = 1
    let inflight: Promise<unknown> = Promise.resolve()
    const stream: Readable = new Readable({
      highWaterMark: CHUNKS_PER_IO * cb,
      read: () => {
        if (at >= endExclusive) return void stream.push(null)
        // Batches end on chunk boundaries, so no chunk is decrypted twice.
        const next = Math.min(endExclusive, (Math.floor(at / cb) + chunks) * cb)
        chunks = Math.min(CHUNKS_PER_IO, chunks * 2)
        inflight = this.readSealed(at, next - at, scratch).then(
          ({ buf, first, last }) => {
            const pieces = this.decryptPieces(buf, first, last, at, next - at)
            at = next
            if (stream.destroyed) return
            for (const piece of pieces) stream.push(piece)
          },
          (err: Error) => stream.destroy(err),
        )
        // A decryption failure inside the then() above must end the stream too.
        inflight = inflight.catch((err: Error) => stream.destroy(err))
      },
      // A read still in flight uses the descriptor: 'close' (after which the owner may
      // close the reader) waits for it.
      destroy: (err, done) => {
        void inflight.finally(() => done(err))
      },
    })
    return stream
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await closeP(this.fd)
  }

  closeSync(): void {
    if (this.closed) return
    this.closed = true
    closeSync(this.fd)
  }
}

/** Random access to an encrypted file's plaintext. */
export async function openEncryptedFile(filePath: string, fileKey: Buffer): Promise<EncryptedFile> {
  checkKey(fileKey)
  const fd = await openP(filePath, 'r')
  try {
    const header = Buffer.alloc(HEADER_BYTES)
    const { bytesRead } = await readP(fd, header, 0, HEADER_BYTES, 0)
    const { size } = await fstatP(fd)
    return new ChunkedReader(filePath, fd, layoutOf(filePath, header, bytesRead, size), fileKey)
  } catch (err) {
    await closeP(fd)
    throw err
  }
}

/** openEncryptedFile for synchronous readers (pack.json byte ranges read while serving a page). */
export function openEncryptedFileSync(filePath: string, fileKey: Buffer): EncryptedFile {
  checkKey(fileKey)
  const fd = openSync(filePath, 'r')
  try {
    const header = Buffer.alloc(HEADER_BYTES)
    const got = readSync(fd, header, 0, HEADER_BYTES, 0)
    return new ChunkedReader(filePath, fd, layoutOf(filePath, header, got, fstatSync(fd).size), fileKey)
  } catch (err) {
    closeSync(fd)
    throw err
  }
}

/** The size of an encrypted file's plaintext, from its header and length alone (no key). */
export function encryptedPlainSize(filePath: string): number {
  const fd = openSync(filePath, 'r')
  try {
    const header = Buffer.alloc(HEADER_BYTES)
    const got = readSync(fd, header, 0, HEADER_BYTES, 0)
    return layoutOf(filePath, header, got, fstatSync(fd).size).plainSize
  } finally {
    closeSync(fd)
  }
}

/**
 * An encrypted file written across several attempts (a resumable download). Between
 * attempts the file holds the header and whole, non-final chunks only; `finish` seals the
 * short final chunk, so only a finished file reads as a valid one. Resuming copies the
 * chunks already there (each authenticated) into a new file under a fresh salt and drops
 * any torn tail: a salt's key never seals the same chunk index twice, even when the bytes
 * that follow differ from the first attempt's.
 */
export class ChunkAppender {
  private readonly pending = Buffer.allocUnsafe(CHUNK_BYTES)
  private fill = 0
  private finished = false

  private constructor(
    private readonly fh: FileHandle,
    private readonly sealer: ChunkSealer,
    /** Clear bytes sealed or pending so far. */
    public plainBytes: number,
  ) {}

  /**
   * Open `filePath` to append to, keeping what a previous attempt sealed (each clear piece
   * handed to `onKept`, in order, e.g. to a running hash). A missing, foreign or damaged
   * file starts empty. `fresh` starts empty in any case.
   */
  static async open(filePath: string, fileKey: Buffer, onKept: (plain: Buffer) => void, fresh = false): Promise<ChunkAppender> {
    const sealer = new ChunkSealer(fileKey)
    const tmp = tempNameFor(filePath)
    const fh = await openFile(tmp, 'wx', 0o600)
    let kept = 0
    try {
      await fh.write(sealer.header)
      if (!fresh) kept = await copyWholeChunks(filePath, fileKey, sealer, fh, onKept)
      await fh.sync()
      await rename(tmp, filePath)
    } catch (err) {
      await fh.close().catch(() => {})
      await unlink(tmp).catch(() => {})
      throw err
    }
    return new ChunkAppender(fh, sealer, kept)
  }

  /** Append clear bytes; whole chunks are sealed and written at once, the rest waits. */
  async write(data: Uint8Array): Promise<void> {
    let chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    this.plainBytes += chunk.length
    while (chunk.length > 0) {
      const take = Math.min(CHUNK_BYTES - this.fill, chunk.length)
      chunk.copy(this.pending, this.fill, 0, take)
      this.fill += take
      chunk = chunk.subarray(take)
      if (this.fill === CHUNK_BYTES) {
        const out = Buffer.allocUnsafe(CHUNK_BYTES + TAG_BYTES)
        this.sealer.sealInto(this.pending, false, out, 0)
        await writeAllTo(this.fh, out)
        this.fill = 0
      }
    }
  }

  /** Seal the final chunk, sync and close: the file is now a complete encrypted file. */
  async finish(): Promise<void> {
    if (this.finished) return
    this.finished = true
    try {
      const out = Buffer.allocUnsafe(this.fill + TAG_BYTES)
      this.sealer.sealInto(this.pending.subarray(0, this.fill), true, out, 0)
      await writeAllTo(this.fh, out)
      await this.fh.sync()
    } finally {
      await this.fh.close()
    }
  }

  /** Stop without finishing: the whole chunks written stay for the next attempt. */
  async abandon(): Promise<void> {
    if (this.finished) return
    this.finished = true
    this.plainBytes -= this.fill
    await this.fh.close()
  }
}

async function writeAllTo(fh: FileHandle, buf: Buffer): Promise<void> {
  for (let done = 0; done < buf.length; ) done += (await fh.write(buf, done, buf.length - done)).bytesWritten
}

/** Copy the authenticated whole chunks of an unfinished file into `out` under `sealer`; the clear bytes kept. */
async function copyWholeChunks(filePath: string, fileKey: Buffer, sealer: ChunkSealer, out: FileHandle, onKept: (plain: Buffer) => void): Promise<number> {
  let src: FileHandle
  try {
    src = await openFile(filePath, 'r')
  } catch {
    return 0
  }
  try {
    const header = Buffer.alloc(HEADER_BYTES)
    if ((await src.read(header, 0, HEADER_BYTES, 0)).bytesRead < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) return 0
    if (header.readUInt8(8) !== FORMAT_VERSION || header.readUInt32BE(12) !== CHUNK_BYTES) return 0
    const key = fileKeyFor(fileKey, header)
    const params = new ChunkParams(header)
    const stride = CHUNK_BYTES + TAG_BYTES
    const sealed = Buffer.allocUnsafe(stride)
    const resealed = Buffer.allocUnsafe(stride)
    let kept = 0
    for (let i = 0; ; i++) {
      if ((await src.read(sealed, 0, stride, HEADER_BYTES + i * stride)).bytesRead < stride) break
      params.set(i, false)
      const d = createDecipheriv('aes-256-gcm', key, params.nonce)
      d.setAAD(params.aad)
      d.setAuthTag(sealed.subarray(CHUNK_BYTES))
      const plain = d.update(sealed.subarray(0, CHUNK_BYTES))
      try {
        d.final()
      } catch {
        break // a damaged chunk: keep what came before it
      }
      onKept(plain)
      sealer.sealInto(plain, false, resealed, 0)
      await writeAllTo(out, resealed)
      kept += CHUNK_BYTES
    }
    return kept
  } finally {
    await src.close()
  }
}
