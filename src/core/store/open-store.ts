import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { dataPaths, type DataPaths } from '../paths'
import { ENCRYPTING_DIR, isClearDatabase } from '../profile-crypto/encrypt-in-place'
import { applyDbKey, type ProfileKeys } from '../profile-crypto/profile-keys'
import { migrate } from './migrations'

export const WAL_AUTOCHECKPOINT_PAGES = 16_000
/** SQLite's page cache of the profile's connection, in KiB (see the pragma below). */
export const PAGE_CACHE_KIB = 64 * 1024

export interface Store {
  sqlite: Database.Database
  paths: DataPaths
  /**
   * A second, read-only connection to the same database (the same native build), for work
   * that reads across event-loop turns while the profile's connection goes on serving
   * (a DSA export). The caller closes it.
   */
  openReader(): Database.Database
  close(): void
}

export interface OpenStoreOptions {
  dataDir: string
  migrationsDir: string
  /** Electron loads an Electron-ABI build of better-sqlite3 from here (see DESIGN.md). */
  nativeBinding?: string
  /** The profile's keys: the database is SQLCipher-encrypted with `keys.db`, as `keys.dbCipher` says. Without, it is clear (tests, tools). */
  keys?: ProfileKeys | null
}

/** The database cannot be read with the key given (or is encrypted and none was given). */
export class ProfileLockedError extends Error {
  constructor(file: string, keyed: boolean) {
    super(keyed ? `${file} cannot be opened with this profile key (a wrong key, or not a Tinjau database)` : `${file} is encrypted and no profile key was given`)
    this.name = 'ProfileLockedError'
  }
}

/** The profile is clear, or half-way through being encrypted in place: unlockProfile must run first. */
export class ProfileNotEncryptedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProfileNotEncryptedError'
  }
}

/**
 * Open (creating if needed) the profile database and bring it to the current schema.
 * Migrations (see migrations.ts) run in drizzle's transaction, so a failed one leaves the
 * old schema and every decision in place.
 */
export function openStore(opts: OpenStoreOptions): Store {
  const paths = dataPaths(opts.dataDir)
  // Opening either half of an interrupted encryption would write to a profile that is about
  // to be replaced, or read one that is not whole yet (profile-crypto/encrypt-in-place.ts).
  if (existsSync(path.join(paths.root, ENCRYPTING_DIR))) {
    throw new ProfileNotEncryptedError(`${paths.root} is being encrypted in place (an earlier start was interrupted); open it through unlockProfile, which finishes that first`)
  }
  if (opts.keys && isClearDatabase(paths.database)) {
    throw new ProfileNotEncryptedError(`${paths.database} is not encrypted yet; open it through unlockProfile, which encrypts it in place first`)
  }
  mkdirSync(paths.root, { recursive: true })
  mkdirSync(paths.media, { recursive: true })
  mkdirSync(paths.tmp, { recursive: true })
  const binding = opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}
  const keyed = (db: Database.Database): Database.Database => {
    if (opts.keys) applyDbKey(db, opts.keys)
    try {
      // The first read of a page is where a wrong key (or a missing one) shows.
      db.prepare('SELECT count(*) FROM sqlite_master').get()
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new ProfileLockedError(paths.database, Boolean(opts.keys))
      throw err
    }
    return db
  }
  const sqlite = new Database(paths.database, binding)
  try {
    keyed(sqlite)
    sqlite.pragma('journal_mode = WAL')
    // FULL: a decision the UI was told is saved survives power loss, not only a crash.
    sqlite.pragma('synchronous = FULL')
    // Checkpoints (copying the WAL into the database, two more fsyncs) run while the reviewer
    // pauses (idle-checkpoint.ts): inside a save one set the p99 of "record a decision", the
    // more so encrypted, where each page is decrypted and encrypted again. SQLite's own
    // auto-checkpoint stays as a safety net for a host that never pauses, at ~64 MB of WAL
    // (a decision writes ~14 pages, so one save in ~1,100 without a pause). Durability is
    // unchanged: a commit is on disk once the WAL is synced.
    sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    // An encrypted page is decrypted (and its HMAC checked) each time it is read from the
    // file, OS cache or not; SQLite's own cache keeps pages decrypted. Its 2 MiB default is
    // smaller than a 100,000-clip queue's indexes, so a random queue page was decrypted
    // again and again (docs/encryption.md, "Queue pages and SQLite's page cache"). The
    // cache fills only as pages are read.
    sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
    migrate(sqlite, opts.migrationsDir)
    const openReader = () => {
      const reader = new Database(paths.database, { ...binding, readonly: true, fileMustExist: true })
      try {
        return keyed(reader)
      } catch (err) {
        reader.close()
        throw err
      }
    }
    return { sqlite, paths, openReader, close: () => sqlite.close() }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
