import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { tempDir } from '../testing/make-pack'
import { migrate, migrationsPending } from './migrations'

const MIGRATIONS = path.resolve('resources/migrations')

function freshDb(): Database.Database {
  return new Database(path.join(tempDir('tinjau-migrate-'), 'db.sqlite'))
}

test('a new database has migrations pending; once migrated it has none, and migrate does nothing', () => {
  const db = freshDb()
  expect(migrationsPending(db, MIGRATIONS)).toBe(true)
  expect(migrate(db, MIGRATIONS)).toBe(true)
  expect(migrationsPending(db, MIGRATIONS)).toBe(false)
  const applied = db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()
  expect(migrate(db, MIGRATIONS)).toBe(false)
  expect(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(applied)
  db.close()
})

test('a journal entry newer than the last applied one is pending, and migrate applies it', () => {
  const db = freshDb()
  migrate(db, MIGRATIONS)
  const dir = tempDir('tinjau-migrations-')
  cpSync(MIGRATIONS, dir, { recursive: true })
  const journalPath = path.join(dir, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
  journal.entries.push({ idx: journal.entries.length, version: '6', when: Date.now(), tag: '9999_extra', breakpoints: true })
  writeFileSync(journalPath, JSON.stringify(journal))
  writeFileSync(path.join(dir, '9999_extra.sql'), 'CREATE TABLE extra_probe (x integer);')
  expect(migrationsPending(db, dir)).toBe(true)
  expect(migrate(db, dir)).toBe(true)
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra_probe'").pluck().get()).toBe('extra_probe')
  expect(migrationsPending(db, dir)).toBe(false)
  db.close()
})

test('a rolled-back bookkeeping row (an older profile) is pending', () => {
  const db = freshDb()
  migrate(db, MIGRATIONS)
  db.prepare('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)').run()
  expect(migrationsPending(db, MIGRATIONS)).toBe(true)
  db.close()
})

test('a missing journal is an error that names the file', () => {
  const db = freshDb()
  expect(() => migrationsPending(db, path.join(tempDir('tinjau-none-'), 'nowhere'))).toThrow(/_journal\.json could not be read/)
  db.close()
})
