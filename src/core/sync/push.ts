import type Database from 'better-sqlite3'
import { appendAudit } from '../audit'
import { DECISION_LINE } from '../export/decision-line'
import { newId } from '../ids'
import type { Identity } from '../settings'
import { z } from 'zod'
import { PushResponse, SIGNATURE_HEADER, SYNC_PATHS, type PushResult } from '../../shared/sync-protocol'
import { SyncRequestError, type SyncHttp } from './http'
import { withMediaHashes, type HashEntry, type MediaHashPushes } from './push-hashes'

/**
 * Pushing the outbox. Rows the server has not answered for go in seq order (a revision
 * after the decision it revises), in batches, each decision as the same JSON line a
 * decision pack holds (DECISION_LINE). The body's exact bytes are signed by the device key.
 *
 * Acks are written only after the server has answered, in one transaction per batch: a
 * crash before it leaves the rows unacked, and the next push sends them again, which the
 * server counts as duplicates (decision ids are made on the device). So nothing is lost
 * and nothing doubled, wherever a crash falls.
 */

/** Decisions per push by default; the protocol allows up to MAX_PUSH_BATCH. */
export const DEFAULT_PUSH_BATCH = 500
/** Well under the protocol's MAX_PUSH_BODY_BYTES, so a batch of long rationales still fits. */
export const PUSH_BODY_BYTES = 8 * 1024 * 1024

export interface OutboxBatch {
  batchId: string
  seqs: number[]
  ids: string[]
  clipIds: string[]
  /** The exact request body. */
  body: Buffer<ArrayBuffer>
}

export interface PushCounts {
  stored: number
  duplicate: number
  rejected: number
}

type Row = [seq: number, id: string, clipId: string, line: Buffer]

/**
 * The outbox's counts, read after every save for the sync status: each walks a partial index
 * (outbox_unsent, outbox_rejected) of the rows it counts, never the whole outbox, which keeps
 * every decision the profile ever made.
 */
export const OUTBOX_COUNT_SQL = {
  pending: 'SELECT count(*) FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL',
  rejected: 'SELECT count(*) FROM outbox WHERE rejected_at IS NOT NULL',
} as const

export class Outbox {
  private readonly stmts

