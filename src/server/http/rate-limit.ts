import { one, rows, sql, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { ServerError } from '../errors'
import { authenticate, sha256Hex, type AuthenticatedDevice } from '../ops/reviewers'

/**
 * A fixed-window counter per key (a device, or an address before authentication) in the
 * database, so every instance behind a load balancer counts against the same limit. The
 * window is the database clock's minute, not this process's, for the same reason.
 */

export interface RateLimiter {
  /** Counts one request for `key`; throws `rate_limited` (with Retry-After) past the limit. */
  hit(key: string): Promise<void>
  /**
   * The device a token belongs to (not revoked), with one request counted for it as
   * `hit('device:<id>')` would, in one round trip; throws `rate_limited` past the limit.
   * An unknown token: null, and nothing counted.
   */
  device(token: string): Promise<AuthenticatedDevice | null>
}

const WINDOW = sql`floor(extract(epoch FROM now()) / 60)::bigint`
const RETRY = sql`(60 - floor(extract(epoch FROM now()))::bigint % 60)::int`

export function dbRateLimiter(db: Db, perMinute: number): RateLimiter {
  const limited = perMinute > 0 && Number.isFinite(perMinute)
  let calls = 0
  const counted = (row: { count: number | null; retry: number | null } | undefined) => {
    // Old windows are swept now and then by whichever request comes by.
    if (++calls % 500 === 0) void rows(db, sql`DELETE FROM rate_limits WHERE window_start < ${WINDOW} - 1`).catch(() => {})
    if (row && row.count !== null && row.count > perMinute) {
      const retry = row.retry ?? 60
      throw new ServerError('rate_limited', `more than ${perMinute} requests in a minute; wait ${retry} s`, undefined, Math.max(1, retry))
    }
  }
  return {
    async hit(key) {
      if (!limited) return
      counted(
        await one<{ count: number; retry: number }>(
          db,
          prepared(sql`INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${WINDOW}, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
            RETURNING count, ${RETRY} AS retry`),
        ),
      )
    },
    async device(token) {
      if (!limited) return authenticate(db, token)
      // Every request of a device: the lookup and its count in one statement instead of two.
      const tokenHash = sha256Hex(token)
      const row = await one<{ id: string; reviewer_id: string; public_key: string; count: number | null; retry: number | null }>(
        db,
        prepared(sql`WITH device AS (SELECT id, reviewer_id, public_key FROM devices WHERE token_hash = ${tokenHash} AND revoked_at IS NULL),
            hit AS (INSERT INTO rate_limits (key, window_start, count) SELECT 'device:' || id, ${WINDOW}, 1 FROM device
              ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
              RETURNING count, ${RETRY} AS retry)
          SELECT d.id, d.reviewer_id, d.public_key, h.count, h.retry FROM device d LEFT JOIN hit h ON TRUE`),
      )
      if (!row) return null
      counted(row)
      return { deviceId: row.id, reviewerId: row.reviewer_id, publicKey: row.public_key, tokenHash }
    },
  }
}
