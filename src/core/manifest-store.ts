import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { isSha256 } from './media-store'

/**
 * Imported pack.json files, kept whole under `packs/<sha256>.json`. A clip row holds the
 * byte range of its object in one of them, so an import writes each clip's JSON once, as
 * part of one sequential file, instead of as 100,000 row values through SQLite's WAL; and
 * the clip keeps every field exactly as the pack gave it, unknown ones included.
 * Written like media: temporary name, synced, renamed; a file at its final name is whole.
 */
export class ManifestStore {
  constructor(
    readonly dir: string,
    readonly tmpDir: string,
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
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await fh.write(bytes, done, Math.min(bytes.length - done, 64 * 1024 * 1024), done)
        done += bytesWritten
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

  size(sha256: string): number {
    return statSync(this.pathFor(sha256)).size
  }

  /** The bytes [offset, offset + length) of a stored pack.json. */
  read(sha256: string, offset: number, length: number): Buffer {
    const fd = openSync(this.pathFor(sha256), 'r')
    try {
      const out = Buffer.allocUnsafe(length)
      let done = 0
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done)
        if (n === 0) throw new Error(`packs/${sha256}.json ends before byte ${offset + length}`)
        done += n
      }
      return out
    } finally {
      closeSync(fd)
    }
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
