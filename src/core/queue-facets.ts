import type Database from 'better-sqlite3'
import { CLIP_STATUSES, type ClipStatus, type QueueQuery, type QueueSort } from '../shared/domain'
import { FLAG_SOURCES } from '../shared/field-pack'

/**
 * What the queue filters on, for every clip, held in typed arrays: due time, authority,
 * commerce, region, flag labels and sources, priority, status. With 100,000 clips, each
 * filter on a column no index holds made SQLite read the whole 60 MB clips table (40–50 ms
 * a query, measured); checking these arrays takes about a millisecond, and a page's rows are
 * then read by rowid.
 *
 * Loaded on the first filtered query and kept until an import changes clips (every import
 * that writes clips rewrites its `packs` row, which `packsStamp` reads). Statuses change
 * with every decision, so they are re-read, from the status index alone, whenever the
 * database has changed since they were last read.
 */

type Filters = Omit<QueueQuery, 'limit' | 'offset' | 'sort'>

/** What known content (issue 14) adds to a query: the clips with a match, and the groups of copies to list together. */
export interface CopyFacets {
  /** Rowids of the clips `hasMatch` keeps. */
  matched: ReadonlySet<number> | null
  /** Group name by rowid, when copies are listed together. */
  groupOf: ReadonlyMap<number, { group: string }> | null
}

const STATUS_CODE = new Map<ClipStatus, number>(CLIP_STATUSES.map((s, i) => [s, i]))
const SOURCE_BIT = new Map<string, number>(FLAG_SOURCES.map((s, i) => [s, 1 << i]))
const HOUR_MS = 3_600_000

export class QueueFacets {
  private readonly stmts
  private data: FacetData | null = null
  private statusVersion: string | null = null

  constructor(private readonly sqlite: Database.Database) {
    this.stmts = {
      packsStamp: sqlite.prepare("SELECT coalesce(group_concat(id || '@' || updated_at || '@' || manifest_sha256), '') FROM packs").pluck(),
      rows: sqlite
        .prepare('SELECT rowid, due_sort, authority, commerce, region, flag_labels, flag_sources, priority FROM clips ORDER BY due_sort, id')
        .raw(),
      // Pending is the default; the others are read from clips_status_due without touching the table.
      statuses: sqlite.prepare("SELECT status, group_concat(rowid) FROM clips WHERE status IN ('decided', 'escalated', 'skipped', 'synced') GROUP BY status").raw(),
    }
  }

  /**
   * One page of the clips the filters keep, in the sort's order (urgency: see
   * queue-order.ts), and how many they keep. `version` says whether the database may have
   * changed (statuses are re-read if so); `searchHits`, when searching, holds the rowids the
   * full-text index matched. Only the page's rowids are collected: building the whole
   * ordered list of 100,000 clips for each page cost more than the filtering itself.
   */
  page(
    filters: Filters,
    sort: QueueSort,
    nowMs: number,
    version: string,
    searchHits: Iterable<number> | null,
    offset: number,
    limit: number,
    copies: CopyFacets = { matched: null, groupOf: null },
  ): { rowids: number[]; total: number } {
    const d = this.current()
    if (this.statusVersion !== version) {
      this.readStatuses(d)
      this.statusVersion = version
    }
    const keep = this.predicate(d, filters, nowMs, searchHits, copies.matched)
    if (copies.groupOf) {
      const all = this.ordered(d, keep, sort, nowMs, 0, Number.MAX_SAFE_INTEGER).rowids
      const grouped = groupTogether(all, copies.groupOf)
      return { rowids: grouped.slice(offset, offset + limit), total: grouped.length }
    }
    return this.ordered(d, keep, sort, nowMs, offset, limit)
  }

