import { createHash } from 'node:crypto'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import Database from 'better-sqlite3'
import { writeFileAtomically } from '../atomic-file'
import { dataPaths } from '../paths'
import { createEncryptStream, CHUNK_BYTES, HEADER_BYTES, isEncryptedFile, isEncryptTempName, openEncryptedFile, TAG_BYTES } from './chunked-file'
import { applyDbCipher, applyDbKey, SQLITE_CLEAR_HEADER, type ProfileKeys } from './profile-keys'
import { syncDir } from './sync-dir'

/**
 * Encrypting a clear profile in place (issue 15; docs/encryption.md "Encrypting an existing
 * clear profile"). A crash-safe state machine whose whole state is on disk:
 *
 *   clear ──stage──▶ staged ──COMMIT──▶ committed ──replace──▶ encrypted
 *
 * - stage: under `encrypting/` in the data directory, an encrypted copy of the database (a
 *   byte copy of the checkpointed clear file, re-keyed in place by SQLite3 Multiple Ciphers)
 *   and of every clear file under media/ and packs/, each synced and then verified (the
 *   database: integrity_check and the same content, table by table, as the clear one; a
 *   file: it decrypts to the bytes it was made from). Nothing outside `encrypting/` is
 *   written, so a crash here leaves the clear profile as it was; the next start throws the
 *   staging folder away and stages again.
 * - COMMIT: `encrypting/commit.json`, written under a temporary name, synced and renamed —
 *   one atomic step. From here on the encrypted copy is the profile.
 * - replace: each staged file is renamed over its clear original (the database first), the
 *   directories synced, tmp/ emptied, then `encrypting/` removed. Every step is idempotent,
 *   so a crash here is finished by the next start.
 *
 * The clear files are never deleted before the commit, and the commit is written only after
 * every copy was verified. Hosts reach this through unlockProfile, never while the profile
 * is open; openStore refuses a data directory that holds `encrypting/`.
 */

/** The staging folder inside the data directory. */
export const ENCRYPTING_DIR = 'encrypting'
/** The commit point: present (whole) only once every staged copy was verified. */
export const COMMIT_FILE = 'commit.json'
const COMMIT_FORMAT = 'tinjau.encrypt-in-place'
const COPY_CHUNK = 1024 * 1024
const VERIFY_PIECE = 4 * 1024 * 1024

export type EncryptPhase = 'preparing' | 'database' | 'verifying' | 'files' | 'replacing' | 'done'

export interface EncryptProgress {
  phase: EncryptPhase
  /**
   * preparing (lock, read the clear database's digests) and verifying (the encrypted copy of
   * the database): 0 then 1 of 1; database: bytes of tinjau.sqlite copied; files: clear bytes
   * of media/ and packs/ encrypted and verified; replacing: files moved.
   */
  done: number
  total: number
}

/**
 * Named points of the state machine, in order. `onStep` is called at each (the kill test
 * stops its process there); steps marked × repeat once per chunk or file.
 */
export type EncryptStep =
  | 'locked' //            the clear database is checkpointed and its write lock held
  | 'staging-ready' //     any earlier staging removed, a fresh `encrypting/` made
  | 'db-copy-chunk' //  ×  a chunk of the database copied (not the last)
  | 'db-copied'
  | 'db-rekeyed'
  | 'db-verified'
  | 'file-chunk' //     ×  the first chunk of a file of several encrypted
  | 'file-staged' //    ×  a file encrypted, synced and verified
  | 'staged' //            every copy made and verified, directories synced; before the commit
  | 'committed' //         right after the commit point
  | 'db-replaced'
  | 'file-replaced' //  ×  a staged file renamed over its clear original
  | 'replaced' //          every file moved and the directories synced
  | 'tmp-cleared'
  | 'commit-removed' //    commit.json removed, `encrypting/` not yet
  | 'done' //              `encrypting/` removed

export interface EncryptInPlaceOptions {
  /** Called as the work advances, so a host can show it (the replacing phase is quick). */
  onProgress?: (p: EncryptProgress) => void
  /**
   * A test hook, never set by hosts: called at each named step with its ordinal (the count
   * of that step so far, from 1). The kill test (encrypt-in-place.kill.test.ts) SIGKILLs its
   * child process here to prove every step is crash-safe.
   */
  onStep?: (step: EncryptStep, n: number) => void
}

