import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { sql, type Db } from './open'
import { prepared } from './prepared'

/**
 * A transaction that holds a transaction-level advisory lock (`pg_advisory_xact_lock(space,
 * hashtext(key))`) from its start: what a push does first, thousands of times. On a real
 * server BEGIN and the lock go in one round trip (one simple-protocol message of two
 * statements, the key as a literal) where db.transaction then a statement take two. On
 * PGlite, or inside a transaction already, the same one after the other. The transaction's
 * prepared statements take their generic plans at once (see below).
 */
export async function lockedTransaction<T>(db: Db, lock: { space: number; key: string }, work: (tx: Db) => Promise<T>): Promise<T> {
  const pool = (db as { $client?: unknown }).$client
  if (!(pool instanceof pg.Pool)) {
    return db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`)
      await tx.execute(prepared(sql`SELECT pg_advisory_xact_lock(${lock.space}, hashtext(${lock.key}))`))
      return work(tx)
    })
  }
  if (!Number.isSafeInteger(lock.space)) throw new Error(`lockedTransaction: the lock space must be an integer, not ${lock.space}`)
  const client = await pool.connect()
  // A connection whose state is unknown (ROLLBACK failed) is closed, not handed to the next request.
  let broken: Error | undefined
  try {
    // Generic plans at once (for this transaction only): a push's statements are prepared and
    // settle on their generic plans anyway, but a new connection, or any after an ANALYZE of
    // a table they read, first plans each one five times with its parameters — the dearest
    // part of a cold push.
    await client.query(`BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; SELECT pg_advisory_xact_lock(${lock.space}, hashtext(${client.escapeLiteral(lock.key)}))`)
    // Without the schema: building its relational map each time costs more than the statements need.
    const result = await work(drizzlePg(client) as unknown as Db)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr))
    })
    throw err
  } finally {
    client.release(broken)
  }
}