  private ordered(d: FacetData, keep: (p: number) => boolean, sort: QueueSort, nowMs: number, offset: number, limit: number): { rowids: number[]; total: number } {
    const n = d.rowid.length
    const end = offset + limit
    const rowids: number[] = []
    if (sort !== 'urgency') {
      const order = sort === 'priority' ? d.priorityOrder() : null
      let rank = 0
      for (let k = 0; k < n; k++) {
        const p = order ? order[k]! : k
        if (!keep(p)) continue
        if (rank >= offset && rank < end) rowids.push(d.rowid[p]!)
        rank++
      }
      return { rowids, total: rank }
    }
    // Positions are in (due_sort, id) order, so each run of the urgency order is in order
    // too: a first pass counts the urgent run (overdue, or an authority request), a second
    // picks the page from it and from the rest.
    const urgent = (p: number) => d.due[p]! < nowMs || d.authority[p] === 1
    let total = 0
    let urgentTotal = 0
    for (let p = 0; p < n; p++) {
      if (!keep(p)) continue
      total++
      if (urgent(p)) urgentTotal++
    }
    if (offset < urgentTotal) {
      let rank = 0
      for (let p = 0; p < n && rank < end; p++) {
        if (!keep(p) || !urgent(p)) continue
        if (rank >= offset) rowids.push(d.rowid[p]!)
        rank++
      }
    }
    if (end > urgentTotal) {
      let rank = urgentTotal
      for (let p = 0; p < n && rank < end; p++) {
        if (!keep(p) || urgent(p)) continue
        if (rank >= offset) rowids.push(d.rowid[p]!)
        rank++
      }
    }
    return { rowids, total }
  }

  warm(): void {
    this.current()
  }

  private current(): FacetData {
    const stamp = this.stmts.packsStamp.get() as string
    if (!this.data || this.data.stamp !== stamp) {
      this.data = FacetData.load(this.stmts.rows.all() as unknown[][], stamp)
      this.statusVersion = null
    }
    return this.data
  }

  private readStatuses(d: FacetData): void {
    d.status.fill(0)
    for (const [status, list] of this.stmts.statuses.all() as [ClipStatus, string][]) {
      const code = STATUS_CODE.get(status)!
      for (const s of list.split(',')) {
        const p = d.positionOf(Number(s))
        if (p >= 0) d.status[p] = code
      }
    }
  }

  private predicate(d: FacetData, f: Filters, nowMs: number, searchHits: Iterable<number> | null, matched: ReadonlySet<number> | null): (p: number) => boolean {
    const tests: ((p: number) => boolean)[] = []
    if (f.hasMatch !== undefined) {
      const set = matched ?? new Set<number>()
      tests.push((p) => set.has(d.rowid[p]!))
    }
    if (f.status && f.status.length > 0) {
      const wanted = new Uint8Array(CLIP_STATUSES.length)
      for (const s of f.status) wanted[STATUS_CODE.get(s)!] = 1
      tests.push((p) => wanted[d.status[p]!] === 1)
    }
    if (f.categories && f.categories.length > 0) {
      const ids = new Set(f.categories.map((c) => d.labelIds.get(c)).filter((id): id is number => id !== undefined))
      tests.push((p) => {
        for (let k = d.labelStart[p]!; k < d.labelStart[p + 1]!; k++) if (ids.has(d.labels[k]!)) return true
        return false
      })
    }
    if (f.sources && f.sources.length > 0) {
      const mask = f.sources.reduce((m, s) => m | (SOURCE_BIT.get(s) ?? 0), 0)
      tests.push((p) => (d.sources[p]! & mask) !== 0)
    }
    if (f.region !== undefined) {
      const id = d.regionIds.get(f.region) ?? -1
      tests.push((p) => d.region[p] === id)
    }
    if (f.commerce !== undefined) {
      const want = f.commerce ? 1 : 0
      tests.push((p) => d.commerce[p] === want)
    }
    if (f.dueWithinHours !== undefined) {
      // As in SQL (queue-order.ts): up to the next whole minute.
      const bound = Math.ceil(nowMs / 60_000) * 60_000 + Math.floor(f.dueWithinHours * HOUR_MS)
      tests.push((p) => d.due[p]! <= bound)
    }
    if (searchHits) {
      const hit = new Uint8Array(d.rowid.length)
      for (const r of searchHits) {
        const p = d.positionOf(r)
        if (p >= 0) hit[p] = 1
      }
      tests.push((p) => hit[p] === 1)
    }
    if (tests.length === 0) return () => true
    if (tests.length === 1) return tests[0]!
    return (p) => {
      for (const t of tests) if (!t(p)) return false
      return true
    }
  }
}

