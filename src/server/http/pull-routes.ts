import { AssignmentsQuery, type NoticesResponse } from '../../shared/sync-protocol'
import { schemaError } from '../errors'
import { listAdjudications } from '../ops/adjudications'
import { pullAssignmentsBody } from '../ops/assignments'
import type { SyncApp, SyncAppOptions } from './app'

/** `GET /v1/assignments` (changes after a cursor) and `GET /v1/notices` (adjudications on the reviewer's clips). */
export function addPullRoutes(app: SyncApp, opts: SyncAppOptions): void {
  app.get('/v1/assignments', async (c) => {
    const parsed = AssignmentsQuery.safeParse(c.req.query())
    if (!parsed.success) throw schemaError('query', parsed.error)
    const body = await pullAssignmentsBody(opts.db, c.get('device').reviewerId, parsed.data.cursor, parsed.data.limit)
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' })
  })

  app.get('/v1/notices', async (c) => {
    const reviewerId = c.get('device').reviewerId
    const body: NoticesResponse = { reviewer_id: reviewerId, adjudications: await listAdjudications(opts.db, { reviewerId }) }
    return c.json(body)
  })
}
