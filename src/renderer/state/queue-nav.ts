import type { QueueItem } from '../../shared/domain'

/** Moving through the queue list the reviewer sees, in its order. */

/** The row `delta` away from the current clip; the first row when the clip is not listed. */
export function neighbour(rows: readonly Pick<QueueItem, 'id'>[], currentId: string | null, delta: 1 | -1): string | null {
  if (rows.length === 0) return null
  const i = currentId === null ? -1 : rows.findIndex((r) => r.id === currentId)
  if (i === -1) return rows[0]?.id ?? null
  return rows[i + delta]?.id ?? null
}

/**
 * The next pending clip after the current one in queue order, from the rows already
 * listed; null when none follows (the caller then asks the host for the first pending).
 */
export function nextPendingAfter(rows: readonly Pick<QueueItem, 'id' | 'status'>[], currentId: string): string | null {
  const i = rows.findIndex((r) => r.id === currentId)
  for (let j = i + 1; j < rows.length; j++) {
    const row = rows[j]
    if (row && row.status === 'pending' && row.id !== currentId) return row.id
  }
  return null
}
