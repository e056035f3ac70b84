import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createEncryptStream, isEncryptTempName } from './profile-crypto/chunked-file'
import { openProfileFile, profileFileSize, type ProfileFile } from './profile-crypto/profile-file'

/**
 * Content-addressed media: `media/<first two hex>/<sha256>`. Files are written under a
 * temporary name, hashed while streaming, synced, and only then renamed into place, so a
 * file at its final name is always whole. Hosts look media up by hash only: no path from
 * outside ever reaches the file system.
 *
 * With a files key (an encrypted profile) every object is stored in the chunked encrypted
 * format (profile-crypto/chunked-file.ts), staging files included: clear bytes never reach
 * the disk. Addresses and sizes stay those of the clear bytes, so hashes, packs and the
 * service agree whatever the profile's encryption. Readers go through `open`, which decrypts
 * or not as the store was opened, so no caller branches.
 */

const SHA256 = /^[0-9a-f]{64}$/

export function isSha256(value: string): boolean {
  return SHA256.test(value)
}

export interface StagedMedia {
  sha256: string
  /** Clear bytes. */
  bytes: number
  /** Already in the store's format (encrypted when the store has a key). */
  tmpPath: string
}

export class MediaStore {
  constructor(
    readonly root: string,
    readonly tmpDir: string,
    /** The profile's files key; null keeps objects clear (tests, tools, the service). */
    readonly filesKey: Buffer | null = null,
  ) {
    mkdirSync(root, { recursive: true })
    mkdirSync(tmpDir, { recursive: true })
  }

  /** Where an object lives, or null for anything that is not a sha256. */
  pathFor(sha256: string): string | null {
    if (!isSha256(sha256)) return null
    return path.join(this.root, sha256.slice(0, 2), sha256)
  }

  has(sha256: string): boolean {
    const p = this.pathFor(sha256)
    return p !== null && existsSync(p)
  }

  get encrypted(): boolean {
    return this.filesKey !== null
  }

  /** The object's clear size, or null when there is no such object. */
  size(sha256: string): number | null {
    const p = this.pathFor(sha256)
    if (!p || !existsSync(p)) return null
    return profileFileSize(p, this.filesKey)
  }

  /**
   * Random access to an object's clear bytes, or null when there is no such object. The
   * caller closes it (a stream made from it must end first: it reads through the same file).
   */
  async open(sha256: string): Promise<ProfileFile | null> {
    const p = this.pathFor(sha256)
    if (!p) return null
    try {
      return await openProfileFile(p, this.filesKey)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null
      throw err
    }
  }

  /** The stream a staging or downloaded file is written through: encrypting with a key. */
  sealer(): Transform | null {
    return this.filesKey ? createEncryptStream(this.filesKey) : null
  }

  /**
   * Copy a file to a temporary name while hashing it. `maxBytes` stops a file that
   * grows (or lies about its size) from filling the disk.
   */
  async stage(source: NodeJS.ReadableStream | string, maxBytes: number): Promise<StagedMedia> {
    const tmpPath = path.join(this.tmpDir, `stage-${randomBytes(8).toString('hex')}`)
    const hash = createHash('sha256')
    let bytes = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length
        if (bytes > maxBytes) return done(new Error(`more than ${maxBytes} bytes`))
        hash.update(chunk)
        done(null, chunk)
      },
    })
    // Large reads: fewer turns through hashing (and sealing) per megabyte.
    const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : source
    const output = createWriteStream(tmpPath, { flags: 'wx' })
    try {
      const seal = this.sealer()
      await (seal ? pipeline(input, tap, seal, output) : pipeline(input, tap, output))
      const fh = await open(tmpPath, 'r+')
      try {
        await fh.sync()
      } finally {
        await fh.close()
      }
    } catch (err) {
      // A copy stopped before its file was even opened (an import failed or was cancelled
      // at once) still creates the file when the open completes: wait for the stream to
      // close, or an empty staging file is left behind.
      if (!output.closed) await new Promise<void>((resolve) => output.once('close', () => resolve()))
      await unlink(tmpPath).catch(() => {})
      throw err
    }
    return { sha256: hash.digest('hex'), bytes, tmpPath }
  }

  /**
   * Move a staged file into place. Returns false (and drops the staged copy) when the
   * object was already there: content addressing makes the two identical.
   */
  async commit(staged: StagedMedia): Promise<boolean> {
    const final = this.pathFor(staged.sha256)
    if (!final) throw new Error('staged media has no valid hash')
    if (existsSync(final)) {
      await unlink(staged.tmpPath).catch(() => {})
      return false
    }
    mkdirSync(path.dirname(final), { recursive: true })
    await rename(staged.tmpPath, final)
    return true
  }

  async discard(staged: StagedMedia): Promise<void> {
    await unlink(staged.tmpPath).catch(() => {})
  }

  /** Remove an object this process just placed, when the import that placed it failed. */
  async removeObject(sha256: string): Promise<void> {
    const p = this.pathFor(sha256)
    if (p) await unlink(p).catch(() => {})
  }

  /** Leftovers of an import that crashed before rename; safe since nothing refers to them. */
  clearStaging(): void {
    for (const name of readdirSync(this.tmpDir)) {
      // Also a resumed encrypted download's copy that a crash left unrenamed (ChunkAppender).
      if (name.startsWith('stage-') || isEncryptTempName(name)) rmSync(path.join(this.tmpDir, name), { force: true })
    }
  }
}