export interface EncryptInPlaceResult {
  /** `encrypted`: staged and replaced now; `resumed`: an earlier run had committed, this one finished it; `none`: nothing was clear. */
  outcome: 'encrypted' | 'resumed' | 'none'
  /** Files (media/, packs/) encrypted, the database not counted. */
  files: number
  /** Clear bytes encrypted, the database included. */
  bytes: number
  /**
   * Milliseconds spent in each phase: lock (checkpoint, lock and digest the clear database),
   * database (copy and re-key), verifyDatabase, files (encrypt, sync, verify), commit, replace.
   */
  timings: Partial<Record<'lock' | 'database' | 'verifyDatabase' | 'files' | 'commit' | 'replace', number>>
}

export class EncryptInPlaceError extends Error {
  constructor(
    readonly dataDir: string,
    message: string,
    readonly code: 'busy' | 'no_space' | 'damaged' | 'verify_failed' | 'commit_damaged',
  ) {
    super(`encrypting the profile in ${dataDir}: ${message}`)
    this.name = 'EncryptInPlaceError'
  }
}

interface CommitRecord {
  format: typeof COMMIT_FORMAT
  version: 1
  committed_at: string
  /** The clear database as it was when copied: if it changed before being replaced, the copy is stale. */
  clear_db: { size: number; mtime_ms: number }
  /** Staged files, relative to the data directory (POSIX separators), the database not included. */
  files: string[]
}

/** Where an interrupted or pending encryption stands, read from the disk alone. */
export type InPlaceState = 'none' | 'clear' | 'staging' | 'committed'

export function inPlaceState(dataDir: string): InPlaceState {
  const staging = path.join(dataDir, ENCRYPTING_DIR)
  if (existsSync(path.join(staging, COMMIT_FILE))) return 'committed'
  if (existsSync(staging)) return 'staging'
  return isClearDatabase(dataPaths(dataDir).database) ? 'clear' : 'none'
}

/** Whether unlockProfile must (finish) encrypting this profile before it can be opened. */
export function needsEncryptionInPlace(dataDir: string): boolean {
  return inPlaceState(dataDir) !== 'none'
}

/** A database file that begins with SQLite's clear header (an empty file is neither). */
export function isClearDatabase(file: string): boolean {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return false
  }
  try {
    const head = Buffer.alloc(SQLITE_CLEAR_HEADER.length)
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_CLEAR_HEADER)
  } finally {
    closeSync(fd)
  }
}

/**
 * Encrypt the profile in `dataDir` with `keys`, or finish an encryption an earlier run
 * committed. Safe to call on any profile: one with nothing clear returns `none` at once.
 */
export async function encryptProfileInPlace(dataDir: string, keys: ProfileKeys, opts: EncryptInPlaceOptions = {}): Promise<EncryptInPlaceResult> {
  const run = new InPlaceRun(dataDir, keys, opts)
  return run.run()
}

interface PlannedFile {
  rel: string
  bytes: number
}

class InPlaceRun {
  private readonly paths
  private readonly staging: string
  private readonly counts = new Map<EncryptStep, number>()
  private readonly timings: EncryptInPlaceResult['timings'] = {}

  constructor(
    private readonly dataDir: string,
    private readonly keys: ProfileKeys,
    private readonly opts: EncryptInPlaceOptions,
  ) {
    this.paths = dataPaths(dataDir)
    this.staging = path.join(dataDir, ENCRYPTING_DIR)
  }

  private step(s: EncryptStep): void {
    const n = (this.counts.get(s) ?? 0) + 1
    this.counts.set(s, n)
    this.opts.onStep?.(s, n)
  }

  private progress(phase: EncryptPhase, done: number, total: number): void {
    this.opts.onProgress?.({ phase, done, total })
  }

  private timed(name: keyof EncryptInPlaceResult['timings'], t0: number): void {
    this.timings[name] = (this.timings[name] ?? 0) + (performance.now() - t0)
  }

  async run(): Promise<EncryptInPlaceResult> {
    const state = inPlaceState(this.dataDir)
    if (state === 'committed') {
      const resumed = this.replace(this.readCommit())
      if (resumed) return { outcome: 'resumed', files: resumed.files, bytes: 0, timings: this.timings }
      // The clear database changed after the commit (another program wrote to it): the copy
      // was stale and has been dropped; stage again from the clear profile as it is now.
    } else if (state === 'staging' && !isClearDatabase(this.paths.database)) {
      // Leftovers of a run that had replaced everything and was removing its staging folder.
      removeDir(this.staging)
      return { outcome: 'none', files: 0, bytes: 0, timings: this.timings }
    } else if (state === 'none') {
      return { outcome: 'none', files: 0, bytes: 0, timings: this.timings }
    }
    return this.stageAndCommit()
  }

