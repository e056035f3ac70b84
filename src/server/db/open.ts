import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { findPackageRoot } from '../../core/package-root'
import { namePreparedStatements } from './prepared'
import * as schema from './schema'

/**
 * The service's database: a PostgreSQL server when a URL is given (how it is deployed,
 * and how several instances share one store), otherwise PostgreSQL embedded in the process
 * (PGlite) in `<dataDir>/pg`, so `npm run server` needs no set-up. Migrations are applied
 * at every start; on a real server under an advisory lock, since instances may start at once.
 */

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

export interface ServerDb {
  db: Db
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
}

export interface OpenServerDbOptions {
  databaseUrl?: string | undefined
  /** Where PGlite keeps its files (`<dataDir>/pg`); needed without databaseUrl. */
  dataDir?: string | undefined
  /** Connections in the pool (real PostgreSQL only). */
  poolSize?: number
}

export function migrationsFolder(): string {
  return path.join(findPackageRoot(__dirname), 'resources', 'server-migrations')
}

/**
 * How long an idle connection stays open. node-postgres closes them after 10 s by default;
 * a new one is a new server process whose caches and prepared statements start cold, so
 * under steady pushes the pool kept closing connections and opening them again, and every
 * ~15 s the pushes cost three times the database's CPU for a few seconds (p50 ~12 ms
 * became ~800 ms: docs/performance.md, "Pushes at a steady rate").
 */
const POOL_IDLE_MS = 5 * 60_000

/** Any number chosen once; instances of this service migrate one at a time. */
const MIGRATION_LOCK = 72_616_001

export async function openServerDb(opts: OpenServerDbOptions): Promise<ServerDb> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, idleTimeoutMillis: POOL_IDLE_MS })
    // An idle client losing its server must not end the process; the next query reports it.
    pool.on('error', () => {})
    pool.on('connect', namePreparedStatements())
    try {
      const db = drizzlePg(pool, { schema }) as unknown as Db
      const lock = await pool.connect()
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
        await migratePg(db as never, { migrationsFolder: migrationsFolder() })
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
        lock.release()
      }
      return { db, kind: 'postgres', close: () => pool.end() }
    } catch (err) {
      await pool.end().catch(() => {})
      throw err
    }
  }
  if (!opts.dataDir) throw new Error('openServerDb: a databaseUrl or a dataDir is needed')
  const dir = pgliteDir(opts.dataDir)
  mkdirSync(dir, { recursive: true })
  // PGlite is one process's database and does not guard its files itself.
  const unlock = lockDataDir(opts.dataDir)
  let client: PGlite | null = null
  try {
    client = await PGlite.create(dir)
    const db = drizzlePglite(client, { schema }) as unknown as Db
    await migratePglite(db as never, { migrationsFolder: migrationsFolder() })
    const open = client
    return {
      db,
      kind: 'pglite',
      close: async () => {
        try {
          await open.close()
        } finally {
          unlock()
        }
      },
    }
  } catch (err) {
    await client?.close().catch(() => {})
    unlock()
    throw err
  }
}

/**
 * `<dataDir>/server.pid`, made exclusively: a second process (the CLI while `serve` runs)
 * is refused with who holds it. A file left by a process that is gone is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'server.pid')
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => rmSync(file, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err
    }
    const holder = Number(readFileSync(file, 'utf8').trim())
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `the data directory ${dataDir} is in use by process ${holder} (a running tinjau-server?): embedded PostgreSQL serves one process; stop it first, or use DATABASE_URL`,
      )
    }
    if (holder === process.pid) throw new Error(`the data directory ${dataDir} is open already in this process`)
    rmSync(file, { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function pgliteDir(dataDir: string): string {
  return path.join(dataDir, 'pg')
}

/** Rows of a raw statement; both drivers answer with `{ rows }`. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}

export async function one<T>(db: Db, query: SQL): Promise<T | undefined> {
  return (await rows<T>(db, query))[0]
}

export { sql }

/**
 * A list of strings as one parameter, usable where SQL wants `text[]` (`= ANY(...)`).
 * drizzle would spread a JS array into one parameter per element, and a batch can hold thousands.
 */
export function textArray(values: readonly string[]): SQL {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`
}
