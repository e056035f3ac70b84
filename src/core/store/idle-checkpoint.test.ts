import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { verifyAudit } from '../audit'
import { makePack, tempDir } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { openTinjau } from '../tinjau'
import { deriveProfileKeys, newMasterKey } from '../profile-crypto/profile-keys'
import { IdleCheckpointer, type CheckpointRun } from './idle-checkpoint'
import { openStore, WAL_AUTOCHECKPOINT_PAGES, type Store } from './open-store'

const MIGRATIONS = path.resolve('resources/migrations')
/** Never fires by itself within a test: the tests call look() as the timer would. */
const NEVER = 3_600_000

const open: { close(): void }[] = []
afterEach(() => {
  for (const o of open.splice(0)) o.close()
})

function writeSettings(store: Store, n: number, tag: string): void {
  const put = store.sqlite.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)')
  // One transaction each: a commit per row, as saves are.
  for (let i = 0; i < n; i++) put.run(`probe.${tag}.${i}`, 'x'.repeat(3000))
}

/** Frames in the WAL as SQLite itself counts them (the checkpoint's answer), copying them. */
function checkpointedBySqlite(store: Store): { log: number; checkpointed: number } {
  return (store.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]!
}

describe.each([
  ['clear', null],
  ['encrypted', deriveProfileKeys(newMasterKey())],
] as const)('the idle checkpointer on a %s profile', (_name, keys) => {
  function fresh(opts: { minChanges?: number; maxWaitMs?: number; canRun?: () => boolean } = {}) {
    const store = openStore({ dataDir: tempDir(), migrationsDir: MIGRATIONS, keys })
    const checkpointer = new IdleCheckpointer({ sqlite: store.sqlite, canRun: opts.canRun ?? (() => true), idleMs: NEVER, ...opts })
    const runs: CheckpointRun[] = []
    checkpointer.onRun((r) => runs.push(r))
    open.push(store, checkpointer)
    return { store, checkpointer, runs }
  }

  test('waits while the connection writes, then checkpoints the whole WAL at the first look that sees no write', () => {
    const { store, checkpointer, runs } = fresh({ minChanges: 20 })
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    writeSettings(store, 30, 'b')
    expect(checkpointer.look()).toBeNull()
    const run = checkpointer.look()
    expect(run).not.toBeNull()
    expect(run!.changes).toBe(30)
    expect(run!.frames).toBeGreaterThanOrEqual(30)
    expect(run!.checkpointed).toBe(run!.frames)
    expect(runs).toEqual([run])
    // Nothing left for SQLite to copy, and nothing new for the checkpointer to do.
    expect(checkpointedBySqlite(store)).toMatchObject({ log: run!.frames, checkpointed: run!.frames })
    expect(checkpointer.look()).toBeNull()
  })

  test('leaves fewer than minChanges rows alone, so the next save does not restart the WAL', () => {
    const { store, checkpointer, runs } = fresh({ minChanges: 1_000 })
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    writeSettings(store, 10, 'c')
    checkpointer.look()
    expect(checkpointer.look()).toBeNull()
    expect(runs).toEqual([])
    // Still in the WAL: SQLite copies them only now.
    const answer = checkpointedBySqlite(store)
    expect(answer.log).toBeGreaterThanOrEqual(10)
  })

  test('checkpoints between writes that never pause once they have gone on for maxWaitMs, however few rows', () => {
    const { store, checkpointer } = fresh({ minChanges: 1_000, maxWaitMs: 0 })
    writeSettings(store, 10, 'd')
    const run = checkpointer.look()
    expect(run).not.toBeNull()
    expect(run!.changes).toBe(10)
    expect(run!.checkpointed).toBe(run!.frames)
    // Writing on, the next such checkpoint needs new rows.
    expect(checkpointer.look()).toBeNull()
  })

  test('does nothing while something holds the connection (an import) or a transaction is open', () => {
    let free = false
    const { store, checkpointer, runs } = fresh({ minChanges: 5, canRun: () => free })
    writeSettings(store, 10, 'e')
    checkpointer.look()
    expect(checkpointer.look()).toBeNull()
    free = true
    store.sqlite.exec('BEGIN')
    expect(checkpointer.look()).toBeNull()
    store.sqlite.exec('ROLLBACK')
    // The writes made while it was held count as the writer's latest: one more look first.
    expect(checkpointer.look()).toBeNull()
    expect(checkpointer.look()).not.toBeNull()
    expect(runs).toHaveLength(1)
  })
})

describe('a profile in a reviewer host', () => {
  test('keeps SQLite auto-checkpoint only as a safety net and checkpoints decisions while idle, losing none', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(200) })
    await t.search.whenIdle()
    expect(t.checkpoints).not.toBeNull()
    expect(t.store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES)
    t.store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const ids: string[] = []
    for (let i = 0; i < 150; i++) {
      ids.push(t.handlers['decision.record'](DecisionDraft.parse({ clipId: `clip-${String(i).padStart(6, '0')}`, categories: ['ok.commerce'], action: 'allow' })).id)
    }
    // ~14 frames a decision, all still in the WAL: no save paid a checkpoint.
    expect(t.checkpoints!.look()).toBeNull()
    const run = t.checkpoints!.look()
    expect(run!.frames).toBeGreaterThan(1_000)
    expect(run!.checkpointed).toBe(run!.frames)
    t.close()
    const again = openTestTinjau(dataDir)
    expect(again.handlers['decision.list']({ limit: 1_000, offset: 0 }).items.map((d) => d.id).sort()).toEqual([...ids].sort())
    expect(verifyAudit(again.store.sqlite).ok).toBe(true)
    again.close()
  })

  test('the CLI has none: its one command ends by closing the connection, which checkpoints', () => {
    const t = openTinjau({ dataDir: tempDir(), resourcesDir: path.resolve('resources'), host: 'cli', version: '0.0.0-test', keys: null })
    open.push(t)
    expect(t.checkpoints).toBeNull()
  })
})