  // ---------------------------------------------------------------- stage

  private async stageAndCommit(): Promise<EncryptInPlaceResult> {
    let t0 = performance.now()
    this.progress('preparing', 0, 1)
    const clear = this.lockClearDatabase()
    // The byte copy's own descriptor on the database file: closing it while the connection is
    // open would drop every POSIX lock this process holds on the file, SQLite's included
    // (https://www.sqlite.org/howtocorrupt.html, section 2.2), so it closes after the connection.
    let copyFd: number | null = null
    let released = false
    const release = () => {
      if (released) return
      released = true
      try {
        if (clear.inTransaction) clear.exec('ROLLBACK')
        clear.close()
      } finally {
        if (copyFd !== null) closeSync(copyFd)
      }
    }
    try {
      this.step('locked')
      // Only now, holding the lock another run would need, is an earlier staging folder ours to remove.
      removeDir(this.staging)
      mkdirSync(this.staging)
      syncDir(this.dataDir)
      this.step('staging-ready')

      const dbBytes = statSync(this.paths.database).size
      const files = this.planFiles()
      const fileBytes = files.reduce((s, f) => s + f.bytes, 0)
      this.checkSpace(dbBytes, files)
      const digests = tableDigests(clear)
      this.progress('preparing', 1, 1)
      this.timed('lock', t0)

      t0 = performance.now()
      const stagedDb = path.join(this.staging, path.basename(this.paths.database))
      copyFd = openSync(this.paths.database, 'r')
      this.copyDatabase(copyFd, stagedDb, dbBytes)
      this.step('db-copied')
      rekey(stagedDb, this.keys)
      this.step('db-rekeyed')
      this.timed('database', t0)
      t0 = performance.now()
      this.progress('verifying', 0, 1)
      this.verifyDatabase(stagedDb, digests)
      this.progress('verifying', 1, 1)
      this.step('db-verified')
      this.timed('verifyDatabase', t0)

      t0 = performance.now()
      let done = 0
      this.progress('files', 0, fileBytes)
      const dirs = new Set<string>([this.staging])
      for (const f of files) {
        const dst = path.join(this.staging, ...f.rel.split('/'))
        mkdirSync(path.dirname(dst), { recursive: true })
        for (let d = path.dirname(dst); d !== this.staging; d = path.dirname(d)) dirs.add(d)
        await this.stageFile(path.join(this.dataDir, ...f.rel.split('/')), dst, f.bytes)
        done += f.bytes
        this.progress('files', done, fileBytes)
        this.step('file-staged')
      }
      for (const d of [...dirs].sort((a, b) => b.length - a.length)) syncDir(d)
      this.timed('files', t0)
      this.step('staged')

      t0 = performance.now()
      release()
      const wal = `${this.paths.database}-wal`
      if (existsSync(wal) && statSync(wal).size > 0) {
        throw new EncryptInPlaceError(this.dataDir, `${wal} still holds changes after the database was closed; another program has the profile open`, 'busy')
      }
      const st = statSync(this.paths.database)
      const record: CommitRecord = {
        format: COMMIT_FORMAT,
        version: 1,
        committed_at: new Date().toISOString(),
        clear_db: { size: st.size, mtime_ms: st.mtimeMs },
        files: files.map((f) => f.rel),
      }
      writeDurably(path.join(this.staging, COMMIT_FILE), `${JSON.stringify(record)}\n`)
      this.timed('commit', t0)
      this.step('committed')
      const replaced = this.replace(record)
      if (!replaced) throw new EncryptInPlaceError(this.dataDir, 'the clear database changed while it was being encrypted; start again', 'busy')
      return { outcome: 'encrypted', files: files.length, bytes: dbBytes + fileBytes, timings: this.timings }
    } catch (err) {
      release()
      // Before the commit nothing outside the staging folder was touched: drop it, so a
      // failed run (no space, a file that cannot be read) leaves the profile as it was.
      if (!existsSync(path.join(this.staging, COMMIT_FILE))) removeDir(this.staging)
      throw err
    }
  }

