import type Database from 'better-sqlite3'
import { TinjauError } from '../../shared/errors'
import { HASHER_ID, MAX_HASH_ATTEMPTS, type HashJob, type HashResult, type HashStatus } from '../../shared/frame-hashes'
import { HASH256_WORDS, parseHash256 } from '../../shared/pdq/hash256'

/**
 * The profile's perceptual hashes (table media_hashes): which media objects still need
 * hashing, handing them out one at a time, and keeping the frames that come back.
 *
 * Work is every video and image a clip in the profile uses, in the order a reviewer will
 * meet them (clips still to decide first, most urgent first), so matches appear for what
 * is opened next. A claim is written before the hasher starts: if the app stops or the
 * renderer dies part-way, the row says `hashing` and the next start hands it out again, up
 * to MAX_HASH_ATTEMPTS claims; then it is `failed`, never retried forever.
 *
 * The lists of work and the counts are read from the clips in batches and kept in memory
 * until clips change (an import, a pull: `clipsChanged`): at 100,000 clips a read of them
 * costs ~100 ms, which the console's own calls must not wait behind on every file hashed.
 */

/** Hashes, qualities and time of each frame of one media object, in frame order. */
export interface StoredFrames {
  sha256: string
  /** Hashes each frame carries (the picture whole and its crops: 4 for pdq/1fps/v2). */
  hashesPerFrame: number
  /** hashesPerFrame × HASH256_WORDS words per frame, a frame's hashes together. */
  hashes: Uint32Array
  /** One per hash, in the same order. */
  qualities: Uint8Array
  timesMs: Uint32Array
}

/** Candidates read at once: hashing one takes a second or more, a read of them ~100 ms at 100,000 clips. */
const CANDIDATE_BATCH = 200

interface Candidate {
  sha256: string
  mime: string
  duration_ms: number | null
}

export class HashStore {
  private readonly stmts
  private candidates: Candidate[] = []
  /** No work left the last time the clips were read: until they change, `next` answers at once. */
  private drained = false
  /** Handed out by this process and not answered: not handed out twice at once (two windows hashing). */
  private readonly leased = new Set<string>()
  private counts: HashStatus | null = null
  private readonly listeners = new Set<(frames: StoredFrames) => void>()

  constructor(
    private readonly sqlite: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Videos and images a clip uses that are not hashed by this hasher and not given up on.
    const wanted = `
      SELECT sha256, min(open) AS later, min(due_sort) AS due, max(duration_ms) AS duration_ms FROM (
        SELECT media_sha256 AS sha256, status NOT IN ('pending', 'skipped') AS open, due_sort, duration_ms FROM clips
        UNION ALL
        SELECT poster_sha256, status NOT IN ('pending', 'skipped'), due_sort, NULL FROM clips WHERE poster_sha256 IS NOT NULL
      ) GROUP BY sha256`
    this.stmts = {
      candidates: sqlite.prepare(`
        SELECT w.sha256, m.mime, w.duration_ms FROM (${wanted}) w
        JOIN media_objects m ON m.sha256 = w.sha256
        LEFT JOIN media_hashes h ON h.sha256 = w.sha256
        WHERE (m.mime LIKE 'video/%' OR m.mime LIKE 'image/%')
          AND (h.sha256 IS NULL OR h.status = 'hashing' OR (h.status = 'hashed' AND h.hasher <> @hasher))
        ORDER BY w.later, w.due, w.sha256
        LIMIT ${CANDIDATE_BATCH}`),
      counts: sqlite.prepare(`
        SELECT count(*) AS total,
          coalesce(sum(h.status = 'hashed' AND h.hasher = @hasher), 0) AS hashed,
          coalesce(sum(h.status = 'failed'), 0) AS failed
        FROM (SELECT media_sha256 AS sha256 FROM clips UNION SELECT poster_sha256 FROM clips WHERE poster_sha256 IS NOT NULL) w
        JOIN media_objects m ON m.sha256 = w.sha256
        LEFT JOIN media_hashes h ON h.sha256 = w.sha256
        WHERE m.mime LIKE 'video/%' OR m.mime LIKE 'image/%'`),
      row: sqlite.prepare('SELECT status, attempts, hasher FROM media_hashes WHERE sha256 = ?'),
      media: sqlite.prepare('SELECT mime FROM media_objects WHERE sha256 = ?').pluck(),
      claim: sqlite.prepare(`
        INSERT INTO media_hashes (sha256, status, attempts, hasher, updated_at) VALUES (@sha256, 'hashing', 1, @hasher, @at)
        ON CONFLICT (sha256) DO UPDATE SET status = 'hashing', attempts = attempts + 1, hasher = @hasher, updated_at = @at`),
      giveUp: sqlite.prepare(`UPDATE media_hashes SET status = 'failed', error = @error, updated_at = @at WHERE sha256 = @sha256`),
      hashed: sqlite.prepare(`
        INSERT INTO media_hashes (sha256, status, attempts, hasher, frame_count, hashes, qualities, times_ms, error, updated_at)
        VALUES (@sha256, 'hashed', 1, @hasher, @frameCount, @hashes, @qualities, @timesMs, NULL, @at)
        ON CONFLICT (sha256) DO UPDATE SET status = 'hashed', hasher = @hasher, frame_count = @frameCount, hashes = @hashes,
          qualities = @qualities, times_ms = @timesMs, error = NULL, updated_at = @at`),
      failed: sqlite.prepare(`
        INSERT INTO media_hashes (sha256, status, attempts, hasher, error, updated_at) VALUES (@sha256, 'failed', 1, @hasher, @error, @at)
        ON CONFLICT (sha256) DO UPDATE SET status = 'failed', hasher = @hasher, frame_count = 0, hashes = NULL, qualities = NULL,
          times_ms = NULL, error = @error, updated_at = @at`),
      frames: sqlite.prepare(`SELECT sha256, frame_count, hashes, qualities, times_ms FROM media_hashes WHERE sha256 = ? AND status = 'hashed' AND hasher = ?`),
      allFrames: sqlite.prepare(`SELECT sha256, frame_count, hashes, qualities, times_ms FROM media_hashes WHERE status = 'hashed' AND hasher = ?`),
    }
  }

