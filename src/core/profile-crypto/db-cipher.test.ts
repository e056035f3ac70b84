import { createDecipheriv, createHmac, pbkdf2Sync } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { migrate } from '../store/migrations'
import { openStore, ProfileLockedError } from '../store/open-store'
import { tempDir } from '../testing/make-pack'
import { createProfileKey, profileKeyPath, ProfileKeyError, readProfileKeyInfo, setPassphrase, type ScryptParams } from './profile-key-file'
import { deriveProfileKeys, LEGACY_DB_CIPHER, NEW_DB_CIPHER, newMasterKey } from './profile-keys'
import { unlockProfile } from './unlock-profile'

/**
 * The database's cipher parameters, recorded in profile-key.json (issue 15): profiles
 * encrypted before they were recorded keep opening as they were made; new ones are made, and
 * clear ones encrypted in place, with NEW_DB_CIPHER. The files are checked with SQLite3
 * Multiple Ciphers' pragmas written out here, not through applyDbKey, so a change there
 * cannot make its own test pass.
 */

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'
const MIGRATIONS = path.resolve('resources/migrations')
const SECRET = 'rationale-5c1e-only-in-the-database'

/** SQLCipher 4's defaults: what the code before the parameters were recorded set (cipher, legacy = 4, key). */
const OLD_PRAGMAS = [`cipher = 'sqlcipher'`, 'legacy = 4']
/** SQLCipher 4 with HMAC-SHA1 pages: in SQLCipher, PRAGMA cipher_compatibility = 4 and cipher_hmac_algorithm = HMAC_SHA1. */
const NEW_PRAGMAS = [`cipher = 'sqlcipher'`, 'legacy = 4', 'hmac_algorithm = 0', 'legacy_page_size = 4096']

const open: Database.Database[] = []
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close()
})

/** The probe row, read from the file with these pragmas and the raw key; null when the file does not open with them. */
function readWith(file: string, dbKey: Buffer, pragmas: string[]): string | null {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    for (const p of pragmas) db.pragma(p)
    db.pragma(`key = "x'${dbKey.toString('hex')}'"`)
    return db.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get() as string
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') return null
    throw err
  } finally {
    db.close()
  }
}

/**
 * SQLCipher 4's page format, decoded with node:crypto (OpenSSL) alone, as SQLCipher's own
 * source defines it, to show that what a SQLCipher tool would need is the raw key and the
 * recorded HMAC: the file begins with a 16-byte salt; the HMAC key is PBKDF2 with the KDF
 * algorithm (SHA-512 in version 4), 2 rounds, over the raw key and the salt XOR 0x3a; each
 * page ends with its reserve (a 16-byte IV, then the HMAC, rounded up to 16 bytes), the HMAC
 * covers the ciphertext, the IV and the page number (4 bytes, little-endian), and the rest is
 * AES-256-CBC without padding (page 1 from byte 16). Returns the clear database's bytes.
 */
function decodeSqlcipher4(file: string, dbKey: Buffer, hmac: 'sha1' | 'sha512', pageSize = 4096): Buffer {
  const bytes = readFileSync(file)
  const salt = bytes.subarray(0, 16)
  const hmacKey = pbkdf2Sync(dbKey, Buffer.from(salt.map((b) => b ^ 0x3a)), 2, 32, 'sha512')
  const macBytes = hmac === 'sha1' ? 20 : 64
  const reserve = Math.ceil((16 + macBytes) / 16) * 16
  const pages: Buffer[] = []
  for (let pgno = 1; pgno * pageSize <= bytes.length; pgno++) {
    const page = bytes.subarray((pgno - 1) * pageSize, pgno * pageSize)
    const start = pgno === 1 ? 16 : 0
    const end = pageSize - reserve
    const iv = page.subarray(end, end + 16)
    const pgnoLe = Buffer.alloc(4)
    pgnoLe.writeUInt32LE(pgno)
    const mac = createHmac(hmac, hmacKey).update(page.subarray(start, end + 16)).update(pgnoLe).digest()
    if (!mac.equals(page.subarray(end + 16, end + 16 + macBytes))) throw new Error(`page ${pgno}: the HMAC does not match`)
    const d = createDecipheriv('aes-256-cbc', dbKey, iv).setAutoPadding(false)
    const clear = Buffer.concat([d.update(page.subarray(start, end)), d.final()])
    pages.push(pgno === 1 ? Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), clear, Buffer.alloc(reserve)]) : Buffer.concat([clear, Buffer.alloc(reserve)]))
  }
  return Buffer.concat(pages)
}

function dirContents(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [e.name, readFileSync(path.join(dir, e.name)).toString('base64')]),
  )
}

