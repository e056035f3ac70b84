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

export interface ProfileKeys {
  /** The SQLCipher key of `tinjau.sqlite`, used raw (no SQLCipher KDF: it is already random). */
  db: Buffer
  /** The key of every encrypted file in the data directory (media/, packs/). */
  files: Buffer
}

export function newMasterKey(): Buffer {
  return randomBytes(MASTER_KEY_BYTES)
}

export function deriveProfileKeys(master: Buffer): ProfileKeys {
  if (master.length !== MASTER_KEY_BYTES) throw new Error(`a profile key is ${MASTER_KEY_BYTES} bytes, not ${master.length}`)
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32))
  return { db: derive('tinjau profile database v1'), files: derive('tinjau profile files v1') }
}

/**
 * Put a connection on the profile's cipher before it reads a page. SQLCipher 4's format
 * (SQLite3 Multiple Ciphers' `sqlcipher` scheme, legacy 4: AES-256-CBC pages with an
 * HMAC-SHA512 each), so standard SQLCipher tools can open a profile given its key.
 * `cipher` and `legacy` must come before `key`; a raw key (x'…') skips SQLCipher's own
 * PBKDF2, which a random key does not need.
 */
export function applyDbKey(sqlite: Database.Database, dbKey: Buffer): void {
  sqlite.pragma(`cipher = 'sqlcipher'`)
  sqlite.pragma('legacy = 4')
  sqlite.pragma(`key = "x'${dbKey.toString('hex')}'"`)
}

/** Whether a database file begins with SQLite's clear header (so it is not encrypted). */
export const SQLITE_CLEAR_HEADER = Buffer.from('SQLite format 3\0', 'latin1')