  /**
   * Open the clear database, fold its WAL into the main file and hold its write lock, so the
   * bytes copied are the whole database and nobody appends to it while this run works.
   */
  private lockClearDatabase(): Database.Database {
    let db: Database.Database
    try {
      db = new Database(this.paths.database, { fileMustExist: true })
    } catch (err) {
      throw new EncryptInPlaceError(this.dataDir, `${this.paths.database} cannot be opened (${(err as Error).message})`, 'damaged')
    }
    try {
      db.pragma('busy_timeout = 2000')
      const wal = db.pragma('journal_mode', { simple: true }) === 'wal'
      for (let attempt = 0; ; attempt++) {
        if (wal) db.pragma('wal_checkpoint(TRUNCATE)')
        try {
          db.exec('BEGIN IMMEDIATE')
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_BUSY') {
            throw new EncryptInPlaceError(this.dataDir, 'the profile is open in another Tinjau (or being encrypted by one); close it and start again', 'busy')
          }
          throw err
        }
        // With the write lock held and the WAL empty, the main file is the whole database.
        const walFile = `${this.paths.database}-wal`
        if (!wal || !existsSync(walFile) || statSync(walFile).size === 0) return db
        db.exec('ROLLBACK')
        if (attempt >= 5) throw new EncryptInPlaceError(this.dataDir, 'another program keeps writing to the profile; close it and start again', 'busy')
      }
    } catch (err) {
      db.close()
      throw err
    }
  }

  /**
   * Every clear file under media/ and packs/. Already encrypted ones are left as they are, and
   * so are an encrypting writer's temporaries (never clear; the media store removes them).
   */
  private planFiles(): PlannedFile[] {
    const out: PlannedFile[] = []
    const walk = (dir: string, rel: string) => {
      let entries
      try {
        entries = readdirSync(dir, { withFileTypes: true })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw err
      }
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = path.join(dir, e.name)
        const r = `${rel}/${e.name}`
        if (e.isDirectory()) walk(full, r)
        else if (e.isFile() && !isEncryptTempName(e.name) && !isEncryptedFile(full)) out.push({ rel: r, bytes: statSync(full).size })
      }
    }
    walk(this.paths.media, path.basename(this.paths.media))
    walk(this.paths.packs, path.basename(this.paths.packs))
    return out
  }

  private checkSpace(dbBytes: number, files: PlannedFile[]): void {
    // Each encrypted file grows by its header and a tag per 64 KiB; the database by its page reserve.
    const need = dbBytes * 1.05 + files.reduce((s, f) => s + f.bytes + HEADER_BYTES + TAG_BYTES * (Math.floor(f.bytes / CHUNK_BYTES) + 1) + 4096, 0)
    let free: number
    try {
      const s = statfsSync(this.dataDir)
      free = s.bavail * s.bsize
    } catch {
      return
    }
    if (free < need) {
      const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`
      throw new EncryptInPlaceError(this.dataDir, `needs ${mb(need)} free for the encrypted copy, and the disk has ${mb(free)}; nothing was changed`, 'no_space')
    }
  }

  /** A plain byte copy, in chunks (progress; the kill test stops between two), from a descriptor the caller closes after the connection. */
  private copyDatabase(src: number, dst: string, total: number): void {
    const out = openSync(dst, 'wx', 0o600)
    try {
      const buf = Buffer.allocUnsafe(COPY_CHUNK)
      let done = 0
      this.progress('database', 0, total)
      for (;;) {
        const n = readSync(src, buf, 0, buf.length, done)
        if (n === 0) break
        for (let w = 0; w < n; ) w += writeSync(out, buf, w, n - w, done + w)
        done += n
        this.progress('database', done, total)
        if (done < total) this.step('db-copy-chunk')
      }
      if (done !== total) throw new EncryptInPlaceError(this.dataDir, `${this.paths.database} changed size while being copied`, 'busy')
      fsyncSync(out)
    } finally {
      closeSync(out)
    }
  }

  private verifyDatabase(file: string, expected: Map<string, string>): void {
    if (isClearDatabase(file)) throw new EncryptInPlaceError(this.dataDir, 'the re-keyed copy of the database still has a clear header', 'verify_failed')
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      applyDbKey(db, this.keys)
      const check = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]
      if (check.length !== 1 || check[0]!.integrity_check !== 'ok') {
        throw new EncryptInPlaceError(
          this.dataDir,
          `the encrypted copy of the database fails integrity_check (${check
            .slice(0, 3)
            .map((r) => r.integrity_check)
            .join('; ')}); the clear profile was left as it was`,
          'verify_failed',
        )
      }
      const got = tableDigests(db)
      for (const [table, digest] of expected) {
        if (got.get(table) !== digest) {
          throw new EncryptInPlaceError(this.dataDir, `the encrypted copy of table ${table} differs from the clear one; the clear profile was left as it was`, 'verify_failed')
        }
      }
      if (got.size !== expected.size) throw new EncryptInPlaceError(this.dataDir, 'the encrypted copy of the database has other tables than the clear one', 'verify_failed')
    } finally {
      db.close()
    }
  }

  /** Encrypt one file into the staging folder while hashing its clear bytes; sync; check it decrypts to the same bytes. */
  private async stageFile(src: string, dst: string, size: number): Promise<void> {
    const hash = createHash('sha256')
    let seen = 0
    let signalled = false
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        hash.update(chunk)
        seen += chunk.length
        if (!signalled && seen < size) {
          signalled = true
          try {
            this.step('file-chunk')
          } catch (err) {
            return done(err as Error)
          }
        }
        done(null, chunk)
      },
    })
    const out = createWriteStream(dst, { flags: 'wx', mode: 0o600 })
    await pipeline(createReadStream(src, { highWaterMark: COPY_CHUNK }), tap, createEncryptStream(this.keys.files), out)
    const fd = openSync(dst, 'r+')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    const clearDigest = hash.digest('hex')
    if (seen !== size) throw new EncryptInPlaceError(this.dataDir, `${src} changed size while being encrypted`, 'busy')
    const enc = await openEncryptedFile(dst, this.keys.files)
    try {
      const check = createHash('sha256')
      for (let at = 0; at < enc.size; at += VERIFY_PIECE) check.update(await enc.read(at, Math.min(VERIFY_PIECE, enc.size - at)))
      if (enc.size !== size || check.digest('hex') !== clearDigest) {
        throw new EncryptInPlaceError(this.dataDir, `the encrypted copy of ${src} does not decrypt to the same bytes; the clear profile was left as it was`, 'verify_failed')
      }
    } finally {
      await enc.close()
    }
  }

  // ---------------------------------------------------------------- replace (after the commit)

  private readCommit(): CommitRecord {
    const file = path.join(this.staging, COMMIT_FILE)
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'))
    } catch (err) {
      throw new EncryptInPlaceError(this.dataDir, `${file} cannot be read (${(err as Error).message})`, 'commit_damaged')
    }
    const r = raw as Partial<CommitRecord> | null
    if (
      !r ||
      r.format !== COMMIT_FORMAT ||
      r.version !== 1 ||
      !Array.isArray(r.files) ||
      !r.files.every((f) => typeof f === 'string' && /^(media|packs)\/[^\\]+$/.test(f) && !f.split('/').includes('..')) ||
      typeof r.clear_db?.size !== 'number' ||
      typeof r.clear_db?.mtime_ms !== 'number'
    ) {
      throw new EncryptInPlaceError(this.dataDir, `${file} is not a ${COMMIT_FORMAT} version 1 record`, 'commit_damaged')
    }
    return r as CommitRecord
  }

  /**
   * Roll forward from the commit point. Idempotent: what is already moved is skipped. Returns
   * null (having dropped the staging folder) when the clear database changed since it was
   * copied, so the caller stages again rather than lose what was written.
   */
  private replace(record: CommitRecord): { files: number } | null {
    const t0 = performance.now()
    const db = this.paths.database
    const stagedDb = path.join(this.staging, path.basename(db))
    const total = record.files.length + 1
    let moved = 0
    this.progress('replacing', 0, total)
    if (existsSync(stagedDb)) {
      const wal = `${db}-wal`
      const walBytes = existsSync(wal) ? statSync(wal).size : 0
      let st: { size: number; mtimeMs: number } | null = null
      try {
        st = statSync(db)
      } catch {
        st = null
      }
      if (st && (walBytes > 0 || st.size !== record.clear_db.size || st.mtimeMs !== record.clear_db.mtime_ms)) {
        rmSync(path.join(this.staging, COMMIT_FILE))
        syncDir(this.staging)
        removeDir(this.staging)
        return null
      }
      // The WAL is empty (checked): its -shm index describes nothing worth keeping.
      rmSync(wal, { force: true })
      rmSync(`${db}-shm`, { force: true })
      renameSync(stagedDb, db)
      syncDir(this.dataDir)
      this.step('db-replaced')
    } else if (isClearDatabase(db)) {
      throw new EncryptInPlaceError(this.dataDir, `${COMMIT_FILE} is there but the encrypted database is not, and ${db} is still clear`, 'commit_damaged')
    }
    this.progress('replacing', ++moved, total)
    const dirs = new Set<string>()
    for (const rel of record.files) {
      const from = path.join(this.staging, ...rel.split('/'))
      const to = path.join(this.dataDir, ...rel.split('/'))
      if (existsSync(from)) {
        mkdirSync(path.dirname(to), { recursive: true })
        renameSync(from, to)
        dirs.add(path.dirname(to))
        this.step('file-replaced')
      }
      this.progress('replacing', ++moved, total)
    }
    for (const d of dirs) syncDir(d)
    this.step('replaced')
    // tmp/ holds only leftovers of interrupted imports and uploads, in the clear.
    if (existsSync(this.paths.tmp)) {
      for (const name of readdirSync(this.paths.tmp)) rmSync(path.join(this.paths.tmp, name), { recursive: true, force: true })
      syncDir(this.paths.tmp)
    }
    this.step('tmp-cleared')
    rmSync(path.join(this.staging, COMMIT_FILE), { force: true })
    syncDir(this.staging)
    this.step('commit-removed')
    removeDir(this.staging)
    this.step('done')
    this.progress('done', total, total)
    this.timed('replace', t0)
    return { files: record.files.length }
  }
}

/**
 * Each table's row count and a SHA-256 of its rows in key order, rowids included: re-keying
 * rebuilds the file (SQLite3 Multiple Ciphers vacuums it to make room for each page's IV and
 * MAC), and a table whose rowids moved would point the full-text index (keyed by the clips'
 * rowids) at other clips, so that must fail verification, not pass it. An empty
 * `sqlite_sequence` is left out: the vacuum makes that table only for the AUTOINCREMENT tables
 * there are, and since migration 0012 there are none, so the copy has no such table where the
 * clear file keeps an empty one.
 */
function tableDigests(db: Database.Database): Map<string, string> {
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
    .all() as { name: string; sql: string }[]
  const out = new Map<string, string>()
  for (const { name, sql } of tables) {
    const q = `"${name.replaceAll('"', '""')}"`
    let select: string
    if (/\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(sql)) {
      const pk = (db.pragma(`table_info(${q})`) as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk)
      select = `SELECT * FROM ${q} ORDER BY ${pk.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ')}`
    } else {
      select = `SELECT rowid, * FROM ${q} ORDER BY rowid`
    }
    const h = createHash('sha256')
    let rows = 0
    for (const row of db.prepare(select).raw().iterate() as IterableIterator<unknown[]>) {
      let text = ''
      for (const v of row) {
        if (v === null) text += 'n;'
        else if (Buffer.isBuffer(v)) {
          h.update(`${text}b${v.length};`)
          h.update(v)
          text = ''
        } else {
          const str = String(v)
          text += `${(typeof v)[0]}${str.length};${str}`
        }
      }
      h.update(`${text}\n`)
      rows++
    }
    if (name === 'sqlite_sequence' && rows === 0) continue
    out.set(name, `${rows}:${h.digest('hex')}`)
  }
  return out
}

/** Put the copy on the profile's cipher (keys.dbCipher) with the database key: SQLite3 Multiple Ciphers re-writes every page. */
function rekey(file: string, keys: ProfileKeys): void {
  const db = new Database(file, { fileMustExist: true })
  try {
    // A rollback journal, so the copy is one file again once re-keyed (the journal lives only during it).
    db.pragma('journal_mode = DELETE')
    db.pragma('synchronous = FULL')
    applyDbCipher(db, keys.dbCipher)
    db.pragma(`rekey = "x'${keys.db.toString('hex')}'"`)
  } finally {
    db.close()
  }
  const fd = openSync(file, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function writeDurably(file: string, text: string): void {
  writeFileAtomically(file, text, (tmp) => {
    renameSync(tmp, file)
    syncDir(path.dirname(file))
  })
}

function removeDir(dir: string): void {
  if (!existsSync(dir)) return
  rmSync(dir, { recursive: true, force: true })
  syncDir(path.dirname(dir))
}