function editKeyFile(dir: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(profileKeyPath(dir), 'utf8')) as Record<string, unknown>
  edit(json)
  writeFileSync(profileKeyPath(dir), `${JSON.stringify(json, null, 2)}\n`)
}

/**
 * A profile as the version before this one left it: a key file without `database`, and a
 * database keyed with `cipher = 'sqlcipher'`, `legacy = 4` and the HKDF-derived database key.
 */
async function oldProfile(): Promise<{ dataDir: string; db: string }> {
  const dataDir = tempDir('tinjau-old-cipher-')
  const made = await createProfileKey(dataDir, { passphrase: PASS, scrypt: CHEAP })
  editKeyFile(dataDir, (json) => delete json.database)
  const file = path.join(dataDir, 'tinjau.sqlite')
  const db = new Database(file)
  for (const p of OLD_PRAGMAS) db.pragma(p)
  db.pragma(`key = "x'${made.keys.db.toString('hex')}'"`)
  db.pragma('journal_mode = WAL')
  migrate(db, MIGRATIONS)
  db.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
  db.close()
  return { dataDir, db: file }
}

describe("the database's cipher, recorded in the key file", () => {
  test('new profiles use SQLCipher 4 with HMAC-SHA1 pages; older ones had HMAC-SHA512', () => {
    expect(NEW_DB_CIPHER).toEqual({ cipher: 'sqlcipher', cipher_compatibility: 4, cipher_hmac_algorithm: 'HMAC_SHA1', cipher_page_size: 4096 })
    expect(LEGACY_DB_CIPHER).toEqual({ cipher: 'sqlcipher', cipher_compatibility: 4, cipher_hmac_algorithm: 'HMAC_SHA512', cipher_page_size: 4096 })
  })

  test('a key file from before (no `database`) opens its database as it was made, and nothing is rewritten', async () => {
    const old = await oldProfile()
    const before = dirContents(old.dataDir)
    const unlocked = await unlockProfile(old.dataDir, { passphrase: PASS })
    expect(unlocked.keys.dbCipher).toEqual(LEGACY_DB_CIPHER)
    expect(readProfileKeyInfo(old.dataDir)?.database).toEqual(LEGACY_DB_CIPHER)
    const store = openStore({ dataDir: old.dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })
    expect(store.sqlite.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe-2', 'written after the upgrade')").run()
    store.close()
    expect(readFileSync(profileKeyPath(old.dataDir)).toString('base64')).toBe(before['profile-key.json'])
    // Still SQLCipher 4's defaults after a write through this version; the new cipher does not open it.
    expect(readWith(old.db, unlocked.keys.db, OLD_PRAGMAS)).toBe(SECRET)
    expect(readWith(old.db, unlocked.keys.db, NEW_PRAGMAS)).toBeNull()
    // Changing the passphrase keeps the file without `database` (it must not start claiming the new cipher).
    await setPassphrase(old.dataDir, unlocked.master, 'another passphrase', CHEAP)
    expect(JSON.parse(readFileSync(profileKeyPath(old.dataDir), 'utf8'))).not.toHaveProperty('database')
    expect((await unlockProfile(old.dataDir, { passphrase: 'another passphrase' })).keys.dbCipher).toEqual(LEGACY_DB_CIPHER)
  })

  test('a new profile records the new cipher, its database is written with it, and the record survives a passphrase change', async () => {
    const dataDir = tempDir('tinjau-new-cipher-')
    const unlocked = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    expect(JSON.parse(readFileSync(profileKeyPath(dataDir), 'utf8')).database).toEqual({
      cipher: 'sqlcipher',
      cipher_compatibility: 4,
      cipher_hmac_algorithm: 'HMAC_SHA1',
      cipher_page_size: 4096,
    })
    expect(unlocked.keys.dbCipher).toEqual(NEW_DB_CIPHER)
    const store = openStore({ dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
    const reader = store.openReader()
    expect(reader.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    reader.close()
    store.close()
    const file = path.join(dataDir, 'tinjau.sqlite')
    expect(readWith(file, unlocked.keys.db, NEW_PRAGMAS)).toBe(SECRET)
    expect(readWith(file, unlocked.keys.db, OLD_PRAGMAS)).toBeNull()
    await setPassphrase(dataDir, unlocked.master, 'another passphrase', CHEAP)
    const again = await unlockProfile(dataDir, { passphrase: 'another passphrase' })
    expect(again.keys.dbCipher).toEqual(NEW_DB_CIPHER)
    const reopened = openStore({ dataDir, migrationsDir: MIGRATIONS, keys: again.keys })
    expect(reopened.sqlite.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    reopened.close()
  })

  test('the database of a new profile is SQLCipher 4 with HMAC-SHA1: decoded by the SQLCipher page format alone, it is the profile', async () => {
    const dataDir = tempDir('tinjau-sqlcipher4-')
    const unlocked = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    const store = openStore({ dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
    store.close()
    const file = path.join(dataDir, 'tinjau.sqlite')
    expect(() => decodeSqlcipher4(file, unlocked.keys.db, 'sha512')).toThrow(/page 1: the HMAC does not match/)
    const clearFile = path.join(tempDir('tinjau-decoded-'), 'decoded.sqlite')
    writeFileSync(clearFile, decodeSqlcipher4(file, unlocked.keys.db, 'sha1'))
    const clear = new Database(clearFile, { readonly: true })
    open.push(clear)
    expect(clear.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(clear.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
    // And a profile from before decodes as SQLCipher 4's defaults (HMAC-SHA512).
    const old = await oldProfile()
    const oldKeys = (await unlockProfile(old.dataDir, { passphrase: PASS })).keys
    writeFileSync(clearFile, decodeSqlcipher4(old.db, oldKeys.db, 'sha512'))
    const oldClear = new Database(clearFile, { readonly: true })
    open.push(oldClear)
    expect(oldClear.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe(SECRET)
  })

  test('a clear profile encrypted in place gets the new cipher', async () => {
    const dataDir = tempDir('tinjau-inplace-cipher-')
    const clear = openStore({ dataDir, migrationsDir: MIGRATIONS })
    clear.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
    clear.close()
    const unlocked = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    expect(unlocked.encryptedInPlace).toMatchObject({ outcome: 'encrypted' })
    expect(unlocked.keys.dbCipher).toEqual(NEW_DB_CIPHER)
    expect(JSON.parse(readFileSync(profileKeyPath(dataDir), 'utf8')).database).toEqual(NEW_DB_CIPHER)
    const file = path.join(dataDir, 'tinjau.sqlite')
    expect(readWith(file, unlocked.keys.db, NEW_PRAGMAS)).toBe(SECRET)
    expect(readWith(file, unlocked.keys.db, OLD_PRAGMAS)).toBeNull()
  })

  test.each([
    ['an unknown HMAC', { cipher_hmac_algorithm: 'HMAC_MD5' }, 'database.cipher_hmac_algorithm'],
    ['another scheme', { cipher: 'chacha20' }, 'database.cipher'],
    ['another SQLCipher version', { cipher_compatibility: 3 }, 'database.cipher_compatibility'],
    ['a page size that is not a power of two', { cipher_page_size: 3000 }, 'database.cipher_page_size'],
    ['a parameter this version does not know', { plaintext_header_size: 32 }, 'database'],
  ])('%s in the key file is refused, naming the file and the field; nothing changes', async (_what, change, field) => {
    const dataDir = tempDir('tinjau-bad-cipher-')
    const unlocked = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    const store = openStore({ dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
    store.close()
    editKeyFile(dataDir, (json) => Object.assign(json.database as object, change))
    const before = dirContents(dataDir)
    const err = await unlockProfile(dataDir, { passphrase: PASS }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProfileKeyError)
    expect(err).toMatchObject({ code: 'damaged' })
    expect((err as Error).message).toContain(`profile key ${profileKeyPath(dataDir)}: ${field}`)
    expect(() => readProfileKeyInfo(dataDir)).toThrow(ProfileKeyError)
    expect(dirContents(dataDir)).toEqual(before)
  })

  test('a wrong key is still ProfileLockedError, and so is a valid but wrong record of the cipher; nothing changes', async () => {
    const dataDir = tempDir('tinjau-wrong-cipher-')
    const unlocked = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    const store = openStore({ dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('probe', ?)").run(SECRET)
    store.close()
    const before = dirContents(dataDir)
    expect(() => openStore({ dataDir, migrationsDir: MIGRATIONS, keys: deriveProfileKeys(newMasterKey()) })).toThrow(ProfileLockedError)
    editKeyFile(dataDir, (json) => Object.assign(json.database as object, { cipher_hmac_algorithm: 'HMAC_SHA512' }))
    const misrecorded = await unlockProfile(dataDir, { passphrase: PASS })
    expect(() => openStore({ dataDir, migrationsDir: MIGRATIONS, keys: misrecorded.keys })).toThrow(ProfileLockedError)
    expect(readFileSync(path.join(dataDir, 'tinjau.sqlite')).toString('base64')).toBe(before['tinjau.sqlite'])
  })
})
