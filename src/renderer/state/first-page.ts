import type { TinjauApi } from '../../shared/contract'
import type { QueuePage } from '../../shared/domain'
import { QUEUE_PAGE_ROWS } from '../../shared/queue-constants'
import { queryOf, type QueueView } from './queue-view'
import { track, type Tracked } from './tracked'

export { QUEUE_PAGE_ROWS }

/** The first page of the default view, asked for while the app starts (see `startFirstPage`). */
export type FirstPage = Tracked<QueuePage>

/**
 * Asks for the first page of `view` now. The start-up script calls this beside `app.info`
 * and `policy.get`, before React has loaded, so the queue's first rows are not a second
 * round trip after the workspace has rendered (and, when they have arrived by then, are in
 * its first render). React-free on purpose: it is in the small script the page runs first
 * (main.tsx).
 */
export function startFirstPage(api: TinjauApi, view: QueueView): { key: string; page: FirstPage } {
  const query = queryOf(view)
  const page = api.call('queue.list', { ...query, limit: QUEUE_PAGE_ROWS, offset: 0 })
  page.catch(() => undefined) // the queue's own load reports failures
  return { key: JSON.stringify(query), page: track(page) }
}
