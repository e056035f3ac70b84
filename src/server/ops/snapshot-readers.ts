import pg from 'pg'
import { one, sql, type Db } from '../db/open'

/**
 * Read-only transactions on other connections of the pool, each seeing exactly what `tx`
 * saw when they were opened (its exported snapshot), so that a long run can read on them
 * at once while `tx` writes. A DSA export's reads wait on the database reading index and
 * table pages one at a time (a random read per row in each of three tables); on one
 * connection, those waits and the run's writes took turns.
 *
 * None on PGlite (one connection), nor when the pool is too small to spare them without
 * risking that every connection waits for another.
 */
export interface SnapshotReaders {
  readonly dbs: Db[]
  /** Ends the readers' transactions; safe to call more than once. */
  close(): Promise<void>
}

export async function openSnapshotReaders(db: Db, tx: Db, count: number): Promise<SnapshotReaders | null> {
  const client = (db as unknown as { $client?: unknown }).$client
  if (!(client instanceof pg.Pool) || (client.options.max ?? 10) < count + 2) return null
  const exported = await one<{ snapshot: string }>(tx, sql`SELECT pg_export_snapshot() AS snapshot`)
  const snapshot = exported?.snapshot ?? ''
  // SET TRANSACTION SNAPSHOT takes no parameter; the id is the server's own (hex and dashes).
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id from pg_export_snapshot: ${JSON.stringify(snapshot)}`)
  let release!: () => void
  const done = new Promise<void>((resolve) => (release = resolve))
  const ended: Promise<unknown>[] = []
  const opening = Array.from(
    { length: count },
    () =>
      new Promise<Db>((resolve, reject) => {
        const run = db.transaction(
          async (r) => {
            await r.execute(sql.raw(`SET TRANSACTION SNAPSHOT '${snapshot}'`))
            resolve(r as unknown as Db)
            await done
          },
          { isolationLevel: 'repeatable read', accessMode: 'read only' },
        )
        run.catch(reject)
        ended.push(run.catch(() => {}))
      }),
  )
  const close = async () => {
    release()
    await Promise.all(ended)
  }
  try {
    return { dbs: await Promise.all(opening), close }
  } catch (err) {
    await close()
    throw err
  }
}
