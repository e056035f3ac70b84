import { close, closeSync, createReadStream, fstat, fstatSync, open, openSync, read, readSync } from 'node:fs'
import { promisify } from 'node:util'
import { encryptedPlainSize, openEncryptedFile, openEncryptedFileSync, type EncryptedFile } from './chunked-file'

/**
 * One reader for a profile's stored files, encrypted or clear: a profile opened with a files
 * key reads chunked encrypted files (chunked-file.ts), one opened without (tests, tools, the
 * server's clear media store) reads the bytes as they are. Callers never branch on which.
 * The key decides, not the file's first bytes: a clear file that happens to begin with the
 * magic number must not be taken for an encrypted one, and a clear file in an encrypted
 * profile is an error, not something to serve.
 */

export type ProfileFile = EncryptedFile

const readP = promisify(read)
const openP = promisify(open)
const closeP = promisify(close)
const fstatP = promisify(fstat)

class ClearFile implements ProfileFile {
  private closed = false
  constructor(
    private readonly file: string,
    private readonly fd: number,
    readonly size: number,
  ) {}

  private check(offset: number, length: number): void {
    if (this.closed) throw new Error(`${this.file}: is closed`)
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new Error(`${this.file}: has ${this.size} bytes; cannot read ${length} at ${offset}`)
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.check(offset, length)
    const out = Buffer.allocUnsafe(length)
    for (let done = 0; done < length; ) {
      const { bytesRead } = await readP(this.fd, out, done, length - done, offset + done)
      if (bytesRead === 0) throw new Error(`${this.file}: ends before byte ${offset + length}`)
      done += bytesRead
    }
    return out
  }

  readSync(offset: number, length: number, into?: Buffer): Buffer {
    this.check(offset, length)
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length)
    for (let done = 0; done < length; ) {
      const n = readSync(this.fd, out, done, length - done, offset + done)
      if (n === 0) throw new Error(`${this.file}: ends before byte ${offset + length}`)
      done += n
    }
    return out
  }

  createReadStream(range?: { start: number; end: number }): NodeJS.ReadableStream {
    // Its own descriptor, so closing this reader does not cut a response short.
    return createReadStream(this.file, range ? { start: range.start, end: range.end } : {})
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

/** Open a stored file for reading its plaintext: decrypted with `filesKey`, or as it is when null. */
export async function openProfileFile(file: string, filesKey: Buffer | null): Promise<ProfileFile> {
  if (filesKey) return openEncryptedFile(file, filesKey)
  const fd = await openP(file, 'r')
  try {
    return new ClearFile(file, fd, (await fstatP(fd)).size)
  } catch (err) {
    await closeP(fd)
    throw err
  }
}

export function openProfileFileSync(file: string, filesKey: Buffer | null): ProfileFile {
  if (filesKey) return openEncryptedFileSync(file, filesKey)
  const fd = openSync(file, 'r')
  try {
    return new ClearFile(file, fd, fstatSync(fd).size)
  } catch (err) {
    closeSync(fd)
    throw err
  }
}

/** The plaintext size of a stored file, without decrypting anything. */
export function profileFileSize(file: string, filesKey: Buffer | null): number {
  return filesKey ? encryptedPlainSize(file) : fstatSyncSize(file)
}

function fstatSyncSize(file: string): number {
  const fd = openSync(file, 'r')
  try {
    return fstatSync(fd).size
  } finally {
    closeSync(fd)
  }
}
