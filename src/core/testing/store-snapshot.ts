import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'

/**
 * Everything a failed operation must leave as it was: every row of every table and every
 * file under the data directory. Tests compare snapshots before and after.
 */

const TABLES = ['packs', 'clips', 'clip_flags', 'media_objects', 'decisions', 'outbox', 'audit_log', 'settings', 'hash_lists', 'hash_list_entries']

export function snapshotRows(sqlite: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((t) => [t, sqlite.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]))
}

/** Files below `root` (relative paths and sizes), skipping the SQLite files themselves. */
export function snapshotFiles(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name)
      const st = statSync(full)
      if (st.isDirectory()) walk(full)
      else if (!name.startsWith('tinjau.sqlite')) out.push(`${path.relative(root, full)}:${st.size}`)
    }
  }
  walk(root)
  return out.sort()
}
