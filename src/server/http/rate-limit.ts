import { one, rows, sql, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { ServerError } from '../errors'

/**
 * A fixed-window counter per key (a device, or an address before authentication) in the
 * database, so every instance behind a load balancer counts against the same limit. The
 * window is the database clock's minute, not this process's, for the same reason.
 */

export interface RateLimiter {
  /** Counts one request for `key`; throws `rate_limited` (with Retry-After) past the limit. */
  hit(key: string): Promise<void>
}

export function dbRateLimiter(db: Db, perMinute: number): RateLimiter {
  let calls = 0
  return {
    async hit(key) {
      if (!(perMinute > 0) || !Number.isFinite(perMinute)) return
      const row = await one<{ count: number; retry: number }>(
        db,
        prepared(sql`INSERT INTO rate_limits (key, window_start, count)
            VALUES (${key}, floor(extract(epoch FROM now()) / 60)::bigint, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
            RETURNING count, (60 - floor(extract(epoch FROM now()))::bigint % 60)::int AS retry`),
      )
      // Old windows are swept now and then by whichever request comes by.
      if (++calls % 500 === 0) void rows(db, sql`DELETE FROM rate_limits WHERE window_start < floor(extract(epoch FROM now()) / 60)::bigint - 1`).catch(() => {})
      if (row && row.count > perMinute) {
        throw new ServerError('rate_limited', `more than ${perMinute} requests in a minute; wait ${row.retry} s`, undefined, Math.max(1, row.retry))
      }
    },
  }
}
