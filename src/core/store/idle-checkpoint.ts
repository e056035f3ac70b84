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
 * runs from a timer once nothing has been written on the connection for `idleMs` and at
 * least `minChanges` rows were written since the last one. A save that arrives while it runs
 * waits for it (tens of milliseconds at most), as it would for any other work on the
 * connection. Durability does not depend on it: a commit is on disk once the WAL is synced.
 *
 * Not after every pause: the first commit after a whole WAL was copied restarts the WAL,
 * which costs that save a second fsync (of the WAL header); `minChanges` keeps that to one
 * save in ~70.
 *
 * How much the WAL holds is judged by the rows the connection wrote (`total_changes()`), not
 * read from the wal-index: opening and closing the `-shm` file (or the database file) from
 * this process would drop every POSIX lock SQLite holds on it for this process, and the next
 * process to open the profile (the CLI, a second host) would then take itself for the first,
 * truncate the `-shm` that this process has mapped, and this process would die of SIGBUS at
 * its next read (https://www.sqlite.org/howtocorrupt.html, section 2.2). That happened.
 */

export const IDLE_CHECKPOINT_AFTER_MS = 1_000
/** ~70 decisions: a decision writes 4 rows in ~12–14 WAL frames (measured on a 2,000-clip profile). */
export const IDLE_CHECKPOINT_MIN_CHANGES = 280
export const IDLE_CHECKPOINT_MAX_WAIT_MS = 10_000

export interface CheckpointRun {
  /** Frames the WAL held, as the checkpoint answered. */
  frames: number
  /** Of them, how many are now in the database file (all, unless a reader still needs older ones). */
  checkpointed: number
  /** Rows written on the connection since the last checkpoint. */
  changes: number
  ms: number
}

export interface IdleCheckpointOptions {
  sqlite: Database.Database
  /** False while something holds the connection (an import's open transaction): try again at the next look. */
  canRun: () => boolean
  /** How often to look; the writer counts as idle when nothing was written since the last look. */
  idleMs?: number
  minChanges?: number
  /** Writes that never pause (hashing a big pack) are checkpointed between two of them after this long, however few rows. */
  maxWaitMs?: number
}

export class IdleCheckpointer {
  private readonly timer: NodeJS.Timeout
  private readonly totalChanges: Database.Statement
  private readonly minChanges: number
  private readonly maxWaitMs: number
  private readonly listeners = new Set<(run: CheckpointRun) => void>()
  /** total_changes() at the last look, to tell a writer that paused from one still writing. */
  private lastChanges: number
  /** total_changes() at the last checkpoint. */
  private checkpointedAt: number
  /** When writes were first seen since the last checkpoint (performance.now()), null when none. */
  private writingSince: number | null = null
  private closed = false

  constructor(private readonly opts: IdleCheckpointOptions) {
    this.minChanges = opts.minChanges ?? IDLE_CHECKPOINT_MIN_CHANGES
    this.maxWaitMs = opts.maxWaitMs ?? IDLE_CHECKPOINT_MAX_WAIT_MS
    // Every writer on the connection (saves, sync, the search index, hashing) counts, not only the API's calls.
    this.totalChanges = opts.sqlite.prepare('SELECT total_changes()').pluck()
    this.lastChanges = this.totalChanges.get() as number
    this.checkpointedAt = this.lastChanges
    // A timer callback runs between calls, never inside a save. unref: closing need not wait for
    // it (closing the last connection checkpoints). A checkpoint that fails (the disk, a lock)
    // is tried again at a later look; the WAL keeps every commit meanwhile.
    this.timer = setInterval(() => {
      try {
        this.look()
      } catch {
        // nothing lost: see above
      }
    }, opts.idleMs ?? IDLE_CHECKPOINT_AFTER_MS)
    this.timer.unref()
  }

  /** One look: checkpoint if the writer has paused with enough written, or has written without a pause for maxWaitMs. */
  look(): CheckpointRun | null {
    const { sqlite } = this.opts
    if (this.closed || !sqlite.open || sqlite.inTransaction || !this.opts.canRun()) return null
    const changes = this.totalChanges.get() as number
    const written = changes - this.checkpointedAt
    const now = performance.now()
    if (changes !== this.lastChanges) {
      this.lastChanges = changes
      this.writingSince ??= now
      if (now - this.writingSince < this.maxWaitMs || written === 0) return null
    } else {
      this.writingSince = null
      if (written < this.minChanges) return null
    }
    const t0 = performance.now()
    const [answer] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[]
    const run: CheckpointRun = { frames: Math.max(0, answer?.log ?? 0), checkpointed: Math.max(0, answer?.checkpointed ?? 0), changes: written, ms: performance.now() - t0 }
    this.checkpointedAt = changes
    if (this.writingSince !== null) this.writingSince = now
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
