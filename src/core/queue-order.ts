import type { QueueQuery, QueueSort } from '../shared/domain'

/**
 * The SQL of a queue page: which clips a query's filters keep, and in what order.
 *
 * Urgency, the default order, precisely: with `now` the time of the call,
 *   1. clips whose due time has passed (due_sort < now), and clips with an
 *      authority_request flag, come first;
 *   2. then every other clip;
 * each group by due time (a clip with no due time last in its group), then by id.
 * Every overdue clip's due time lies before every not-yet-due one's, so the order is three
 * plain runs in (due_sort, id) order. The first page of an unfiltered or status-only list
 * reads them from the clips_due / clips_status_due index (authority is the index's last
 * column, so no table lookups), stopping when the page is full:
 *   A. due_sort < now                     (overdue, authority or not)
 *   B. due_sort >= now AND authority = 1  (authority requests not yet due, or with no due time)
 *   C. due_sort >= now AND authority = 0  (the rest)
 * Sorting on a CASE expression instead made SQLite sort every matching clip for each page.
 * Deeper pages, other filters (category, source, region, commerce, due within, search) and
 * the priority order are answered from queue-facets.ts, in the same order.
 *
 * `due`: due time, then id. `priority`: highest priority first (none last), then due time, id.
 */

export type SqlValue = string | number

export interface FilterSql {
  /** Conditions joined with AND; empty for "every clip". */
  conditions: string[]
  params: SqlValue[]
}

export interface Segment {
  condition: string | null
  params: SqlValue[]
}

type Filters = Omit<QueueQuery, 'limit' | 'offset' | 'sort'>

/**
 * Whether a query filters on status alone (or on nothing): those pages are read from the
 * status/due-time indexes here; any other filter is answered from queue-facets.ts.
 */
export function statusOnly(q: Filters): boolean {
  return (
    (q.categories?.length ?? 0) === 0 &&
    (q.sources?.length ?? 0) === 0 &&
    q.region === undefined &&
    q.commerce === undefined &&
    q.dueWithinHours === undefined &&
    q.hasMatch === undefined &&
    q.groupCopies !== true &&
    (q.search === undefined || q.search.trim() === '')
  )
}

export function statusSql(q: Filters): FilterSql {
  const statuses = q.status && q.status.length > 0 ? [...new Set(q.status)] : null
  return statuses ? { conditions: [`status IN (${statuses.map(() => '?').join(', ')})`], params: statuses } : { conditions: [], params: [] }
}

export function orderBy(sort: QueueSort): string {
  return sort === 'priority' ? 'ORDER BY priority DESC NULLS LAST, due_sort, id' : 'ORDER BY due_sort, id'
}

/** The runs a page is cut from, in order (one run for `due` and `priority`). */
export function segments(sort: QueueSort, nowMs: number): Segment[] {
  if (sort !== 'urgency') return [{ condition: null, params: [] }]
  const now = Math.floor(nowMs)
  return [
    { condition: 'due_sort < ?', params: [now] },
    { condition: 'due_sort >= ? AND authority = 1', params: [now] },
    { condition: 'due_sort >= ? AND authority = 0', params: [now] },
  ]
}

export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
}
