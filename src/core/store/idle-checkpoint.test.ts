import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { verifyAudit } from '../audit'
import { makePack, tempDir } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { openTinjau } from '../tinjau'
import { deriveProfileKeys, newMasterKey } from '../profile-crypto/profile-keys'
import { IdleCheckpointer, walFramesNotCheckpointed } from './idle-checkpoint'
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
  function fresh(opts: { minFrames?: number; maxWaitMs?: number; canRun?: () => boolean } = {}) {
    const store = openStore({ dataDir: tempDir(), migrationsDir: MIGRATIONS, keys })
    const checkpointer = new IdleCheckpointer({ sqlite: store.sqlite, databaseFile: store.paths.database, canRun: opts.canRun ?? (() => true), idleMs: NEVER, ...opts })
    open.push(store, checkpointer)
    return { store, checkpointer }
  }

  test('reads the WAL frames not yet checkpointed as SQLite counts them', () => {
    const { store } = fresh()
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    expect(walFramesNotCheckpointed(store.paths.database)).toBe(0)
    writeSettings(store, 30, 'a')
    const pending = walFramesNotCheckpointed(store.paths.database)
    expect(pending).toBeGreaterThanOrEqual(30)
    const answer = checkpointedBySqlite(store)
    expect(answer.log).toBe(pending)
    expect(answer.checkpointed).toBe(answer.log)
    expect(walFramesNotCheckpointed(store.paths.database)).toBe(0)
  })

  test('waits while the connection writes, then checkpoints at the first look that sees no write', () => {
    const { store, checkpointer } = fresh({ minFrames: 20 })
    const runs: number[] = []
    checkpointer.onRun((r) => runs.push(r.frames))
    writeSettings(store, 30, 'b')
    expect(checkpointer.look()).toBeNull()
    expect(walFramesNotCheckpointed(store.paths.database)).toBeGreaterThanOrEqual(30)
    const pending = walFramesNotCheckpointed(store.paths.database)!
    const run = checkpointer.look()
    expect(run?.frames).toBe(pending)
    expect(runs).toEqual([pending])
    expect(walFramesNotCheckpointed(store.paths.database)).toBe(0)
    // Nothing new: nothing to do.
    expect(checkpointer.look()).toBeNull()
  })

  test('leaves a WAL smaller than minFrames alone, so the next save does not restart it', () => {
    const { store, checkpointer } = fresh({ minFrames: 1_000 })
    writeSettings(store, 10, 'c')
    checkpointer.look()
    expect(checkpointer.look()).toBeNull()
    expect(walFramesNotCheckpointed(store.paths.database)).toBeGreaterThanOrEqual(10)
  })

  test('checkpoints between writes that never pause once they have gone on for maxWaitMs', () => {
    const { store, checkpointer } = fresh({ minFrames: 5, maxWaitMs: 0 })
    writeSettings(store, 10, 'd')
    expect(checkpointer.look()).not.toBeNull()
    expect(walFramesNotCheckpointed(store.paths.database)).toBe(0)
  })

  test('does nothing while something holds the connection (an import) or a transaction is open', () => {
    let free = false
    const { store, checkpointer } = fresh({ minFrames: 5, canRun: () => free })
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
    expect(walFramesNotCheckpointed(store.paths.database)).toBe(0)
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
    const pending = walFramesNotCheckpointed(t.store.paths.database)!
    // ~14 frames a decision, all still in the WAL: no save paid a checkpoint.
    expect(pending).toBeGreaterThan(1_000)
    t.checkpoints!.look()
    expect(t.checkpoints!.look()?.frames).toBe(pending)
    expect(walFramesNotCheckpointed(t.store.paths.database)).toBe(0)
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
