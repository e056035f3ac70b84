import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { link, open, rename, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { TinjauError } from '../../shared/errors'

/**
 * Export files are written whole under a temporary name beside their final one, synced,
 * then moved into place: a reader (or a lead copying the file to a USB stick) never sees
 * half a pack, and a failed export leaves nothing behind.
 */
export async function writeFileAtomically(outFile: string, bytes: Uint8Array, overwrite: boolean): Promise<string> {
  return writeAtomically(outFile, overwrite, (fh) => fh.writeFile(bytes))
}

/** The same, for a file written piece by piece through `write`. */
export async function writeAtomically(outFile: string, overwrite: boolean, write: (fh: FileHandle) => Promise<void>): Promise<string> {
  const file = path.resolve(outFile)
  if (!overwrite && existsSync(file)) throw exists(file)
  mkdirSync(path.dirname(file), { recursive: true })
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'wx', 0o644)
  try {
    try {
      await write(fh)
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (overwrite) await rename(tmp, file)
    else await placeUnlessPresent(tmp, file)
  } finally {
    await rm(tmp, { force: true })
  }
  return file
}

async function placeUnlessPresent(tmp: string, file: string): Promise<void> {
  try {
    // link fails if the name was taken meanwhile; rename would replace that file.
    await link(tmp, file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw exists(file)
    if (existsSync(file)) throw exists(file)
    await rename(tmp, file)
  }
}

function exists(file: string): TinjauError {
  return new TinjauError('conflict', `${file} already exists; choose another name or allow replacing it`, [{ path: 'out', message: 'exists' }])
}

/** A folder for export files, created if needed; refused when it already holds files matching `taken`. */
export function prepareOutDir(dir: string, taken: RegExp): string {
  const full = path.resolve(dir)
  if (existsSync(full)) {
    const clash = readdirSync(full).filter((n) => taken.test(n))
    if (clash.length > 0) {
      throw new TinjauError('conflict', `${full} already holds ${clash.length} export file(s) (${clash.slice(0, 3).join(', ')}); choose an empty folder`, [
        { path: 'out', message: 'holds earlier export files' },
      ])
    }
  }
  mkdirSync(full, { recursive: true })
  return full
}
