import type Database from 'better-sqlite3'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { SearchIndexState } from '../shared/domain'
import type { PackClip } from '../shared/field-pack'
import type { ManifestStore } from './manifest-store'
import type { WriteGate } from './write-gate'

/**
 * The full-text index `clip_search` (FTS5, unicode61 with diacritics removed, so "café" and
 * "cafe", "Bahasa" and "bahasa" match; see migration 0003) over each clip's stream title,
 * transcript and chat. Its rowid is the clip row's rowid; it is contentless, since the text
 * already lives in the stored pack.json.
 *
 * It is built after an import, not inside it: indexing 100,000 clips in the import's
 * transaction would cost seconds the import does not have. `clip_search_state` says which
 * version of each clip is indexed (see schema.ts); a clip that is new or changed since is
 * waiting. This catches up in batches, each one short synchronous transaction, yielding to
 * the event loop between them so the hosts' calls go on, and never while an import holds
 * the write gate (the batch checks the gate and runs in the same turn, so an import cannot
 * start halfway through one).
 */

const BATCH = 500
/** The version of a clip row the index holds: an import that changes a clip changes all three. */
const SOURCE = "(coalesce(c.manifest_sha256, '') || ':' || coalesce(c.json_offset, '') || ':' || c.updated_at)"
/** Read a batch's clips from pack.json in one piece when their bytes lie within this span. */
const SPAN_BYTES = 16 * 1024 * 1024

interface PendingRow {
  rowid: number
  source: string
  manifest_sha256: string | null
  json_offset: number | null
  json_length: number | null
  raw_json: string
}

export interface SearchDocument {
  title: string
  transcript: string
  chat: string
}

export function searchDocument(clip: PackClip): SearchDocument {
  return {
    title: clip.stream.title ?? '',
    transcript: (clip.transcript ?? []).map((l) => l.text).join('\n'),
    chat: (clip.chat ?? []).map((l) => l.text).join('\n'),
  }
}

export class SearchIndex {
  private readonly stmts
  private running: Promise<void> | null = null
  /** Another run is wanted once the current one ends (an import finished meanwhile). */
  private again = false
  private closed = false
  private waiting = 0
  private total = 0
  /** False until a run has found nothing left to index. */
  private caughtUp = false
  private started = false
  /** The run going on is a verification (startAtOpen): the index counts as complete meanwhile. */
  private quiet = false

  constructor(
    private readonly sqlite: Database.Database,
    private readonly gate: WriteGate,
    private readonly manifests: ManifestStore,
    private readonly batchSize = BATCH,
  ) {
    const waitingRows = `FROM clips c LEFT JOIN clip_search_state s ON s.clip_rowid = c.rowid WHERE s.source IS NOT ${SOURCE}`
    this.stmts = {
      pending: sqlite.prepare(
        `SELECT c.rowid AS rowid, ${SOURCE} AS source, c.manifest_sha256, c.json_offset, c.json_length, c.raw_json ${waitingRows} AND c.rowid > ? ORDER BY c.rowid LIMIT ?`,
      ),
      waiting: sqlite.prepare(`SELECT count(*) ${waitingRows}`).pluck(),
      total: sqlite.prepare('SELECT count(*) FROM clips').pluck(),
      lastClip: sqlite.prepare('SELECT max(rowid) FROM clips').pluck(),
      lastTracked: sqlite.prepare('SELECT max(clip_rowid) FROM clip_search_state').pluck(),
      put: sqlite.prepare('INSERT OR REPLACE INTO clip_search (rowid, title, transcript, chat) VALUES (?, ?, ?, ?)'),
      done: sqlite.prepare('INSERT OR REPLACE INTO clip_search_state (clip_rowid, source) VALUES (?, ?)'),
    }
  }

  state(): SearchIndexState {
    // Never started (the CLI builds no index): say how things stand, counted once.
    if (!this.started) {
      this.started = true
      this.waiting = this.stmts.waiting.get() as number
      this.total = this.stmts.total.get() as number
      this.caughtUp = this.waiting === 0
    }
    return { complete: this.caughtUp && (!this.running || this.quiet), indexed: Math.max(0, this.total - this.waiting), waiting: this.waiting }
  }

  /** Begin catching up (or catch up again after the current run); returns at once. */
  start(): void {
    if (this.closed) return
    this.started = true
    this.caughtUp = false
    if (this.running) {
      this.again = true
      return
    }
    this.launch(false)
  }

  /** One run; `quiet` (a verification) keeps the index "complete" unless it finds stale entries. */
  private launch(quiet: boolean): void {
    this.quiet = quiet
    this.running = this.run({ quiet }).finally(() => {
      this.running = null
      this.quiet = false
      if (this.again && !this.closed) {
        this.again = false
        this.start()
      }
    })
  }

