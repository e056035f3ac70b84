import { closeSync, openSync, readSync } from 'node:fs'
import { endianness } from 'node:os'

/**
 * Frames in a profile's WAL not yet copied into the database, read from the wal-index header
 * in the -shm file (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at
 * byte 96, in the machine's byte order; the -shm file is never encrypted). null when there is
 * none.
 *
 * For tests only, and only from a process with NO connection to this database: closing the
 * descriptor drops every POSIX lock the process holds on the file, SQLite's included, and the
 * next process to open the profile then truncates a -shm that a live connection has mapped
 * (SIGBUS). The kill test reads it after the writer is dead and before it opens the profile.
 */
export function walFramesNotCheckpointed(databaseFile: string): number | null {
  const buf = Buffer.alloc(100)
  let fd: number
  try {
    fd = openSync(`${databaseFile}-shm`, 'r')
  } catch {
    return null
  }
  try {
    if (readSync(fd, buf, 0, 100, 0) < 100) return null
  } finally {
    closeSync(fd)
  }
  const le = endianness() === 'LE'
  const mxFrame = le ? buf.readUInt32LE(16) : buf.readUInt32BE(16)
  const nBackfill = le ? buf.readUInt32LE(96) : buf.readUInt32BE(96)
  return Math.max(0, mxFrame - nBackfill)
}
