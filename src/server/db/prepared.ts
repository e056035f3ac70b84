import { sql, type SQL } from 'drizzle-orm'
import type pg from 'pg'

/**
 * Statements kept prepared on each connection of a real server, parsed and planned once
 * instead of at every run: a push runs the same few statements thousands of times, and
 * parsing and planning them anew was about a third of their database time.
 *
 * The mark is a comment, so PGlite (one connection; drizzle gives it no statement names)
 * runs the very same text as any other statement. The text must not vary with the values:
 * each distinct text is one more prepared statement on every connection, up to
 * MAX_PREPARED texts, after which new ones run unprepared.
 */

const PREPARED_MARK = '/*prepared*/ '
const MAX_PREPARED = 200

export function prepared(query: SQL): SQL {
  return sql`${sql.raw(PREPARED_MARK)}${query}`
}

/**
 * For a pool's `connect` event: names the marked statements a client runs, one name per
 * distinct text shared by the pool's connections; node-postgres parses a named statement
 * once per connection and binds it after that.
 */
export function namePreparedStatements(names: Map<string, string> = new Map()): (client: pg.PoolClient) => void {
  return (client) => {
    const query = client.query.bind(client) as (config: unknown, ...rest: unknown[]) => unknown
    client.query = ((config: unknown, ...rest: unknown[]) => {
      if (isMarked(config)) {
        let name = names.get(config.text)
        if (name === undefined && names.size < MAX_PREPARED) names.set(config.text, (name = `tinjau_${names.size + 1}`))
        if (name !== undefined) config = { ...config, name }
      }
      return query(config, ...rest)
    }) as typeof client.query
  }
}

function isMarked(config: unknown): config is { text: string; name?: string } {
  if (typeof config !== 'object' || config === null) return false
  const c = config as { text?: unknown; name?: unknown; submit?: unknown }
  return typeof c.text === 'string' && c.text.startsWith(PREPARED_MARK) && !c.name && typeof c.submit !== 'function'
}