  constructor(
    private readonly sqlite: Database.Database,
    private readonly identity: Identity,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      unsent: sqlite
        .prepare(
          `SELECT o.seq, d.id, d.clip_id, CAST(${DECISION_LINE} AS BLOB)
           FROM outbox o JOIN decisions d ON d.id = o.decision_id JOIN clips c ON c.id = d.clip_id
           WHERE o.acked_at IS NULL AND o.rejected_at IS NULL AND o.seq > ? ORDER BY o.seq LIMIT ?`,
        )
        .raw(),
      pending: sqlite.prepare(OUTBOX_COUNT_SQL.pending).pluck(),
      rejected: sqlite.prepare(OUTBOX_COUNT_SQL.rejected).pluck(),
      ack: sqlite.prepare('UPDATE outbox SET acked_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ? AND acked_at IS NULL'),
      reject: sqlite.prepare('UPDATE outbox SET rejected_at = ?, rejection = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ? AND acked_at IS NULL'),
      failed: sqlite.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq IN (SELECT value FROM json_each(?)) AND acked_at IS NULL'),
      // A decided clip is synced once the server holds every decision on it. An escalated one
      // stays escalated: it still waits for the escalation's target, and the reviewer's
      // escalated view is where it belongs until a revision decides it.
      synced: sqlite.prepare(`UPDATE clips SET status = 'synced' WHERE id = ? AND status = 'decided'
        AND NOT EXISTS (SELECT 1 FROM decisions d LEFT JOIN outbox o ON o.decision_id = d.id WHERE d.clip_id = ? AND o.acked_at IS NULL)`),
      rejectedList: sqlite.prepare(`SELECT o.seq, o.decision_id, d.clip_id, d.reviewer_id, d.decided_at, o.rejected_at, o.rejection, o.last_error
        FROM outbox o JOIN decisions d ON d.id = o.decision_id WHERE o.rejected_at IS NOT NULL ORDER BY o.seq LIMIT ? OFFSET ?`),
      requeue: sqlite.prepare('UPDATE outbox SET rejected_at = NULL, rejection = NULL WHERE rejected_at IS NOT NULL AND acked_at IS NULL'),
    }
  }

  pendingCount(): number {
    return this.stmts.pending.get() as number
  }

  rejectedCount(): number {
    return this.stmts.rejected.get() as number
  }

  /**
   * The next batch after seq `after`: at most `limit` decisions and, past the first, at most
   * `maxBytes` of body. Null when nothing is left to send.
   */
  nextBatch(after: number, limit: number, maxBytes = PUSH_BODY_BYTES): OutboxBatch | null {
    const rows = this.stmts.unsent.all(after, limit) as Row[]
    if (rows.length === 0) return null
    const batchId = newId()
    const head = Buffer.from(`{"batch_id":${JSON.stringify(batchId)},"device_id":${JSON.stringify(this.identity.deviceId)},"decisions":[`)
    const tail = Buffer.from(']}')
    const parts: Buffer[] = [head]
    const batch: OutboxBatch = { batchId, seqs: [], ids: [], clipIds: [], body: head }
    let size = head.length + tail.length
    for (const [seq, id, clipId, line] of rows) {
      if (batch.seqs.length > 0 && size + line.length + 1 > maxBytes) break
      if (batch.seqs.length > 0) parts.push(COMMA)
      parts.push(line)
      size += line.length + (batch.seqs.length > 0 ? 1 : 0)
      batch.seqs.push(seq)
      batch.ids.push(id)
      batch.clipIds.push(clipId)
    }
    parts.push(tail)
    batch.body = Buffer.concat(parts, size)
    return batch
  }

  /** A batch of no decisions, for a push of media hashes alone. */
  emptyBatch(): OutboxBatch {
    const batchId = newId()
    const body = Buffer.from(`{"batch_id":${JSON.stringify(batchId)},"device_id":${JSON.stringify(this.identity.deviceId)},"decisions":[]}`)
    return { batchId, seqs: [], ids: [], clipIds: [], body }
  }

  /** The server's answer, checked against what was sent, in one transaction. */
  applyResults(batch: OutboxBatch, results: PushResult[]): PushCounts {
    const counts: PushCounts = { stored: 0, duplicate: 0, rejected: 0 }
    const at = this.now().toISOString()
    const rejected: { id: string; rejection: string }[] = []
    this.sqlite.transaction(() => {
      results.forEach((r, i) => {
        const seq = batch.seqs[i]!
        if (r.outcome === 'rejected') {
          const rejection = r.rejection ?? 'rejected'
          this.stmts.reject.run(at, rejection, r.message ? r.message.slice(0, 500) : null, seq)
          rejected.push({ id: r.id, rejection })
        } else {
          this.stmts.ack.run(at, seq)
        }
        counts[r.outcome]++
      })
      for (const clipId of new Set(batch.clipIds)) this.stmts.synced.run(clipId, clipId)
      appendAudit(this.sqlite, {
        at,
        actor: this.identity.reviewerId,
        deviceId: this.identity.deviceId,
        kind: 'sync.pushed',
        subject: batch.batchId,
        payload: { ...counts, rejectedDecisions: rejected },
      })
    }).immediate()
    return counts
  }

  /** A push that got no answer for its rows (a failure, transient or not): each counts an attempt and keeps the reason. */
  recordFailure(batch: OutboxBatch, message: string): void {
    this.stmts.failed.run(message.slice(0, 500), JSON.stringify(batch.seqs))
  }

  rejectedDecisions(limit = 100, offset = 0): RejectedDecision[] {
    return (this.stmts.rejectedList.all(limit, offset) as RejectedRow[]).map((r) => ({
      decisionId: r.decision_id,
      clipId: r.clip_id,
      reviewerId: r.reviewer_id,
      decidedAt: r.decided_at,
      rejectedAt: r.rejected_at,
      rejection: r.rejection,
      message: r.last_error,
    }))
  }

  /** Put rejected decisions back in the push queue (after the cause was fixed on the server). */
  requeueRejected(): number {
    return this.stmts.requeue.run().changes
  }
}

const COMMA = Buffer.from(',')

interface RejectedRow {
  seq: number
  decision_id: string
  clip_id: string
  reviewer_id: string
  decided_at: string
  rejected_at: string
  rejection: string
  last_error: string | null
}

/** A decision the server refused for good, as the reviewer is shown it. */
export interface RejectedDecision {
  decisionId: string
  clipId: string
  reviewerId: string
  decidedAt: string
  rejectedAt: string
  /** sync-protocol DECISION_REJECTIONS, e.g. not_assigned. */
  rejection: string
  message: string | null
}

/** The answer must speak of exactly the decisions sent, in order; anything else is applied to none of them. */
export function checkResults(batch: OutboxBatch, response: { results: PushResult[] }, what: string): PushResult[] {
  const { results } = response
  if (results.length !== batch.ids.length) {
    throw new SyncRequestError(what, 'invalid_response', `the server answered for ${results.length} decisions, not the ${batch.ids.length} pushed; none was marked as sent`, false)
  }
  for (let i = 0; i < results.length; i++) {
    if (results[i]!.id !== batch.ids[i]) {
      throw new SyncRequestError(what, 'invalid_response', `the server's answer ${i} is for decision ${results[i]!.id.slice(0, 64)}, not ${batch.ids[i]}; none was marked as sent`, false)
    }
  }
  return results
}

