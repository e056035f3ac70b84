import { closeSync, fsyncSync, openSync } from 'node:fs'

/** A rename or unlink is durable only once its directory is synced (not possible on Windows). */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
