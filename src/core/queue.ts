import type Database from 'better-sqlite3'
import { CLIP_STATUSES, type ClipDetail, type ClipStatus, type QueueItem, type QueuePage, type QueueQuery, type MediaInfo } from '../shared/domain'
import { TinjauError } from '../shared/errors'
import type { PackClip } from '../shared/field-pack'
import type { DecisionLog } from './decisions'
import type { ManifestStore } from './manifest-store'

/** Reading the queue: pages ordered by due time (no due time last), and one clip in full. */

interface QueueRow {
  id: string
  status: ClipStatus
  priority: number | null
  due_at: string | null
  captured_at: string
  duration_ms: number | null
  stream_title: string | null
  account_handle: string | null
  region: string | null
  commerce: number
  flag_labels: string
  flag_sources: string
}

const QUEUE_COLUMNS =
  'id, status, priority, due_at, captured_at, duration_ms, stream_title, account_handle, region, commerce, flag_labels, flag_sources'
const ORDER = 'ORDER BY due_sort, id'

/**
 * One page, in two steps: the subquery walks the index alone (clips_due, or clips_status_due
 * with a status filter) past OFFSET and picks the page's rowids; only those rows are then read
 * whole. Selecting the columns directly made SQLite sort every matching row whole when more
 * than one status was asked for. Same rows, same order: (due_sort, id) is unique.
 */
function pageSql(where: string): string {
  return `SELECT ${QUEUE_COLUMNS} FROM clips WHERE rowid IN (SELECT rowid FROM clips ${where} ${ORDER} LIMIT ? OFFSET ?) ${ORDER}`
}

function toQueueItem(r: QueueRow): QueueItem {
  return {
    id: r.id,
    status: r.status,
    priority: r.priority,
    dueAt: r.due_at,
    capturedAt: r.captured_at,
    durationMs: r.duration_ms,
    streamTitle: r.stream_title,
    accountHandle: r.account_handle,
    region: r.region,
    commerce: r.commerce === 1,
    flagLabels: JSON.parse(r.flag_labels) as string[],
    flagSources: JSON.parse(r.flag_sources) as QueueItem['flagSources'],
  }
}

interface ClipJsonRow {
  id: string
  pack_id: string
  status: ClipStatus
  raw_json: string
  manifest_sha256: string | null
  json_offset: number | null
  json_length: number | null
}

export class Queue {
  private readonly stmts
  private readonly byStatusCount = new Map<number, Database.Statement>()
  /** The last counts, and the database version they were counted at (see `counts`). */
  private cachedCounts: { version: string; counts: Record<ClipStatus, number> } | null = null

  constructor(
    private readonly sqlite: Database.Database,
    private readonly decisions: DecisionLog,
    private readonly manifests: ManifestStore,
  ) {
    this.stmts = {
      all: sqlite.prepare(pageSql('')),
      counts: sqlite.prepare('SELECT status, count(*) AS n FROM clips GROUP BY status'),
      // data_version moves when another connection commits; total_changes() when this one
      // changes a row. Together they say whether anything may have changed since last time.
      version: sqlite.prepare("SELECT (SELECT data_version FROM pragma_data_version) || ':' || total_changes()").pluck(),
      clip: sqlite.prepare('SELECT id, pack_id, status, raw_json, manifest_sha256, json_offset, json_length FROM clips WHERE id = ?'),
    }
  }

  /**
   * Clips per status. Counting walks an index over every clip, and every page asks for the
   * counts, so they are kept until the database changes (by this connection or another).
   * Inside a transaction they are always counted afresh: a rollback undoes rows without
   * moving either version number.
   */
  counts(): Record<ClipStatus, number> {
    if (this.sqlite.inTransaction) return this.countNow()
    const version = this.stmts.version.get() as string
    if (this.cachedCounts?.version !== version) this.cachedCounts = { version, counts: this.countNow() }
    return { ...this.cachedCounts.counts }
  }

  private countNow(): Record<ClipStatus, number> {
    const counts = Object.fromEntries(CLIP_STATUSES.map((s) => [s, 0])) as Record<ClipStatus, number>
    for (const row of this.stmts.counts.all() as { status: ClipStatus; n: number }[]) counts[row.status] = row.n
    return counts
  }

