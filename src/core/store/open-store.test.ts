import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { verifyAudit } from '../audit'
import { makePack, tempDir } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { openStore, PAGE_CACHE_KIB } from './open-store'
import { forgetMigrationsFrom } from './testing/forget-migrations'
import { outboxBefore0012 } from './testing/outbox-before-0012'

const MIGRATIONS = path.resolve('resources/migrations')

/** A copy of the migrations folder holding only the first `count` journal entries (plus `extra`). */
function migrationsUpTo(count: number, extra?: { tag: string; sql: string }): string {
  const dir = tempDir('tinjau-migrations-')
  cpSync(MIGRATIONS, dir, { recursive: true })
  const journalPath = path.join(dir, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
  journal.entries = journal.entries.slice(0, count)
  if (extra) {
    journal.entries.push({ idx: journal.entries.length, version: '6', when: Date.now(), tag: extra.tag, breakpoints: true })
    writeFileSync(path.join(dir, `${extra.tag}.sql`), extra.sql)
  }
  writeFileSync(journalPath, JSON.stringify(journal))
  return dir
}

describe('the store', () => {
  test('opens in WAL mode with foreign keys on and every migration applied', () => {
    const store = openStore({ dataDir: tempDir(), migrationsDir: MIGRATIONS })
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2)
    expect(store.sqlite.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB)
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8'))
    expect(store.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(journal.entries.length)
    store.close()
  })

  test('data survives closing and reopening the profile', async () => {
    const dataDir = tempDir()
    const a = openTestTinjau(dataDir)
    await a.handlers['pack.importDirectory']({ path: makePack(3) })
    const d = a.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000001', categories: ['ok.commerce'], action: 'allow' }))
    const deviceId = a.identity.deviceId
    a.close()
    const b = openTestTinjau(dataDir)
    expect(b.identity.deviceId).toBe(deviceId)
    expect(b.handlers['clip.get']({ clipId: 'clip-000001' }).decisions.map((x) => x.id)).toEqual([d.id])
    b.close()
  })

  test('foreign keys are enforced: no decision for a clip that does not exist', () => {
    const store = openStore({ dataDir: tempDir(), migrationsDir: MIGRATIONS })
    expect(() =>
      store.sqlite
        .prepare("INSERT INTO decisions (id, clip_id, policy_id, policy_version, categories, action, ranges, rationale, reviewer_id, device_id, decided_at) VALUES ('x', 'ghost', 'p', '1', '[]', 'allow', '[]', '', 'r', 'd', 't')")
        .run(),
    ).toThrow(/FOREIGN KEY/)
    store.close()
  })

  test('upgrading an older profile keeps every decision', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(2) })
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000000', categories: ['violence.arson'], action: 'remove', rationale: 'r' }))
    const before = t.store.sqlite.prepare('SELECT * FROM decisions').all()
    t.close()
    // Roll the profile back to the first schema version, then let the app upgrade it.
    const raw = new Database(path.join(dataDir, 'tinjau.sqlite'))
    raw.exec('DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete; DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete')
    raw.exec('ALTER TABLE clips DROP COLUMN manifest_sha256; ALTER TABLE clips DROP COLUMN json_offset; ALTER TABLE clips DROP COLUMN json_length')
    raw.exec('CREATE INDEX clip_flags_label ON clip_flags (label); CREATE INDEX clip_flags_source ON clip_flags (source)')
    raw.exec('DROP TABLE clip_search_state; DROP TABLE clip_search; DROP INDEX clips_status_due; DROP INDEX clips_due; ALTER TABLE clips DROP COLUMN authority')
    raw.exec('CREATE INDEX clips_status_due ON clips (status, due_sort, id); CREATE INDEX clips_due ON clips (due_sort, id)')
    outboxBefore0012(raw, false)
    raw.exec('DROP TABLE clip_outcomes; DROP TABLE media_hashes; DROP INDEX clips_media')
    raw.exec('DROP TABLE hash_list_entries; DROP TABLE hash_lists')
    raw.exec('DROP TABLE media_match_pairs; DROP TABLE media_match_scans')
    raw.exec('ALTER TABLE decisions DROP COLUMN matched_from')
    raw.exec('DROP TABLE media_hash_pushes; DROP TABLE team_hashes_waiting')
    raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at > (SELECT min(created_at) FROM __drizzle_migrations)').run()
    raw.close()
    const upgraded = openStore({ dataDir, migrationsDir: MIGRATIONS })
    expect(upgraded.sqlite.prepare('SELECT * FROM decisions').all()).toEqual(before)
    // The outbox row is still waiting to be pushed (0004 added the rejection columns).
    expect(upgraded.sqlite.prepare('SELECT acked_at, rejected_at, rejection FROM outbox').all()).toEqual([{ acked_at: null, rejected_at: null, rejection: null }])
    expect(() => upgraded.sqlite.prepare('DELETE FROM decisions').run()).toThrow(/append-only/)
    // 0005 added the outcomes pulled from the service, empty until a sync brings some.
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM clip_outcomes').pluck().get()).toBe(0)
    // 0006 added the media's perceptual hashes: nothing hashed yet, so all of it is work to do.
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM media_hashes').pluck().get()).toBe(0)
    // 0007 added the hash lists, none imported yet.
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM hash_lists').pluck().get()).toBe(0)
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM hash_list_entries').pluck().get()).toBe(0)
    // 0008 added the stored match pairs: none, and no video matched yet (each is, when the index loads).
    expect(upgraded.sqlite.prepare('SELECT (SELECT count(*) FROM media_match_pairs) + (SELECT count(*) FROM media_match_scans)').pluck().get()).toBe(0)
    // 0009 (decision-matched-from) added where a decision came from: none of the old ones came from a match.
    expect(upgraded.sqlite.prepare('SELECT matched_from FROM decisions').pluck().all()).toEqual([null])
    // 0010 added what sync keeps of media hashes: nothing pushed, nothing waiting.
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM media_hash_pushes').pluck().get()).toBe(0)
    expect(upgraded.sqlite.prepare('SELECT count(*) FROM team_hashes_waiting').pluck().get()).toBe(0)
    // 0011 (outbox-rejected-index) indexed the rejected rows, which every save counts.
    expect(upgraded.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox_rejected'").pluck().get()).toMatch(/WHERE "outbox"."rejected_at" IS NOT NULL/)
    // 0012 (outbox-no-autoincrement) made the outbox's seq the plain rowid.
    expect(upgraded.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").pluck().get()).not.toMatch(/AUTOINCREMENT/i)
    upgraded.close()
  })

  test('migration 0012 keeps every outbox row with its seq, and a save after it writes no sqlite_sequence', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(4) })
    for (const clipId of ['clip-000000', 'clip-000001', 'clip-000002']) {
      t.handlers['decision.record'](DecisionDraft.parse({ clipId, categories: ['ok.news'], action: 'allow' }))
    }
    t.store.sqlite.prepare("UPDATE outbox SET acked_at = '2026-12-07T10:00:00.000Z', attempts = 1 WHERE seq = 1").run()
    t.store.sqlite.prepare("UPDATE outbox SET rejected_at = '2026-12-07T10:00:01.000Z', rejection = 'clip_not_assigned', last_error = 'no' WHERE seq = 2").run()
    const rowsOf = (db: Database.Database) => db.prepare('SELECT * FROM outbox ORDER BY seq').all()
    const before = rowsOf(t.store.sqlite)
    expect(before).toHaveLength(3)
    t.close()
    const raw = new Database(path.join(dataDir, 'tinjau.sqlite'))
    outboxBefore0012(raw, true)
    expect(raw.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get()).toBe(3)
    forgetMigrationsFrom(raw, MIGRATIONS, '0012_')
    raw.close()

    const upgraded = openTestTinjau(dataDir)
    const db = upgraded.store.sqlite
    expect(rowsOf(db)).toEqual(before)
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").pluck().get()).not.toMatch(/AUTOINCREMENT/i)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY name").pluck().all()).toEqual([
      'outbox_decision_id_unique',
      'outbox_rejected',
      'outbox_unsent',
    ])
    expect(db.prepare("SELECT count(*) FROM sqlite_sequence WHERE name = 'outbox'").pluck().get()).toBe(0)
    expect(db.pragma('foreign_key_check')).toEqual([])
    // What the plain rowid relies on, the database now enforces.
    expect(() => db.prepare('DELETE FROM outbox WHERE seq = 3').run()).toThrow(/outbox rows are kept/)
    // The next save follows the last seq, and leaves sqlite_sequence alone.
    const d = upgraded.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000003', categories: ['ok.news'], action: 'allow' }))
    expect(db.prepare('SELECT seq FROM outbox WHERE decision_id = ?').pluck().get(d.id)).toBe(4)
    expect(db.prepare("SELECT count(*) FROM sqlite_sequence WHERE name = 'outbox'").pluck().get()).toBe(0)
    upgraded.close()
  })

  test('a migration that fails leaves the old schema and every decision in place', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(2) })
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000000', categories: ['ok.news'], action: 'allow' }))
    const before = t.store.sqlite.prepare('SELECT * FROM decisions').all()
    t.close()
    const broken = migrationsUpTo(99, { tag: '9999_broken', sql: 'ALTER TABLE decisions ADD COLUMN note text;\n--> statement-breakpoint\nTHIS IS NOT SQL;' })
    expect(() => openStore({ dataDir, migrationsDir: broken })).toThrow()
    const after = openStore({ dataDir, migrationsDir: MIGRATIONS })
    expect(after.sqlite.prepare('SELECT * FROM decisions').all()).toEqual(before)
    const columns = (after.sqlite.prepare('PRAGMA table_info(decisions)').all() as { name: string }[]).map((c) => c.name)
    expect(columns).not.toContain('note')
    after.close()
  })
})

