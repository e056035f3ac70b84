import { hkdfSync, randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'

/**
 * A profile's keys (issue 15). One random 32-byte master key per profile, kept only wrapped
 * (by the OS's secret store or a passphrase: profile-key-file.ts); from it, by HKDF-SHA256,
 * one key for the database (SQLCipher) and one for the files beside it (media and imported
 * pack.json files, chunked AES-256-GCM). Separate keys, so the two ciphers never share key
 * material and one can change format without touching the other.
 */

export const MASTER_KEY_BYTES = 32

/**
 * How `tinjau.sqlite` is encrypted: always SQLCipher 4's format (SQLite3 Multiple Ciphers'
 * `sqlcipher` scheme at `legacy = 4`: AES-256-CBC per page, a random IV and an HMAC per page),
 * with the settings SQLCipher lets a database choose that Tinjau records: the page HMAC, and
 * the page size (4 KiB in every profile so far).
 * Recorded in profile-key.json (profile-key-file.ts), since nothing in the encrypted file says
 * it; each field is named after the SQLCipher PRAGMA that a SQLCipher tool needs set to it.
 */
export interface DbCipher {
  cipher: 'sqlcipher'
  /** SQLCipher's `cipher_compatibility`: version 4's defaults (4 KiB pages, PBKDF2-HMAC-SHA512 for the HMAC key). */
  cipher_compatibility: 4
  /** SQLCipher's `cipher_hmac_algorithm`: the page MAC. */
  cipher_hmac_algorithm: DbHmacAlgorithm
  /** SQLCipher's `cipher_page_size` (SQLite3 Multiple Ciphers' `legacy_page_size`): a power of two, 512 to 65,536 bytes. */
  cipher_page_size: number
}

export const DB_HMAC_ALGORITHMS = ['HMAC_SHA1', 'HMAC_SHA256', 'HMAC_SHA512'] as const
export type DbHmacAlgorithm = (typeof DB_HMAC_ALGORITHMS)[number]

/**
 * SQLCipher 4's defaults: every profile encrypted before the cipher was recorded in its key
 * file (a key file without `database`) is this.
 */
export const LEGACY_DB_CIPHER: DbCipher = Object.freeze({ cipher: 'sqlcipher', cipher_compatibility: 4, cipher_hmac_algorithm: 'HMAC_SHA512', cipher_page_size: 4096 })

/**
 * New profiles, and clear ones encrypted in place: SQLCipher 4 with HMAC-SHA1 pages
 * (SQLCipher's `PRAGMA cipher_hmac_algorithm = HMAC_SHA1`, its default up to version 3).
 * What a page MAC needs is that nobody without the key can forge a tag, and HMAC-SHA1 gives
 * that (HMAC rests on the hash being a PRF, not on collision resistance, which is what SHA-1
 * lost); its 160-bit tag is far beyond guessing. SQLite3 Multiple Ciphers computes the HMAC in
 * portable C, where SHA-1 costs the least per 4 KiB page: a decision writes ~13 pages, and
 * SHA-1 takes about a fifth off what encryption adds to each save. HMAC-SHA256 would have been
 * the first choice, but there it costs more than SHA-512 (32-bit rounds over 64-byte blocks).
 * docs/encryption.md "The database" has the measurements.
 */
export const NEW_DB_CIPHER: DbCipher = Object.freeze({ cipher: 'sqlcipher', cipher_compatibility: 4, cipher_hmac_algorithm: 'HMAC_SHA1', cipher_page_size: 4096 })

export interface ProfileKeys {
  /** The SQLCipher key of `tinjau.sqlite`, used raw (no SQLCipher KDF: it is already random). */
  db: Buffer
  /** How `db` encrypts `tinjau.sqlite` (from the key file; what every connection must be put on). */
  dbCipher: DbCipher
  /** The key of every encrypted file in the data directory (media/, packs/). */
  files: Buffer
}

export function newMasterKey(): Buffer {
  return randomBytes(MASTER_KEY_BYTES)
}

/** The keys of a profile whose database is (or will be) encrypted as `dbCipher` says; a new profile's by default. */
export function deriveProfileKeys(master: Buffer, dbCipher: DbCipher = NEW_DB_CIPHER): ProfileKeys {
  if (master.length !== MASTER_KEY_BYTES) throw new Error(`a profile key is ${MASTER_KEY_BYTES} bytes, not ${master.length}`)
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32))
  return { db: derive('tinjau profile database v1'), dbCipher, files: derive('tinjau profile files v1') }
}

/** SQLite3 Multiple Ciphers' `hmac_algorithm` values. */
const HMAC_ALGORITHM_ID: Record<DbHmacAlgorithm, number> = { HMAC_SHA1: 0, HMAC_SHA256: 1, HMAC_SHA512: 2 }

/**
 * Put a connection on a cipher, before it keys (or re-keys) the database: SQLite3 Multiple
 * Ciphers' `sqlcipher` scheme, `legacy = 4` (SQLCipher 4's page size, KDF and HMAC-key
 * derivation; it also resets the HMAC to SHA-512, so the HMAC comes after it). Each pragma
 * answers the value it took, or nothing when the build refused it: a connection left on
 * other parameters would write pages no other connection (or SQLCipher tool) can read.
 */
export function applyDbCipher(sqlite: Database.Database, c: DbCipher): void {
  const set = (pragma: string, value: string | number, expect: string | number) => {
    const got: unknown = sqlite.pragma(`${pragma} = ${value}`, { simple: true })
    if (String(got) !== String(expect)) throw new Error(`SQLite3 Multiple Ciphers refused PRAGMA ${pragma} = ${value} (answered ${String(got)})`)
  }
  set('cipher', `'${c.cipher}'`, c.cipher)
  set('legacy', c.cipher_compatibility, c.cipher_compatibility)
  set('hmac_algorithm', HMAC_ALGORITHM_ID[c.cipher_hmac_algorithm], HMAC_ALGORITHM_ID[c.cipher_hmac_algorithm])
  set('legacy_page_size', c.cipher_page_size, c.cipher_page_size)
}

/**
 * Put a connection on the profile's cipher and key before it reads a page (see DbCipher:
 * SQLCipher 4's format, so standard SQLCipher tools can open a profile given its key and the
 * recorded HMAC). A raw key (x'…') skips SQLCipher's own PBKDF2, which a random key does not
 * need.
 */
export function applyDbKey(sqlite: Database.Database, keys: Pick<ProfileKeys, 'db' | 'dbCipher'>): void {
  applyDbCipher(sqlite, keys.dbCipher)
  sqlite.pragma(`key = "x'${keys.db.toString('hex')}'"`)
}

/** Whether a database file begins with SQLite's clear header (so it is not encrypted). */
export const SQLITE_CLEAR_HEADER = Buffer.from('SQLite format 3\0', 'latin1')
