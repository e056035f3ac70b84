import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type Database from 'better-sqlite3'

/**
 * Bringing a profile to the current schema with drizzle's migrator, which is loaded only
 * when a migration is pending: requiring drizzle costs ~100 ms of a start that, almost
 * always, has nothing to migrate.
 */

/** drizzle's bookkeeping table (its default name). */
const MIGRATIONS_TABLE = '__drizzle_migrations'

interface Journal {
  entries: { when: number; tag: string }[]
}

/**
 * drizzle's own rule, read without drizzle: a journal entry is applied when its `when` is
 * newer than the `created_at` of the last applied migration (or none is applied yet).
 */
export function migrationsPending(sqlite: Database.Database, migrationsDir: string): boolean {
  const journalPath = path.join(migrationsDir, 'meta', '_journal.json')
  let journal: Journal
  try {
    journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal
  } catch (err) {
    throw new Error(`the migrations journal ${journalPath} could not be read: ${(err as Error).message}`)
  }
  const newest = Math.max(-Infinity, ...journal.entries.map((e) => Number(e.when)))
  if (newest === -Infinity) return false
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(MIGRATIONS_TABLE)
  if (!hasTable) return true
  const last = sqlite.prepare(`SELECT created_at FROM "${MIGRATIONS_TABLE}" ORDER BY created_at DESC LIMIT 1`).pluck().get() as number | string | undefined
  return last === undefined || Number(last) < newest
}

/**
 * Apply what is pending, in drizzle's transaction: a failed migration leaves the old schema
 * and every decision in place. Returns whether anything had to be run.
 */
export function migrate(sqlite: Database.Database, migrationsDir: string): boolean {
  if (!migrationsPending(sqlite, migrationsDir)) return false
  // Required here, not imported at the top, so a start with nothing to migrate never loads it.
  const load = createRequire(__filename)
  const { drizzle } = load('drizzle-orm/better-sqlite3') as typeof import('drizzle-orm/better-sqlite3')
  const migrator = load('drizzle-orm/better-sqlite3/migrator') as typeof import('drizzle-orm/better-sqlite3/migrator')
  migrator.migrate(drizzle(sqlite), { migrationsFolder: migrationsDir })
  return true
}
