import type Database from 'better-sqlite3'
import { z } from 'zod'
import { HASHER_ID } from '../../shared/frame-hashes'
import { MAX_PUSH_MEDIA_HASHES, MediaHashResult, type MediaFrameHashes } from '../../shared/sync-protocol'

/**
 * The frame hashes a push carries (issue 14): of the media of clips this device decided,
 * hashed by the current hasher, and not yet answered for (media_hash_pushes). Decisions never
 * wait for them: a batch takes the hashes of its own decisions' media that fit beside them;
 * the rest, and media whose decisions went before they were hashed, go in pushes of hashes
 * alone once the decisions are sent. A hash row is marked only from an answer that names exactly the hashes sent; any
 * other answer leaves them to go again, and changes nothing else.
 */

export interface HashEntry {
  sha256: string
  hasher: string
  /** The entry as the push body carries it. */
  json: Buffer
}

interface DueRow {
  sha256: string
  hasher: string
  /** Of the hashes blob: what the entry's size follows. */
  bytes: number
  frame_count: number
}

/** An entry's JSON size from its blob sizes, at most: hex doubles the hashes; a quality ≤ 4 characters, a time ≤ 11. */
const estimate = (r: DueRow) => r.bytes * 2 + (r.bytes / 32) * 4 + r.frame_count * 11 + 300

interface FramesRow {
  frame_count: number
  hashes: Buffer
  qualities: Buffer
  times_ms: Buffer
}

const MediaHashResults = z.array(MediaHashResult)

export class MediaHashPushes {
  private readonly stmts

