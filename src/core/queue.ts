import type Database from 'better-sqlite3'
import { outcomeOfClip } from './sync/outcomes'
import {
  CLIP_STATUSES,
  type ClipDetail,
  type ClipStatus,
  type MediaInfo,
  type QueueItem,
  type QueuePage,
  type QueueQueryInput,
  type QueueSort,
} from '../shared/domain'
import { TinjauError } from '../shared/errors'
import type { PackClip } from '../shared/field-pack'
import type { DecisionLog } from './decisions'
import type { ManifestStore } from './manifest-store'
import type { CopyGroup } from './hashes/match-pairs'
import { QueueFacets } from './queue-facets'
import { orderBy, segments, statusOnly, statusSql, whereClause, type FilterSql } from './queue-order'
import type { SearchIndex } from './search-index'
import { parseSearch } from './search-query'

/** Reading the queue: filtered, ordered pages (the order is defined in queue-order.ts), and one clip in full. */

export interface QueueOptions {
  now?: () => Date
  /** The full-text index, whose progress every page reports; without one, search sees what is indexed. */
  search?: SearchIndex
  /** Known content (issue 14): which clips have a match, and the groups of copies (from the stored match pairs). */
  copies?: QueueCopies
}

export interface QueueCopies {
  clipsWithMatch(kind: 'any' | 'decided'): ReadonlySet<number>
  copyGroups(): ReadonlyMap<number, CopyGroup>
  copiesOf(clips: readonly { rowid: number; mediaSha256: string }[]): ReadonlyMap<number, CopyGroup>
}

interface QueueRow {
  rid: number
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
  authority: number
  media_sha256: string
}

const QUEUE_COLUMNS =
  'rowid AS rid, id, status, priority, due_at, captured_at, duration_ms, stream_title, account_handle, region, commerce, flag_labels, flag_sources, authority, media_sha256'
/** Prepared statements kept per SQL text; queries come in a bounded number of shapes, but cap it anyway. */
const MAX_CACHED_STATEMENTS = 256

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
    authority: r.authority === 1,
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

/** A page's row as read, with what its copies are found by. */
type PageRow = QueueItem & { rid: number; mediaSha256: string }

/** Offsets up to which a status-only page is read from the index rather than the facets. */
const INDEX_PAGES_UP_TO = 2_000

export class Queue {
  private readonly stmts
  private readonly statements = new Map<string, Database.Statement>()
  private readonly now: () => Date
  private readonly search: SearchIndex | null
  /** The last counts, and the database version they were counted at (see `counts`). */
  private cachedCounts: { version: string; counts: Record<ClipStatus, number> } | null = null
  private cachedHits: { version: string; match: string; rowids: number[] } | null = null
  private readonly facets: QueueFacets
  private readonly copies: QueueCopies | null

