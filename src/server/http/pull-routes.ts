import { AssignmentsQuery, DeviceStatusRequest, MediaHashesQuery, OutcomesQuery, SYNC_PATHS, type NoticesResponse } from '../../shared/sync-protocol'
import { schemaError } from '../errors'
import { listAdjudications } from '../ops/adjudications'
import { pullMediaHashes } from '../ops/media-hashes'
import { pullAssignmentsBody } from '../ops/assignments'
import { pullOutcomes, recordDeviceStatus, touchDeviceSync } from '../ops/outcome-feed'
import type { SyncApp, SyncAppOptions } from './app'
import { parseJsonBody, readBody } from './body'

/**
 * `GET /v1/assignments` (changes after a cursor; marks the device's last sync),
 * `GET /v1/notices` (adjudications on the reviewer's clips), `GET /v1/outcomes` (outcomes
 * of the clips they decided, after a cursor), `GET /v1/media-hashes` (the team's decided
 * media's frame hashes, after a cursor) and `POST /v1/devices/self/status`.
 */
export function addPullRoutes(app: SyncApp, opts: SyncAppOptions): void {
  app.get(SYNC_PATHS.assignments, async (c) => {
    const parsed = AssignmentsQuery.safeParse(c.req.query())
    if (!parsed.success) throw schemaError('query', parsed.error)
    const device = c.get('device')
    const body = await pullAssignmentsBody(opts.db, device.reviewerId, parsed.data.cursor, parsed.data.limit)
    await touchDeviceSync(opts.db, device.deviceId)
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' })
  })

  app.get(SYNC_PATHS.notices, async (c) => {
    const reviewerId = c.get('device').reviewerId
    const body: NoticesResponse = { reviewer_id: reviewerId, adjudications: await listAdjudications(opts.db, { reviewerId }) }
    return c.json(body)
  })

  app.get(SYNC_PATHS.outcomes, async (c) => {
    const parsed = OutcomesQuery.safeParse(c.req.query())
    if (!parsed.success) throw schemaError('query', parsed.error)
    return c.json(await pullOutcomes(opts.db, c.get('device').reviewerId, parsed.data.cursor, parsed.data.limit))
  })

  app.get(SYNC_PATHS.mediaHashes, async (c) => {
    const parsed = MediaHashesQuery.safeParse(c.req.query())
    if (!parsed.success) throw schemaError('query', parsed.error)
    return c.json(await pullMediaHashes(opts.db, parsed.data.cursor, parsed.data.limit))
  })

  app.post(SYNC_PATHS.deviceStatus, async (c) => {
    const parsed = DeviceStatusRequest.safeParse(parseJsonBody(await readBody(c.req.raw, 256 * 1024, 'device status')))
    if (!parsed.success) throw schemaError('body', parsed.error)
    await recordDeviceStatus(opts.db, c.get('device').deviceId, parsed.data)
    return c.json({ recorded: true })
  })
}
