/**
 * What the sync client tells the UI and the CLI: where it stands (a small state machine),
 * what waits, and what the reviewer should know. Plain data, so it can cross IPC and HTTP
 * as it is.
 *
 *   not_enrolled ──enroll──► idle ──run──► syncing ──► up_to_date
 *                                             │  ▲         │
 *                                             ▼  └─ run ───┘
 *                                     offline / error
 */

export type SyncPhase = 'push' | 'pull' | 'media' | 'notices' | 'outcomes'

/** Why a run stopped; each comes with a message and what happens next. */
export type SyncFailureCode =
  /** The server refused the token (revoked, or the device was removed): enroll again. */
  | 'unauthorized'
  /** The server refused the request for this reviewer or device. */
  | 'forbidden'
  /** The server refused a request as malformed, too large or unknown (a bug on one side). */
  | 'refused'
  /** The server kept failing (5xx, 429) after the retries of this run. */
  | 'server_error'
  /** The server's answer broke the protocol or the field pack rules; nothing of it was applied. */
  | 'invalid_response'
  | 'protocol_mismatch'
  /** The stored token cannot be read (sealed by a protector not available here, damaged). */
  | 'token_unreadable'
  /** Something on this device failed (disk full, database). */
  | 'local'
  /**
   * The organisation revoked this device (`401 device_revoked`): the profile's key and the
   * device's credentials were wiped, sync has stopped for good, and the host should close
   * the profile, which can no longer be opened (docs/encryption.md, "Wiping").
   */
  | 'device_revoked'

export type SyncActivity =
  | { state: 'not_enrolled' }
  /** Enrolled; no run has succeeded yet. */
  | { state: 'idle' }
  | { state: 'up_to_date' }
  | { state: 'syncing'; phase: SyncPhase; done: number; total: number | null }
  /** The server could not be reached (network, timeout). */
  | { state: 'offline'; message: string; nextRetryAt: string | null }
  | { state: 'error'; code: SyncFailureCode; message: string; next: string; nextRetryAt: string | null }

export interface SyncCounts {
  /** Decisions in the outbox the server has not answered for yet. */
  pending: number
  /** Decisions the server refused for good; kept here, shown to the reviewer. */
  rejected: number
  /** Open adjudications on clips this reviewer decided (from the last notices fetched). */
  notices: number
}

export interface SyncServerInfo {
  url: string
  reviewerId: string
  reviewerName: string
  enrolledAt: string
}

export type SyncStatus = SyncActivity & {
  server: SyncServerInfo | null
  lastSuccessAt: string | null
  lastAttemptAt: string | null
  counts: SyncCounts
  /** When the background schedule will run next (null: no schedule, or one is running). */
  nextRunAt: string | null
}

export type SyncStatusListener = (status: SyncStatus) => void

export const STATUS_EVERY_MS = 100

/**
 * Passes statuses on to listeners: a change of state or phase at once, count updates at
 * most every STATUS_EVERY_MS (a media download moves them thousands of times), with the
 * last one delivered when the interval ends so a listener never stays on a stale count.
 */
export class StatusEmitter {
  private readonly listeners = new Set<SyncStatusListener>()
  private last = Number.NEGATIVE_INFINITY
  private lastKey = ''
  private trailing: NodeJS.Timeout | null = null
  private pending: SyncStatus | null = null

  constructor(private readonly clock: () => number = () => performance.now()) {}

  add(listener: SyncStatusListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  publish(status: SyncStatus): void {
    const key = status.state === 'syncing' ? `syncing:${status.phase}` : status.state
    const now = this.clock()
    if (key !== this.lastKey || now - this.last >= STATUS_EVERY_MS) {
      this.lastKey = key
      this.deliver(status, now)
      return
    }
    this.pending = status
    this.trailing ??= setTimeout(() => {
      this.trailing = null
      if (this.pending) this.deliver(this.pending, this.clock())
    }, STATUS_EVERY_MS - (now - this.last))
    this.trailing.unref()
  }

  close(): void {
    if (this.trailing) clearTimeout(this.trailing)
    this.trailing = null
    this.listeners.clear()
  }

  private deliver(status: SyncStatus, now: number): void {
    this.pending = null
    this.last = now
    for (const l of this.listeners) {
      try {
        l(status)
      } catch {
        // Status is for show: a listener's failure must not fail the sync.
      }
    }
  }
}