  constructor(
    private readonly sqlite: Database.Database,
    private readonly decisions: DecisionLog,
    private readonly manifests: ManifestStore,
    opts: QueueOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date())
    this.search = opts.search ?? null
    this.copies = opts.copies ?? null
    this.facets = new QueueFacets(sqlite)
    this.stmts = {
      // One statement for any page: the rowids come as a JSON array, in page order.
      rows: sqlite.prepare(`SELECT ${QUEUE_COLUMNS} FROM clips WHERE rowid IN (SELECT value FROM json_each(?))`),
      search: sqlite.prepare('SELECT rowid FROM clip_search WHERE clip_search MATCH ?').pluck(),
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

  /**
   * One page of the queue: the clips the filters keep, in the query's order (queue-order.ts),
   * with the counts per status over every clip. A search string that cannot be read gives
   * no clips and a hint, never an error.
   */
  page(query: QueueQueryInput): QueuePage {
    const counts = this.counts()
    const searchIndex = this.search?.state() ?? { complete: true, indexed: 0, waiting: 0 }
    const parsed = parseSearch(query.search)
    if (parsed.kind === 'invalid') return { items: [], total: 0, counts, searchHint: parsed.hint, searchIndex }
    const nowMs = this.now().getTime()
    const sort = query.sort ?? 'urgency'
    const limit = query.limit ?? 100
    const offset = query.offset ?? 0
    try {
      const byStatus = statusOnly(query)
      // The first pages of the list as it opens come straight from the index (a millisecond
      // or two, growing with the offset); deeper pages, other filters and the priority order
      // from the facets, whose cost does not grow with the offset but whose first load takes
      // ~0.5 s at 100,000 clips: a starting list asks for its first two pages at once, and
      // that load used to fall inside its start.
      if (byStatus && offset <= INDEX_PAGES_UP_TO && sort !== 'priority') {
        const rowids = this.firstPage(statusSql(query), sort, nowMs, offset + limit).slice(offset)
        return { items: this.withCopies(this.rowsInOrder(rowids)), total: this.totalFromCounts(query.status, counts), counts, searchHint: null, searchIndex }
      }
      const version = this.sqlite.inTransaction ? `tx:${Math.random()}` : (this.stmts.version.get() as string)
      const hits = parsed.kind === 'query' ? this.searchHits(parsed.match, version) : null
      const groups = this.copies && query.groupCopies ? this.copies.copyGroups() : null
      const matched = this.copies && query.hasMatch ? this.copies.clipsWithMatch(query.hasMatch) : null
      const page = this.facets.page(query, sort, nowMs, version, hits, offset, limit, { matched, groupOf: groups })
      const total = byStatus ? this.totalFromCounts(query.status, counts) : page.total
      return { items: this.withCopies(this.rowsInOrder(page.rowids)), total, counts, searchHint: null, searchIndex }
    } catch (err) {
      // search-query.ts hands SQLite only quoted terms, so this is a last line of defence:
      // whatever FTS5 still refuses is a search it cannot read, not a failure of the queue.
      if (parsed.kind === 'query' && err instanceof Error && /fts5|syntax|MATCH/i.test(err.message)) {
        return { items: [], total: 0, counts, searchHint: 'syntax', searchIndex }
      }
      throw err
    }
  }

  /** Load what filtered queries need ahead of the first one (see queue-facets.ts). */
  warm(): void {
    this.facets.warm()
  }

  /** Rowids the full-text index matches, kept while the database is unchanged (a list scrolls page after page). */
  private searchHits(match: string, version: string): number[] {
    if (this.cachedHits?.version !== version || this.cachedHits.match !== match) {
      const rowids = this.stmts.search.all(match) as number[]
      if (this.sqlite.inTransaction) return rowids
      this.cachedHits = { version, match, rowids }
    }
    return this.cachedHits.rowids
  }

  /**
   * The first page of a status-only (or unfiltered) query, in the urgency or due order: each
   * run of the order read from the status/due-time index alone, stopping once the page is full.
   */
  private firstPage(filter: FilterSql, sort: QueueSort, nowMs: number, limit: number): number[] {
    const out: number[] = []
    for (const seg of segments(sort, nowMs)) {
      const need = limit - out.length
      if (need <= 0) break
      const conditions = seg.condition ? [...filter.conditions, seg.condition] : filter.conditions
      const rows = this.statement(`SELECT rowid FROM clips ${whereClause(conditions)} ${orderBy(sort)} LIMIT ?`)
        .pluck()
        .all(...filter.params, ...seg.params, need) as number[]
      out.push(...rows)
    }
    return out
  }

  /** Each row says whether it has copies, and how many (the queue marks and gathers them). */
  private withCopies(items: PageRow[]): QueueItem[] {
    const groups = this.copies && items.length > 0 ? this.copies.copiesOf(items.map((i) => ({ rowid: i.rid, mediaSha256: i.mediaSha256 }))) : null
    return items.map(({ rid, mediaSha256: _sha, ...item }) => ({ ...item, copies: groups?.get(rid) ?? null }))
  }

  private rowsInOrder(rowids: number[]): PageRow[] {
    if (rowids.length === 0) return []
    const byRowid = new Map<number, QueueRow>()
    for (const r of this.stmts.rows.all(JSON.stringify(rowids)) as QueueRow[]) byRowid.set(r.rid, r)
    return rowids.flatMap((rid) => {
      const r = byRowid.get(rid)
      return r ? [{ ...toQueueItem(r), rid, mediaSha256: r.media_sha256 }] : []
    })
  }

  private totalFromCounts(status: readonly ClipStatus[] | undefined, counts: Record<ClipStatus, number>): number {
    const statuses: readonly ClipStatus[] = status && status.length > 0 ? [...new Set(status)] : CLIP_STATUSES
    return statuses.reduce((sum, s) => sum + counts[s], 0)
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear()
      s = this.sqlite.prepare(sql)
      this.statements.set(sql, s)
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
    return this.clipJson(this.clipRow(clipId))
  }

  private clipRow(clipId: string): ClipJsonRow {
    const row = this.stmts.clip.get(clipId) as ClipJsonRow | undefined
    if (!row) throw new TinjauError('not_found', `no clip with id "${clipId}"`, [{ path: 'clipId', message: 'unknown clip' }])
    return row
  }

  clip(clipId: string): ClipDetail {
    const row = this.clipRow(clipId)
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
      outcome: outcomeOfClip(this.sqlite, row.id),
    }
  }
}