  /** Clips were added or changed (an import, a pull): there may be new work. */
  clipsChanged(): void {
    this.drained = false
    this.candidates = []
    this.counts = null
  }

  /** Called with the frames of each media object as it is hashed (the match index adds them). */
  onHashed(listener: (frames: StoredFrames) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The next media object to hash, claimed; null when there is nothing to do. */
  next(): HashJob | null {
    for (;;) {
      if (this.candidates.length === 0) {
        if (this.drained) return null
        this.candidates = this.stmts.candidates.all({ hasher: HASHER_ID }) as Candidate[]
        // Fewer than a batch: nothing beyond these until the clips change.
        if (this.candidates.length < CANDIDATE_BATCH) this.drained = true
        if (this.candidates.length === 0) return null
      }
      const c = this.candidates.shift()!
      if (this.leased.has(c.sha256)) continue
      const job = this.sqlite.transaction((): HashJob | null => {
        const row = this.stmts.row.get(c.sha256) as { status: string; attempts: number; hasher: string } | undefined
        if (row?.status === 'failed' || (row?.status === 'hashed' && row.hasher === HASHER_ID)) return null
        const at = this.now().toISOString()
        if (row?.status === 'hashing' && row.attempts >= MAX_HASH_ATTEMPTS) {
          this.stmts.giveUp.run({
            sha256: c.sha256,
            at,
            error: `the hasher stopped ${row.attempts} times before finishing this file; it is not tried again`,
          })
          this.adjustCounts({ failed: 1 })
          return null
        }
        this.stmts.claim.run({ sha256: c.sha256, hasher: HASHER_ID, at })
        return { sha256: c.sha256, kind: c.mime.startsWith('video/') ? 'video' : 'image', mime: c.mime, durationMs: c.duration_ms }
      })()
      if (!job) continue
      this.leased.add(job.sha256)
      return job
    }
  }

  /** The hasher's answer: the frames, or why it could not hash the file. */
  record(result: HashResult): HashStatus {
    const mime = this.stmts.media.get(result.sha256) as string | undefined
    if (mime === undefined) throw new TinjauError('not_found', `no media object ${result.sha256} in this profile`)
    const at = this.now().toISOString()
    const row = this.stmts.row.get(result.sha256) as { status: string; hasher: string } | undefined
    // What the counts hold it as now: frames of another hasher count as waiting.
    const previous = row?.status === 'hashed' && row.hasher !== HASHER_ID ? undefined : row
    if (result.outcome === 'failed') {
      this.stmts.failed.run({ sha256: result.sha256, hasher: HASHER_ID, error: result.error, at })
      this.leased.delete(result.sha256)
      if (previous?.status !== 'failed') this.adjustCounts({ failed: 1, hashed: previous?.status === 'hashed' ? -1 : 0 })
      return this.status()
    }
    if (mime.startsWith('image/') && result.frames.length !== 1) {
      throw new TinjauError('invalid_input', `media object ${result.sha256} is an image: one frame, not ${result.frames.length}`, [
        { path: 'frames', message: 'an image has one frame' },
      ])
    }
    const n = result.frames.length
    // The same for every frame (HashResult checks it): the blobs need no per-frame count.
    const perFrame = result.frames[0]!.hashes.length
    const hashes = new Uint32Array(n * perFrame * HASH256_WORDS)
    const qualities = new Uint8Array(n * perFrame)
    const timesMs = new Uint32Array(n)
    result.frames.forEach((f, i) => {
      f.hashes.forEach((h, k) => {
        hashes.set(parseHash256(h.hash), (i * perFrame + k) * HASH256_WORDS)
        qualities[i * perFrame + k] = h.quality
      })
      timesMs[i] = f.tMs
    })
    const frames: StoredFrames = { sha256: result.sha256, hashesPerFrame: perFrame, hashes, qualities, timesMs }
    this.stmts.hashed.run({ sha256: result.sha256, hasher: HASHER_ID, frameCount: n, ...toBlobs(frames), at })
    this.leased.delete(result.sha256)
    if (previous?.status !== 'hashed') this.adjustCounts({ hashed: 1, failed: previous?.status === 'failed' ? -1 : 0 })
    for (const l of this.listeners) l(frames)
    return this.status()
  }

  status(): HashStatus {
    if (!this.counts) {
      const c = this.stmts.counts.get({ hasher: HASHER_ID }) as { total: number; hashed: number; failed: number }
      this.counts = { ...c, waiting: c.total - c.hashed - c.failed }
    }
    return { ...this.counts }
  }

  /** The frames of one media object, if it is hashed. */
  frames(sha256: string): StoredFrames | null {
    const row = this.stmts.frames.get(sha256, HASHER_ID) as FrameRow | undefined
    return row ? fromRow(row) : null
  }

  /** Every hashed media object's frames, one at a time (the match index loads them at start). */
  *allFrames(): Generator<StoredFrames> {
    for (const row of this.stmts.allFrames.iterate(HASHER_ID) as IterableIterator<FrameRow>) yield fromRow(row)
  }

  private adjustCounts(delta: { hashed?: number; failed?: number }): void {
    if (!this.counts) return
    this.counts.hashed += delta.hashed ?? 0
    this.counts.failed += delta.failed ?? 0
    this.counts.waiting = this.counts.total - this.counts.hashed - this.counts.failed
  }
}

interface FrameRow {
  sha256: string
  frame_count: number
  hashes: Buffer
  qualities: Buffer
  times_ms: Buffer
}

/**
 * Hashes big-endian, as their hex reads; times little-endian: the blobs read the same on any
 * machine. A frame's hashes are stored together (hashes and qualities hold frame_count ×
 * hashes-per-frame entries, times frame_count), so hashes per frame is qualities / frame_count.
 */
function toBlobs(f: StoredFrames): { hashes: Buffer; qualities: Buffer; timesMs: Buffer } {
  const hashes = Buffer.alloc(f.hashes.length * 4)
  f.hashes.forEach((w, i) => hashes.writeUInt32BE(w, i * 4))
  const timesMs = Buffer.alloc(f.timesMs.length * 4)
  f.timesMs.forEach((t, i) => timesMs.writeUInt32LE(t, i * 4))
  return { hashes, qualities: Buffer.from(f.qualities), timesMs }
}

function fromRow(row: FrameRow): StoredFrames {
  const hashes = new Uint32Array(row.hashes.length / 4)
  for (let i = 0; i < hashes.length; i++) hashes[i] = row.hashes.readUInt32BE(i * 4)
  const timesMs = new Uint32Array(row.times_ms.length / 4)
  for (let i = 0; i < timesMs.length; i++) timesMs[i] = row.times_ms.readUInt32LE(i * 4)
  const hashesPerFrame = row.frame_count > 0 ? row.qualities.length / row.frame_count : 1
  if (!Number.isInteger(hashesPerFrame) || hashes.length !== row.qualities.length * HASH256_WORDS || timesMs.length !== row.frame_count) {
    throw new TinjauError('internal', `stored hashes of ${row.sha256} do not fit together (${row.frame_count} frames, ${row.qualities.length} qualities)`)
  }
  return { sha256: row.sha256, hashesPerFrame, hashes, qualities: new Uint8Array(row.qualities), timesMs }
}