  constructor(
    private readonly sqlite: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      // The media of the batch's decisions: a probe per decision, whatever the outbox holds.
      dueInBatch: sqlite.prepare(`
        SELECT DISTINCT h.sha256, h.hasher, length(h.hashes) AS bytes, h.frame_count FROM outbox o JOIN decisions d ON d.id = o.decision_id JOIN clips c ON c.id = d.clip_id
          JOIN media_hashes h ON h.sha256 = c.media_sha256
        WHERE o.seq IN (SELECT value FROM json_each(@seqs)) AND h.status = 'hashed' AND h.hasher = @hasher AND h.frame_count > 0
          AND NOT EXISTS (SELECT 1 FROM media_hash_pushes p WHERE p.sha256 = h.sha256 AND p.hasher = h.hasher)
          AND h.sha256 NOT IN (SELECT value FROM json_each(@exclude))
        ORDER BY h.sha256 LIMIT @limit`),
      // Hashed media not answered for whose clip has a decision of this device the service holds
      // (the outbox holds only the device's own): from the hashes, a probe each.
      dueAcked: sqlite.prepare(`
        SELECT h.sha256, h.hasher, length(h.hashes) AS bytes, h.frame_count FROM media_hashes h
        WHERE h.status = 'hashed' AND h.hasher = @hasher AND h.frame_count > 0
          AND NOT EXISTS (SELECT 1 FROM media_hash_pushes p WHERE p.sha256 = h.sha256 AND p.hasher = h.hasher)
          AND h.sha256 NOT IN (SELECT value FROM json_each(@exclude))
          AND EXISTS (SELECT 1 FROM clips c JOIN decisions d ON d.clip_id = c.id JOIN outbox o ON o.decision_id = d.id
            WHERE c.media_sha256 = h.sha256 AND o.acked_at IS NOT NULL AND o.rejected_at IS NULL)
        ORDER BY h.sha256 LIMIT @limit`),
      frames: sqlite.prepare(`SELECT frame_count, hashes, qualities, times_ms FROM media_hashes WHERE sha256 = ? AND hasher = ? AND status = 'hashed'`),
      record: sqlite.prepare(`INSERT INTO media_hash_pushes (sha256, hasher, outcome, message, answered_at) VALUES (@sha256, @hasher, @outcome, @message, @at)
        ON CONFLICT (sha256, hasher) DO UPDATE SET outcome = excluded.outcome, message = excluded.message, answered_at = excluded.answered_at`),
      answered: sqlite.prepare('SELECT count(*) FROM media_hash_pushes').pluck(),
    }
  }

  /**
   * Hashes to send: with the outbox rows `seqs`, those of their media; alone (`seqs` empty),
   * those of media whose decisions the service holds. Within `budget` bytes of entries;
   * `alwaysOne` takes the first even past the budget (a push of hashes alone must carry
   * something). `exclude`: media sent already in this run.
   */
  entries(seqs: readonly number[], exclude: ReadonlySet<string>, budget: number, alwaysOne: boolean): HashEntry[] {
    const params = { hasher: HASHER_ID, exclude: JSON.stringify([...exclude]), limit: MAX_PUSH_MEDIA_HASHES }
    const due = (seqs.length > 0 ? this.stmts.dueInBatch.all({ ...params, seqs: JSON.stringify(seqs) }) : this.stmts.dueAcked.all(params)) as DueRow[]
    const out: HashEntry[] = []
    let used = 0
    for (const r of due) {
      const first = alwaysOne && out.length === 0
      // Judged before the blobs are read: a media of hours is megabytes.
      if (used + estimate(r) + 1 > budget && !first) continue
      const row = this.stmts.frames.get(r.sha256, r.hasher) as FramesRow | undefined
      if (!row) continue
      const json = Buffer.from(JSON.stringify(encodeFrames(r.sha256, r.hasher, row)))
      if (used + json.length + 1 > budget && !first) continue
      out.push({ sha256: r.sha256, hasher: r.hasher, json })
      used += json.length + 1
    }
    return out
  }

  /**
   * Keeps the service's answer for the hashes sent, if it names exactly them in order; returns
   * how many were marked. Any other answer (absent, malformed, other media) marks none.
   */
  applyAnswer(sent: readonly HashEntry[], answer: unknown): number {
    if (sent.length === 0) return 0
    const parsed = MediaHashResults.safeParse(answer)
    if (!parsed.success || parsed.data.length !== sent.length) return 0
    if (!parsed.data.every((r, i) => r.sha256 === sent[i]!.sha256 && r.hasher === sent[i]!.hasher)) return 0
    const at = this.now().toISOString()
    this.sqlite.transaction(() => {
      for (const r of parsed.data) this.stmts.record.run({ sha256: r.sha256, hasher: r.hasher, outcome: r.outcome, message: r.message?.slice(0, 500) ?? null, at })
    })()
    return sent.length
  }

  answeredCount(): number {
    return this.stmts.answered.get() as number
  }
}

/** The stored blobs (media_hashes: hashes big-endian as their hex reads, times little-endian) as the push carries them. */
export function encodeFrames(sha256: string, hasher: string, row: FramesRow): MediaFrameHashes {
  const times: number[] = []
  for (let i = 0; i < row.frame_count; i++) times.push(row.times_ms.readUInt32LE(i * 4))
  return {
    sha256,
    hasher,
    hashes_per_frame: row.qualities.length / row.frame_count,
    times_ms: times,
    hashes: row.hashes.toString('hex'),
    qualities: [...row.qualities],
  }
}

/** The push body with the hash entries added (the body ends with the `]}` that closes its decisions). */
export function withMediaHashes(body: Buffer<ArrayBuffer>, entries: readonly HashEntry[]): Buffer<ArrayBuffer> {
  if (entries.length === 0) return body
  const parts: Buffer[] = [body.subarray(0, body.length - 1), MEDIA_HASHES_KEY]
  entries.forEach((e, i) => {
    if (i > 0) parts.push(COMMA)
    parts.push(e.json)
  })
  parts.push(CLOSE)
  return Buffer.concat(parts) as Buffer<ArrayBuffer>
}

const MEDIA_HASHES_KEY = Buffer.from(',"media_hashes":[')
const COMMA = Buffer.from(',')
const CLOSE = Buffer.from(']}')