describe('the audit trail', () => {
  test('refuses updates and deletes, and detects rows edited behind its back', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(3) })
    for (const id of ['clip-000000', 'clip-000001', 'clip-000002']) {
      t.handlers['decision.record'](DecisionDraft.parse({ clipId: id, categories: ['ok.commerce'], action: 'allow' }))
    }
    expect(verifyAudit(t.store.sqlite)).toEqual({ ok: true, entries: 4, brokenAt: null })
    expect(() => t.store.sqlite.prepare("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2").run()).toThrow(/append-only/)
    expect(() => t.store.sqlite.prepare('DELETE FROM audit_log WHERE seq = 4').run()).toThrow(/append-only/)
    t.close()

    // Someone with the file and a SQLite shell drops the trigger and edits history.
    const raw = new Database(path.join(dataDir, 'tinjau.sqlite'))
    raw.exec('DROP TRIGGER audit_log_no_update')
    raw.prepare(`UPDATE audit_log SET payload = replace(payload, '"allow"', '"remove"') WHERE seq = 3`).run()
    expect(verifyAudit(raw)).toEqual({ ok: false, entries: 3, brokenAt: 3 })
    raw.close()
  })

  test('a deleted entry breaks the chain too', async () => {
    const dataDir = tempDir()
    const t = openTestTinjau(dataDir)
    await t.handlers['pack.importDirectory']({ path: makePack(2) })
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000000', categories: ['ok.commerce'], action: 'allow' }))
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000001', categories: ['ok.commerce'], action: 'allow' }))
    t.close()
    const raw = new Database(path.join(dataDir, 'tinjau.sqlite'))
    raw.exec('DROP TRIGGER audit_log_no_delete')
    raw.prepare('DELETE FROM audit_log WHERE seq = 2').run()
    expect(verifyAudit(raw)).toMatchObject({ ok: false, brokenAt: 3 })
    raw.close()
  })
})
