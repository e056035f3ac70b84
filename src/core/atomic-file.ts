import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'

/**
 * A small file that must be whole or absent (a key, a token, the encryption's commit record):
 * `text` is written under a temporary name beside `file` (mode 0600, so a secret is never
 * readable by others, even for a moment), synced, then put in place by `place` — a rename
 * unless the caller needs more (refusing to replace, syncing the folder). The temporary file
 * never outlives the call.
 */
export function writeFileAtomically(file: string, text: string, place: (tmp: string) => void = (tmp) => renameSync(tmp, file)): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    place(tmp)
  } finally {
    rmSync(tmp, { force: true })
  }
}