  page(query: QueueQuery): QueuePage {
    const counts = this.counts()
    const statuses = query.status && query.status.length > 0 ? [...new Set(query.status)] : null
    let rows: QueueRow[]
    let total: number
    if (!statuses) {
      rows = this.stmts.all.all(query.limit, query.offset) as QueueRow[]
      total = Object.values(counts).reduce((a, b) => a + b, 0)
    } else {
      rows = this.statusStatement(statuses.length).all(...statuses, query.limit, query.offset) as QueueRow[]
      total = statuses.reduce((sum, s) => sum + counts[s], 0)
    }
    return { items: rows.map(toQueueItem), total, counts }
  }

  private statusStatement(n: number): Database.Statement {
    let s = this.byStatusCount.get(n)
    if (!s) {
      const marks = Array.from({ length: n }, () => '?').join(', ')
      s = this.sqlite.prepare(pageSql(`WHERE status IN (${marks})`))
      this.byStatusCount.set(n, s)
    }
    return s
  }

  /** The clip's JSON as the pack gave it: from its stored pack.json by byte range, or from the row itself. */
  clipJson(row: ClipJsonRow): PackClip {
    if (row.manifest_sha256 !== null && row.json_offset !== null && row.json_length !== null) {
      return JSON.parse(this.manifests.read(row.manifest_sha256, row.json_offset, row.json_length).toString('utf8')) as PackClip
    }
    return JSON.parse(row.raw_json) as PackClip
  }

  /** The clip exactly as its pack gave it, unknown fields included (exports round-trip these). */
  packClip(clipId: string): PackClip {
    const row = this.stmts.clip.get(clipId) as ClipJsonRow | undefined
    if (!row) throw new TinjauError('not_found', `no clip with id "${clipId}"`, [{ path: 'clipId', message: 'unknown clip' }])
    return this.clipJson(row)
  }

  clip(clipId: string): ClipDetail {
    const row = this.stmts.clip.get(clipId) as ClipJsonRow | undefined
    if (!row) throw new TinjauError('not_found', `no clip with id "${clipId}"`, [{ path: 'clipId', message: 'unknown clip' }])
    const c = this.clipJson(row)
    const media = (ref: PackClip['media'] | undefined): MediaInfo | null =>
      ref
        ? {
            sha256: ref.sha256,
            mime: ref.mime,
            bytes: ref.bytes,
            durationMs: ref.duration_ms ?? null,
            width: ref.width ?? null,
            height: ref.height ?? null,
          }
        : null
    return {
      id: row.id,
      packId: row.pack_id,
      status: row.status,
      capturedAt: c.captured_at,
      dueAt: c.due_at ?? null,
      priority: c.priority ?? null,
      media: media(c.media) as MediaInfo,
      poster: media(c.poster),
      stream: {
        id: c.stream.id,
        title: c.stream.title ?? null,
        startedAt: c.stream.started_at ?? null,
        region: c.stream.region ?? null,
        language: c.stream.language ?? null,
        commerce: c.stream.commerce ?? false,
        viewerPeak: c.stream.viewer_peak ?? null,
      },
      account: {
        id: c.account.id,
        handle: c.account.handle ?? null,
        displayName: c.account.display_name ?? null,
        type: c.account.type,
        followers: c.account.followers ?? null,
        priorStrikes: c.account.prior_strikes ?? null,
      },
      segment: { startMs: c.segment.start_ms, endMs: c.segment.end_ms },
      flags: c.flags.map((f) => ({
        source: f.source,
        label: f.label,
        score: f.score ?? null,
        atMs: f.at_ms ?? null,
        count: f.count ?? null,
        reference: f.reference ?? null,
        dueAt: f.due_at ?? null,
      })),
      transcript: (c.transcript ?? []).map((t) => ({ atMs: t.at_ms, endMs: t.end_ms ?? null, text: t.text, author: null })),
      chat: (c.chat ?? []).map((t) => ({ atMs: t.at_ms, endMs: null, text: t.text, author: t.author })),
      decisions: this.decisions.forClip(row.id),
    }
  }
}
