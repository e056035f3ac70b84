import { closeSync, openSync, readSync } from 'node:fs'
import { endianness } from 'node:os'
import type Database from 'better-sqlite3'

/**
 * Checkpoints while the reviewer is not saving. A checkpoint copies the WAL's pages into the
 * database file and syncs it: in an encrypted profile every page is decrypted from the WAL
 * and encrypted again for the database (~19 ms against ~8 ms clear, 4,000 frames). Left to
 * SQLite's auto-checkpoint it runs inside the COMMIT of whichever save crosses the threshold,
 * which set the slowest 1 % of decision writes (docs/encryption.md, "The database").
 *
 * So the session connection's auto-checkpoint is only a safety net (WAL_AUTOCHECKPOINT_PAGES
 * in open-store.ts, for writes that never let the event loop turn), and a PASSIVE checkpoint
 * runs from a timer once nothing has been written on the connection for `idleMs` and the WAL
 * holds at least `minFrames` frames. A save that arrives while it runs waits for it (tens of
 * milliseconds at most), as it would for any other work on the connection. Durability does
 * not depend on it: a commit is on disk once the WAL is synced.
 *
 * Not after every pause: the first commit after a whole WAL was copied restarts the WAL,
 * which costs that save a second fsync (of the WAL header); `minFrames` keeps that to one
 * save in ~70.
 */

export const IDLE_CHECKPOINT_AFTER_MS = 1_000
/** ~70 decisions at ~14 frames each. */
export const IDLE_CHECKPOINT_MIN_FRAMES = 1_000
export const IDLE_CHECKPOINT_MAX_WAIT_MS = 10_000

/**
 * Frames in the WAL not yet copied into the database, from the wal-index header in the -shm
 * file (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in
 * the machine's byte order). The -shm file is never encrypted. null when it cannot be read.
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

export interface CheckpointRun {
  /** Frames the WAL held before the checkpoint. */
  frames: number
  ms: number
}

export interface IdleCheckpointOptions {
  sqlite: Database.Database
  databaseFile: string
  /** False while something holds the connection (an import's open transaction): try again at the next look. */
  canRun: () => boolean
  /** How often to look; the writer counts as idle when nothing was written since the last look. */
  idleMs?: number
  minFrames?: number
  /** Writes that never pause (hashing a big pack) are checkpointed between two of them after this long. */
  maxWaitMs?: number
}

export class IdleCheckpointer {
  private readonly timer: NodeJS.Timeout
  private readonly totalChanges: Database.Statement
  private readonly minFrames: number
  private readonly maxWaitMs: number
  private readonly listeners = new Set<(run: CheckpointRun) => void>()
  private lastChanges: number
  /** When writes were first seen since the last checkpoint (performance.now()), null when none. */
  private writingSince: number | null = null
  private closed = false

  constructor(private readonly opts: IdleCheckpointOptions) {
    this.minFrames = opts.minFrames ?? IDLE_CHECKPOINT_MIN_FRAMES
    this.maxWaitMs = opts.maxWaitMs ?? IDLE_CHECKPOINT_MAX_WAIT_MS
    // Every writer on the connection (saves, sync, the search index, hashing) counts, not only the API's calls.
    this.totalChanges = opts.sqlite.prepare('SELECT total_changes()').pluck()
    this.lastChanges = this.totalChanges.get() as number
    // A timer callback runs between calls, never inside a save. unref: closing need not wait for
    // it (closing the last connection checkpoints).
    this.timer = setInterval(() => this.look(), opts.idleMs ?? IDLE_CHECKPOINT_AFTER_MS)
    this.timer.unref()
  }

  /** One look: checkpoint if the writer has paused (or has not paused for maxWaitMs) and the WAL holds enough. */
  look(): CheckpointRun | null {
    const { sqlite } = this.opts
    if (this.closed || !sqlite.open || sqlite.inTransaction || !this.opts.canRun()) return null
    const changes = this.totalChanges.get() as number
    const now = performance.now()
    if (changes !== this.lastChanges) {
      this.lastChanges = changes
      this.writingSince ??= now
      if (now - this.writingSince < this.maxWaitMs) return null
    } else {
      this.writingSince = null
    }
    const frames = walFramesNotCheckpointed(this.opts.databaseFile)
    if (frames !== null && frames < this.minFrames) return null
    const t0 = performance.now()
    sqlite.pragma('wal_checkpoint(PASSIVE)')
    const run = { frames: frames ?? 0, ms: performance.now() - t0 }
    for (const l of this.listeners) l(run)
    return run
  }

  /** Told of each checkpoint this runs (benches report them beside the saves). */
  onRun(listener: (run: CheckpointRun) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
  }
}