/**
 * The list in order, except that each group of copies is listed whole where its first member
 * falls: a reviewer meets a riot's mirrors one after another, at the most urgent one's place.
 */
export function groupTogether(rowids: readonly number[], groupOf: ReadonlyMap<number, { group: string }>): number[] {
  const members = new Map<string, number[]>()
  for (const r of rowids) {
    const g = groupOf.get(r)?.group
    if (g === undefined) continue
    const list = members.get(g)
    if (list) list.push(r)
    else members.set(g, [r])
  }
  const out: number[] = []
  for (const r of rowids) {
    const g = groupOf.get(r)?.group
    if (g === undefined) out.push(r)
    else {
      const list = members.get(g)
      // Listed at the first member; later members are already out.
      if (list) {
        out.push(...list)
        members.delete(g)
      }
    }
  }
  return out
}

/** The arrays, by position in (due_sort, id) order. */
class FacetData {
  readonly status: Uint8Array
  private priorityPositions: Int32Array | null = null

  private constructor(
    readonly stamp: string,
    readonly rowid: Float64Array,
    readonly due: Float64Array,
    readonly authority: Uint8Array,
    readonly commerce: Uint8Array,
    readonly region: Int32Array,
    readonly regionIds: Map<string, number>,
    readonly sources: Uint8Array,
    readonly labelStart: Uint32Array,
    readonly labels: Uint32Array,
    readonly labelIds: Map<string, number>,
    readonly priority: Float64Array,
    private readonly positionByRowid: Int32Array,
  ) {
    this.status = new Uint8Array(rowid.length)
  }

  static load(rows: unknown[][], stamp: string): FacetData {
    const n = rows.length
    const rowid = new Float64Array(n)
    const due = new Float64Array(n)
    const authority = new Uint8Array(n)
    const commerce = new Uint8Array(n)
    const region = new Int32Array(n)
    const sources = new Uint8Array(n)
    const priority = new Float64Array(n)
    const labelStart = new Uint32Array(n + 1)
    const labelList: number[] = []
    const regionIds = new Map<string, number>()
    const labelIds = new Map<string, number>()
    let maxRowid = 0
    for (let p = 0; p < n; p++) {
      const [rid, dueSort, auth, comm, reg, labelsJson, sourcesJson, pri] = rows[p] as [number, number, number, number, string | null, string, string, number | null]
      rowid[p] = rid
      if (rid > maxRowid) maxRowid = rid
      due[p] = dueSort
      authority[p] = auth
      commerce[p] = comm
      if (reg === null) region[p] = -1
      else {
        let id = regionIds.get(reg)
        if (id === undefined) regionIds.set(reg, (id = regionIds.size))
        region[p] = id
      }
      let mask = 0
      for (const s of JSON.parse(sourcesJson) as string[]) mask |= SOURCE_BIT.get(s) ?? 0
      sources[p] = mask
      labelStart[p] = labelList.length
      for (const l of JSON.parse(labelsJson) as string[]) {
        let id = labelIds.get(l)
        if (id === undefined) labelIds.set(l, (id = labelIds.size))
        labelList.push(id)
      }
      priority[p] = pri === null ? -Infinity : pri
    }
    labelStart[n] = labelList.length
    const positionByRowid = new Int32Array(maxRowid + 1).fill(-1)
    for (let p = 0; p < n; p++) positionByRowid[rowid[p]!] = p
    return new FacetData(stamp, rowid, due, authority, commerce, region, regionIds, sources, labelStart, Uint32Array.from(labelList), labelIds, priority, positionByRowid)
  }

  positionOf(rowid: number): number {
    return rowid >= 0 && rowid < this.positionByRowid.length ? this.positionByRowid[rowid]! : -1
  }

  /** Positions by priority, highest first (none last), then due time and id (the position itself). */
  priorityOrder(): Int32Array {
    if (!this.priorityPositions) {
      const order = Int32Array.from({ length: this.rowid.length }, (_, p) => p)
      order.sort((a, b) => this.priority[b]! - this.priority[a]! || a - b)
      this.priorityPositions = order
    }
    return this.priorityPositions
  }
}
