import { readFileSync } from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'

/**
 * For upgrade tests: drizzle's bookkeeping forgets the migration whose tag starts with
 * `tagPrefix` ("0003_") and every later one, so the next open applies them again. Found by
 * tag, not by a count from the end, which would change with every new migration.
 */
export function forgetMigrationsFrom(raw: Database.Database, migrationsDir: string, tagPrefix: string): void {
  const journal = JSON.parse(readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] }
  const entry = journal.entries.find((e) => e.tag.startsWith(tagPrefix))
  if (!entry) throw new Error(`no migration tagged ${tagPrefix}… in ${migrationsDir}`)
  raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(entry.when)
}
