import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { isSha256 } from './media-store'
import { sealedPieces } from './profile-crypto/chunked-file'
import { openProfileFileSync, profileFileSize, type ProfileFile } from './profile-crypto/profile-file'

/**
 * Imported pack.json files, kept whole under `packs/<sha256>.json`. A clip row holds the
 * byte range of its object in one of them, so an import writes each clip's JSON once, as
 * part of one sequential file, instead of as 100,000 row values through SQLite's WAL; and
 * the clip keeps every field exactly as the pack gave it, unknown ones included.
 * Written like media: temporary name, synced, renamed; a file at its final name is whole.
 * With a files key they are stored encrypted like media (chunked-file.ts); offsets and
 * lengths stay those of the clear JSON, and every reader goes through `read` or `openReader`.
 */
export class ManifestStore {
  constructor(
    readonly dir: string,
    readonly tmpDir: string,
    /** The profile's files key; null keeps pack.json files clear. */
    readonly filesKey: Buffer | null = null,
  ) {
    mkdirSync(dir, { recursive: true })
    mkdirSync(tmpDir, { recursive: true })
  }

  pathFor(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`)
    return path.join(this.dir, `${sha256}.json`)
  }

  has(sha256: string): boolean {
    return existsSync(this.pathFor(sha256))
  }

  /** Store the bytes (already hashed by the caller) unless present. True when this call created the file. */
  async save(sha256: string, bytes: Uint8Array): Promise<boolean> {
    const final = this.pathFor(sha256)
    if (existsSync(final)) return false
    const tmp = path.join(this.tmpDir, `stage-manifest-${randomBytes(8).toString('hex')}`)
    const fh = await open(tmp, 'wx')
    try {
      // Large writes, not writeFile's small pieces: each piece needs a turn of the event loop,
      // and during an import the loop is busy writing rows, which starved writeFile for seconds.
      const pieces = this.filesKey ? sealedPieces(bytes, this.filesKey) : [bytes]
      let position = 0
      for (const piece of pieces) {
        for (let done = 0; done < piece.length; ) {
          const { bytesWritten } = await fh.write(piece, done, Math.min(piece.length - done, 64 * 1024 * 1024), position)
          done += bytesWritten
          position += bytesWritten
        }
      }
      await fh.sync()
    } catch (err) {
      await fh.close()
      await unlink(tmp).catch(() => {})
      throw err
    }
    await fh.close()
    await rename(tmp, final)
    return true
  }

  /** The clear size of a stored pack.json. */
  size(sha256: string): number {
    return profileFileSize(this.pathFor(sha256), this.filesKey)
  }

  /** The clear bytes [offset, offset + length) of a stored pack.json. */
  read(sha256: string, offset: number, length: number): Buffer {
    const reader = this.openReader(sha256)
    try {
      if (offset + length > reader.size) throw new Error(`packs/${sha256}.json ends before byte ${offset + length}`)
      return reader.readSync(offset, length)
    } finally {
      reader.closeSync()
    }
  }

  /** A reader kept open across many reads of one pack.json (exports); the caller closes it. */
  openReader(sha256: string): ProfileFile {
    return openProfileFileSync(this.pathFor(sha256), this.filesKey)
  }

  async remove(sha256: string): Promise<void> {
    await unlink(this.pathFor(sha256)).catch(() => {})
  }

  /** Every stored sha256, for tidying files no row refers to any more. */
  list(): string[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json') && isSha256(n.slice(0, -5)))
      .map((n) => n.slice(0, -5))
  }

  /** Leftovers of an import that crashed before rename. */
  clearStaging(): void {
    for (const name of readdirSync(this.tmpDir)) {
      if (name.startsWith('stage-manifest-')) rmSync(path.join(this.tmpDir, name), { force: true })
    }
  }
}