export interface PushRun {
  http: SyncHttp
  outbox: Outbox
  /** Frame hashes of decided media to carry; without it, pushes carry decisions only. */
  hashes?: MediaHashPushes | undefined
  sign(bytes: Uint8Array): Buffer
  batchSize: number
  /** Bytes of a push body (PUSH_BODY_BYTES unless given): decisions first, then the media hashes that fit. */
  maxBodyBytes?: number
  /** Runs one request with the client's retries; `onFailedAttempt` hears each attempt that got no answer. */
  retry<T>(what: string, attempt: () => Promise<T>, onFailedAttempt: (err: unknown) => void): Promise<T>
  /** Runs `fn` while holding the profile's write gate (no import mid-transaction meanwhile). */
  locked<T>(fn: () => T): Promise<T>
  signal?: AbortSignal | undefined
  onProgress(done: number, total: number): void
}

/**
 * The push answer as the client reads it: the decisions' part by the protocol's rules, the
 * media hashes' part on its own (push-hashes.ts), so a broken answer about hashes costs the
 * hashes, never the decisions.
 */
const PushAnswer = PushResponse.extend({ media_hashes: z.unknown().optional() })

/**
 * Push every unsent decision, batch after batch, until none is left or a batch fails for
 * good; each batch carries what media hashes fit beside it, and what is left of those goes
 * in pushes of hashes alone at the end.
 */
export async function pushAll(run: PushRun): Promise<PushCounts> {
  const total = await run.locked(() => run.outbox.pendingCount())
  const counts: PushCounts = { stored: 0, duplicate: 0, rejected: 0 }
  let done = 0
  let after = 0
  const maxBytes = run.maxBodyBytes ?? PUSH_BODY_BYTES
  // Media whose hashes went in this run: not sent twice, whatever the answer was.
  const sentHashes = new Set<string>()
  // A service that refuses a push for its hashes (one older than them) takes this run's decisions alone.
  let hashesRefused = false

  const send = async (batch: OutboxBatch, entries: HashEntry[]): Promise<{ results: PushResult[]; hashes: unknown; entries: HashEntry[] }> => {
    for (const e of entries) sentHashes.add(e.sha256)
    const body = withMediaHashes(batch.body, entries)
    const what = `push of ${batch.ids.length} decision${batch.ids.length === 1 ? '' : 's'}${entries.length > 0 ? ` and hashes of ${entries.length} media` : ''}`
    const signature = run.sign(body).toString('base64')
    try {
      const response = await run.retry(
        what,
        () => run.http.json({ what, method: 'POST', path: SYNC_PATHS.decisions, body, headers: { [SIGNATURE_HEADER]: signature }, schema: PushAnswer, signal: run.signal }),
        (err) => {
          if (err instanceof SyncRequestError && err.code !== 'device_revoked' && batch.seqs.length > 0) void run.locked(() => run.outbox.recordFailure(batch, err.message)).catch(() => {})
        },
      )
      return { results: checkResults(batch, response, what), hashes: response.media_hashes, entries }
    } catch (err) {
      if (entries.length > 0 && err instanceof SyncRequestError && err.code === 'invalid_request' && !run.signal?.aborted) {
        hashesRefused = true
        if (batch.seqs.length > 0) return send(batch, [])
        return { results: [], hashes: undefined, entries: [] }
      }
      throw err
    }
  }

  run.onProgress(0, total)
  for (;;) {
    run.signal?.throwIfAborted()
    const batch = await run.locked(() => run.outbox.nextBatch(after, run.batchSize, maxBytes))
    if (!batch) break
    const hashes = run.hashes
    const entries = hashes && !hashesRefused ? await run.locked(() => hashes.entries(batch.seqs, sentHashes, maxBytes - batch.body.length, false)) : []
    const answer = await send(batch, entries)
    const got = await run.locked(() => run.outbox.applyResults(batch, answer.results))
    if (hashes) await run.locked(() => hashes.applyAnswer(answer.entries, answer.hashes))
    counts.stored += got.stored
    counts.duplicate += got.duplicate
    counts.rejected += got.rejected
    done += batch.ids.length
    after = batch.seqs[batch.seqs.length - 1]!
    run.onProgress(done, Math.max(total, done))
  }
  // Hashes of media whose decisions went before they were hashed (or did not fit beside them).
  // A failure here ends the hashes of this run, not the push: its decisions are sent, and the
  // hashes go next run; the pull that follows meets a lasting trouble (network, token) itself.
  const hashes = run.hashes
  while (hashes && !hashesRefused) {
    run.signal?.throwIfAborted()
    const batch = run.outbox.emptyBatch()
    const entries = await run.locked(() => hashes.entries([], sentHashes, maxBytes - batch.body.length, true))
    if (entries.length === 0) break
    try {
      const answer = await send(batch, entries)
      await run.locked(() => hashes.applyAnswer(answer.entries, answer.hashes))
    } catch (err) {
      if (err instanceof SyncRequestError && !run.signal?.aborted) break
      throw err
    }
  }
  return counts
}