  /**
   * At start-up: when the newest clip has an index entry (two index lookups, where the full
   * check scans every clip against its entry, ~0.2 s at 100,000 clips, and even counting the
   * entries reads ~60 ms of cold pages), take the index as complete now and verify it after
   * `verifyAfterMs`, so the check does not hold up a starting UI. Clips are only ever added
   * after the newest, and their entries written in rowid order, so an index that stopped
   * short (a crash mid-run) is caught here; stale entries (a newer pack) by the verification.
   * Otherwise catch up at once. An import always calls `start()` itself.
   */
  startAtOpen(verifyAfterMs: number): void {
    if (this.closed) return
    const lastClip = this.stmts.lastClip.get() as number | null
    if (lastClip !== null && (this.stmts.lastTracked.get() as number | null) !== lastClip) {
      this.start()
      return
    }
    const total = this.stmts.total.get() as number
    this.started = true
    this.total = total
    this.waiting = 0
    this.caughtUp = true
    setTimeout(() => {
      // A run already going (an import started one) does the same check.
      if (!this.closed && !this.running) this.launch(true)
    }, verifyAfterMs).unref()
  }

  /** Resolves when no run is going on (tests and benchmarks wait for the index with this). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running
  }

  close(): void {
    this.closed = true
  }

  private async run(opts: { quiet?: boolean } = {}): Promise<void> {
    await yieldToEventLoop()
    let after = 0
    // Quiet (a verification): no count up front; the index stays "complete" unless stale
    // entries turn up.
    let first = !opts.quiet
    for (;;) {
      while (this.gate.busy || this.sqlite.inTransaction) {
        await this.gate.idle()
        await yieldToEventLoop()
      }
      if (this.closed || !this.sqlite.open) return
      if (first) {
        this.waiting = this.stmts.waiting.get() as number
        this.total = this.stmts.total.get() as number
        first = false
      }
      const rows = this.stmts.pending.all(after, this.batchSize) as PendingRow[]
      if (rows.length === 0) break
      if (opts.quiet && this.caughtUp) {
        this.caughtUp = false
        this.waiting = this.stmts.waiting.get() as number
      }
      this.indexBatch(rows)
      after = rows[rows.length - 1]!.rowid
      this.waiting = Math.max(0, this.waiting - rows.length)
      await yieldToEventLoop()
    }
    this.waiting = 0
    this.caughtUp = true
  }

  private indexBatch(rows: PendingRow[]): void {
    const texts = this.readClips(rows)
    this.sqlite.transaction(() => {
      rows.forEach((row, k) => {
        const text = texts[k]
        // A clip whose JSON cannot be read any more is marked done with no text rather than
        // retried forever; clip.get reports that clip's problem where it matters.
        if (text) this.stmts.put.run(row.rowid, text.title, text.transcript, text.chat)
        this.stmts.done.run(row.rowid, row.source)
      })
    })()
  }

  /** Each row's text, reading each stored pack.json once per batch where the clips lie close together. */
  private readClips(rows: PendingRow[]): (SearchDocument | null)[] {
    const spans = new Map<string, { from: number; to: number }>()
    for (const r of rows) {
      if (r.manifest_sha256 === null || r.json_offset === null || r.json_length === null) continue
      const s = spans.get(r.manifest_sha256)
      const end = r.json_offset + r.json_length
      if (!s) spans.set(r.manifest_sha256, { from: r.json_offset, to: end })
      else {
        s.from = Math.min(s.from, r.json_offset)
        s.to = Math.max(s.to, end)
      }
    }
    const pieces = new Map<string, { from: number; bytes: Buffer }>()
    for (const [sha, s] of spans) {
      if (s.to - s.from > SPAN_BYTES) continue
      try {
        pieces.set(sha, { from: s.from, bytes: this.manifests.read(sha, s.from, s.to - s.from) })
      } catch {
        // Unreadable: each clip is tried on its own below, and fails there.
      }
    }
    return rows.map((r) => {
      try {
        let json: string
        if (r.manifest_sha256 !== null && r.json_offset !== null && r.json_length !== null) {
          const piece = pieces.get(r.manifest_sha256)
          json = piece
            ? piece.bytes.toString('utf8', r.json_offset - piece.from, r.json_offset - piece.from + r.json_length)
            : this.manifests.read(r.manifest_sha256, r.json_offset, r.json_length).toString('utf8')
        } else json = r.raw_json
        return searchDocument(JSON.parse(json) as PackClip)
      } catch {
        return null
      }
    })
  }
}
