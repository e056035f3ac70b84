import { createHash, randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { findPackageRoot } from '../../core/package-root'
import { migrationsFolder, openServerDb, pgliteDir } from '../db/open'

/**
 * Fast fresh databases for tests. PGlite's first start (initdb) takes seconds; copying a
 * migrated data folder and opening it takes about one. So the first test server of a run
 * makes a template (kept in the OS temp folder, keyed by the migrations, shared by the
 * test files running side by side) and every server starts from a copy of it.
 */

function migrationsKey(): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else hash.update(name).update(readFileSync(p))
    }
  }
  walk(migrationsFolder())
  // The PGlite build too: its data folder format follows its PostgreSQL version.
  const pgliteRoot = path.join(findPackageRoot(__dirname), 'node_modules', '@electric-sql', 'pglite', 'package.json')
  hash.update(existsSync(pgliteRoot) ? readFileSync(pgliteRoot) : '')
  return hash.digest('hex').slice(0, 16)
}

const LOCK_STALE_MS = 120_000

async function templateDir(): Promise<string> {
  const dir = path.join(os.tmpdir(), `tinjau-server-pg-template-${migrationsKey()}`)
  const lock = `${dir}.lock`
  const deadline = Date.now() + 120_000
  while (!existsSync(dir)) {
    try {
      mkdirSync(lock)
    } catch {
      // Another test process is making it: wait, unless it died doing so.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
      continue
    }
    try {
      if (existsSync(dir)) break
      const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`
      const db = await openServerDb({ dataDir: tmp })
      await db.close()
      renameSync(tmp, dir)
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
  return dir
}

/** A migrated PGlite database in `<dataDir>/pg`, copied from the template. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const template = await templateDir()
  cpSync(pgliteDir(template), pgliteDir(dataDir), { recursive: true })
}

/** A new, empty database on the PostgreSQL server `baseUrl` names; drop() removes it. */
export async function createTestDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tinjau_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await c.end()
      }
    },
  }
}
