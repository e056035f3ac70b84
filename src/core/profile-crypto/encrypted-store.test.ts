import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { tempDir } from '../testing/make-pack'
import { openStore, ProfileLockedError } from '../store/open-store'
import { deriveProfileKeys, newMasterKey, SQLITE_CLEAR_HEADER } from './profile-keys'

const MIGRATIONS = path.resolve('resources/migrations')
const SECRET = 'rationale-7f3a-only-in-the-database'

function writeSecret(dataDir: string, keys: ReturnType<typeof deriveProfileKeys> | null) {
  const store = openStore({ dataDir, migrationsDir: MIGRATIONS, keys })
  store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
  return store
}

describe('the encrypted profile database', () => {
  test('derived keys differ from each other and from the master, and are stable', () => {
    const master = newMasterKey()
    const a = deriveProfileKeys(master)
    expect(a.db.equals(a.files)).toBe(false)
    expect(a.db.equals(master)).toBe(false)
    expect(deriveProfileKeys(Buffer.from(master)).db.equals(a.db)).toBe(true)
    expect(() => deriveProfileKeys(Buffer.alloc(16))).toThrow(/32 bytes/)
  })

  test('no page, WAL frame or header holds clear text, and the data reads back with the key', () => {
    const dataDir = tempDir()
    const keys = deriveProfileKeys(newMasterKey())
    const store = writeSecret(dataDir, keys)
    // Still open: the row may be only in the WAL, which must be encrypted too.
    const files = readdirSync(dataDir).filter((f) => f.startsWith('tinjau.sqlite'))
    expect(files).toContain('tinjau.sqlite-wal')
    for (const f of files) {
      const bytes = readFileSync(path.join(dataDir, f))
      expect(bytes.includes(SECRET), f).toBe(false)
      expect(bytes.includes('CREATE TABLE'), f).toBe(false)
    }
    expect(readFileSync(path.join(dataDir, 'tinjau.sqlite')).subarray(0, 16).equals(SQLITE_CLEAR_HEADER)).toBe(false)
    store.close()
    const again = openStore({ dataDir, migrationsDir: MIGRATIONS, keys })
    expect(again.sqlite.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    const reader = again.openReader()
    expect(reader.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    reader.close()
    again.close()
  })

  test('a wrong key, or none, is refused with a clear error and changes nothing', () => {
    const dataDir = tempDir()
    const keys = deriveProfileKeys(newMasterKey())
    writeSecret(dataDir, keys).close()
    const before = readFileSync(path.join(dataDir, 'tinjau.sqlite'))
    expect(() => openStore({ dataDir, migrationsDir: MIGRATIONS, keys: deriveProfileKeys(newMasterKey()) })).toThrow(ProfileLockedError)
    expect(() => openStore({ dataDir, migrationsDir: MIGRATIONS })).toThrow(/is encrypted and no profile key was given/)
    expect(readFileSync(path.join(dataDir, 'tinjau.sqlite')).equals(before)).toBe(true)
    expect(openStore({ dataDir, migrationsDir: MIGRATIONS, keys }).sqlite.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
  })

  test('without keys the database stays clear SQLite (tools, tests)', () => {
    const dataDir = tempDir()
    writeSecret(dataDir, null).close()
    expect(readFileSync(path.join(dataDir, 'tinjau.sqlite')).subarray(0, 16).equals(SQLITE_CLEAR_HEADER)).toBe(true)
  })
})
