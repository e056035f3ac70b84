import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockedTransaction } from './db/locked-transaction'
import { one, sql, type Db } from './db/open'
import { startTestServer, type TestServer } from './testing/test-server'

// lockedTransaction (what every push starts with): on a real server (npm run test:postgres)
// BEGIN and the lock are one message; on PGlite two statements. Both must hold the lock for
// the whole transaction, commit or roll back the work, and take any key as data.
let server: TestServer
const SPACE = 72_616_999

beforeAll(async () => {
  server = await startTestServer()
  await server.db().execute(sql`CREATE TABLE locked_tx_probe (note text NOT NULL)`)
}, 120_000)
afterAll(() => server?.stop())

/** Whether this transaction's backend holds the advisory lock on (SPACE, hashtext(key)). */
async function holds(tx: Db, key: string): Promise<boolean> {
  const r = await one<{ held: boolean }>(
    tx,
    sql`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
          AND classid = ${SPACE}::oid AND objid = hashtext(${key})::oid AND objsubid = 2) AS held`,
  )
  return r!.held
}

async function notes(): Promise<string[]> {
  const r = await one<{ notes: string[] }>(server.db(), sql`SELECT coalesce(array_agg(note ORDER BY note), '{}') AS notes FROM locked_tx_probe`)
  return r!.notes
}

describe('lockedTransaction', () => {
  it('holds the lock on the key from the start and commits the work; the lock ends with it', async () => {
    const key = "rv-o'brien \\ 'quoted'; SELECT 1"
    const inside = await lockedTransaction(server.db(), { space: SPACE, key }, async (tx) => {
      await tx.execute(sql`INSERT INTO locked_tx_probe (note) VALUES ('committed')`)
      return { held: await holds(tx, key), other: await holds(tx, 'someone else') }
    })
    expect(inside).toEqual({ held: true, other: false })
    expect(await notes()).toEqual(['committed'])
    expect(await holds(server.db(), key)).toBe(false)
  })

  it("plans the transaction's statements generically, and only that transaction's", async () => {
    const setting = (db: Db) => one<{ mode: string }>(db, sql`SELECT current_setting('plan_cache_mode') AS mode`)
    const inside = await lockedTransaction(server.db(), { space: SPACE, key: 'plans' }, (tx) => setting(tx))
    expect(inside!.mode).toBe('force_generic_plan')
    for (let i = 0; i < 3; i++) expect((await setting(server.db()))!.mode).toBe('auto')
  })

  it('rolls the work back when it throws, and the next transaction runs', async () => {
    await expect(
      lockedTransaction(server.db(), { space: SPACE, key: 'k' }, async (tx) => {
        await tx.execute(sql`INSERT INTO locked_tx_probe (note) VALUES ('rolled back')`)
        throw new Error('refused part-way')
      }),
    ).rejects.toThrow('refused part-way')
    expect(await notes()).toEqual(['committed'])
    expect(await lockedTransaction(server.db(), { space: SPACE, key: 'k' }, (tx) => holds(tx, 'k'))).toBe(true)
  })

  it('makes a second transaction on the same key wait until the first ends', async () => {
    const order: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started!: () => void
    const first = new Promise<void>((resolve) => (started = resolve))
    const a = lockedTransaction(server.db(), { space: SPACE, key: 'same' }, async () => {
      started()
      order.push('a holds')
      await gate
      order.push('a ends')
    })
    await first
    const b = lockedTransaction(server.db(), { space: SPACE, key: 'same' }, async () => {
      order.push('b holds')
    })
    // b is sent (or queued behind a on PGlite's one connection) before a ends.
    await new Promise((resolve) => setTimeout(resolve, 200))
    release()
    await Promise.all([a, b])
    expect(order).toEqual(['a holds', 'a ends', 'b holds'])
  })
})
