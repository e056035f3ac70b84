import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { one, rows, sql, type Db } from './db/open'
import { prepared } from './db/prepared'
import { realPostgresUrl, startTestServer, type TestServer } from './testing/test-server'

// Marked statements run the same on both stores; on a real server (npm run test:postgres)
// they are also prepared once per connection, and a failing run leaves the statement usable.
let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
}, 120_000)
afterAll(() => server?.stop())

const half = (n: number) => prepared(sql`SELECT (10 / ${n}::int)::int AS q, ${`n=${n}`}::text AS label`)

/** In one transaction, so on a real server every statement runs on the same connection. */
async function onOneConnection<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
  return server.db().transaction(async (txn) => fn(txn as unknown as Db))
}

/** What the database said when the statement failed (drizzle wraps it, naming the query). */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run
  } catch (err) {
    return String((err as { cause?: unknown }).cause ?? err)
  }
  throw new Error('the statement was expected to fail')
}

describe('prepared statements', () => {
  it('answer as unmarked statements do, with each run’s values', async () => {
    const answers = await onOneConnection(async (tx) => [await one(tx, half(2)), await one(tx, half(5)), await one(tx, half(1))])
    expect(answers).toEqual([
      { q: 5, label: 'n=2' },
      { q: 2, label: 'n=5' },
      { q: 10, label: 'n=1' },
    ])
  })

  it('are prepared once per connection on a real server, one name per distinct text', async () => {
    const found = await onOneConnection(async (tx) => {
      await one(tx, half(2))
      await one(tx, half(5))
      await one(tx, prepared(sql`SELECT ${1}::int + 1 AS two`))
      return rows<{ name: string; statement: string }>(tx, sql`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '/*prepared*/%'`)
    })
    if (realPostgresUrl() === undefined) {
      // PGlite: the mark is only a comment, nothing is kept.
      expect(found.filter((f) => f.name.startsWith('tinjau_'))).toEqual([])
      return
    }
    const mine = found.filter((f) => f.statement.includes('10 / $1') || f.statement.includes('+ 1 AS two'))
    expect(mine).toHaveLength(2)
    expect(new Set(mine.map((f) => f.name)).size).toBe(2)
    for (const f of mine) expect(f.name).toMatch(/^tinjau_\d+$/)
  })

  it('stay usable after a run fails (on the server, not at parse)', async () => {
    expect(await failure(onOneConnection((tx) => one(tx, half(0))))).toMatch(/division by zero/)
    expect(await onOneConnection((tx) => one(tx, half(10)))).toEqual({ q: 1, label: 'n=10' })
    // And after a statement that fails at parse: its name is not taken for good.
    expect(await failure(onOneConnection((tx) => one(tx, prepared(sql`SELECT no_such_column FROM devices WHERE id = ${'x'}`))))).toMatch(/no_such_column/)
    expect(await onOneConnection((tx) => one(tx, half(2)))).toEqual({ q: 5, label: 'n=2' })
  })
})
