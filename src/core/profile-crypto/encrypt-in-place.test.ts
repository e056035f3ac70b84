import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { openStore } from '../store/open-store'
import { makePack, tempDir } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'
import { isEncryptedFile, openEncryptedFile } from './chunked-file'
import { COMMIT_FILE, ENCRYPTING_DIR, encryptProfileInPlace, EncryptInPlaceError, inPlaceState, type EncryptProgress, type EncryptStep } from './encrypt-in-place'
import type { ScryptParams } from './profile-key-file'
import { applyDbKey, SQLITE_CLEAR_HEADER } from './profile-keys'
import { unlockProfile } from './unlock-profile'

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'
const MIGRATIONS = path.resolve('resources/migrations')

let open: Tinjau[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

/** A clear profile (as before issue 15): an imported pack with media, three decisions; closed. */
async function clearProfile(): Promise<{ dataDir: string; rows: Record<string, unknown[]>; media: string[] }> {
  const t = openTestTinjau()
  await t.handlers['pack.importDirectory']({ path: makePack(40, { mediaCount: 3 }) })
  for (const [i, rationale] of ['first reason', 'second reason', 'third reason'].entries()) {
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: `clip-00000${i}`, categories: ['violence.arson'], action: 'remove', rationale }))
  }
  const rows = snapshotRows(t.store.sqlite)
  const media = t.store.sqlite.prepare('SELECT sha256 FROM media_objects ORDER BY sha256').pluck().all() as string[]
  t.close()
  return { dataDir: t.dataDir, rows, media }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

/** Every file of the data directory and the SHA-256 of its bytes. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(walk(dir).map((f) => [path.relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex')]))
}

async function decryptedSha(file: string, key: Buffer): Promise<string> {
  const f = await openEncryptedFile(file, key)
  try {
    return createHash('sha256')
      .update(await f.read(0, f.size))
      .digest('hex')
  } finally {
    await f.close()
  }
}

describe('encrypting a clear profile in place', () => {
  test('the first unlock encrypts the database, media and packs; every row reads back; the next unlock has nothing to do', async () => {
    const p = await clearProfile()
    const progress: EncryptProgress[] = []
    const steps: EncryptStep[] = []
    const unlocked = await unlockProfile(p.dataDir, { passphrase: PASS }, { scrypt: CHEAP, onProgress: (e) => progress.push(e), onStep: (s) => steps.push(s) })
    expect(unlocked.encryptedInPlace).toMatchObject({ outcome: 'encrypted', files: 4 })
    expect(readFileSync(path.join(p.dataDir, 'tinjau.sqlite')).subarray(0, 16).equals(SQLITE_CLEAR_HEADER)).toBe(false)
    expect(existsSync(path.join(p.dataDir, ENCRYPTING_DIR))).toBe(false)
    for (const sha of p.media) {
      const file = path.join(p.dataDir, 'media', sha.slice(0, 2), sha)
      expect(isEncryptedFile(file)).toBe(true)
      expect(await decryptedSha(file, unlocked.keys.files)).toBe(sha)
    }
    for (const f of walk(path.join(p.dataDir, 'packs'))) expect(isEncryptedFile(f)).toBe(true)
    expect(steps.filter((s) => s === 'file-staged')).toHaveLength(4)
    // prettier-ignore
    expect(steps.filter((s, i) => s !== steps[i - 1])).toEqual([
      'locked', 'staging-ready', 'db-copied', 'db-rekeyed', 'db-verified', 'file-staged', 'staged',
      'committed', 'db-replaced', 'file-replaced', 'replaced', 'tmp-cleared', 'commit-removed', 'done',
    ])
    expect(progress.map((e) => e.phase).filter((ph, i, all) => ph !== all[i - 1])).toEqual(['preparing', 'database', 'verifying', 'files', 'replacing', 'done'])
    expect(progress.at(-1)).toEqual({ phase: 'done', done: 5, total: 5 })
    expect(progress.filter((e) => e.phase === 'files').at(-1)).toMatchObject({ done: expect.any(Number) })

    const t = openTestTinjau(p.dataDir, { keys: unlocked.keys })
    open.push(t)
    expect(snapshotRows(t.store.sqlite)).toEqual(p.rows)
    expect(t.handlers['clip.get']({ clipId: 'clip-000001' }).decisions[0]!.rationale).toBe('second reason')
    t.close()
    open = []

    const again = await unlockProfile(p.dataDir, { passphrase: PASS })
    expect(again.encryptedInPlace).toBeUndefined()
    expect(again.keys.db.equals(unlocked.keys.db)).toBe(true)
  })

  test('openStore refuses a clear database with keys, and any data directory half-way through', async () => {
    const p = await clearProfile()
    const unlocked = await unlockProfile(tempDir(), { passphrase: PASS }, { scrypt: CHEAP })
    expect(() => openStore({ dataDir: p.dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })).toThrow(/is not encrypted yet; open it through unlockProfile/)
    mkdirSync(path.join(p.dataDir, ENCRYPTING_DIR))
    expect(() => openStore({ dataDir: p.dataDir, migrationsDir: MIGRATIONS })).toThrow(/is being encrypted in place/)
    expect(() => openStore({ dataDir: p.dataDir, migrationsDir: MIGRATIONS, keys: unlocked.keys })).toThrow(/is being encrypted in place/)
  })

  test('a profile open for writing elsewhere is refused, and nothing changes', async () => {
    const p = await clearProfile()
    const keys = (await unlockProfile(tempDir(), { passphrase: PASS }, { scrypt: CHEAP })).keys
    const before = contents(p.dataDir)
    const other = new Database(path.join(p.dataDir, 'tinjau.sqlite'))
    other.exec('BEGIN IMMEDIATE')
    const err = await encryptProfileInPlace(p.dataDir, keys).catch((e: unknown) => e)
    other.exec('ROLLBACK')
    other.close()
    expect(err).toBeInstanceOf(EncryptInPlaceError)
    expect((err as EncryptInPlaceError).code).toBe('busy')
    expect((err as Error).message).toMatch(/is open in another Tinjau/)
    expect(contents(p.dataDir)).toEqual(before)
    expect(inPlaceState(p.dataDir)).toBe('clear')
  })

  test.each([
    // (Outbox rows cannot be deleted: a trigger refuses it.)
    ['outbox', 'UPDATE outbox SET attempts = attempts + 1 WHERE seq = (SELECT min(seq) FROM outbox)'],
    // Same rows, one clip under another rowid: the full-text index would point elsewhere.
    ['clips', "UPDATE clips SET rowid = rowid + 1000000 WHERE id = 'clip-000005'"],
  ])('an encrypted copy that differs from the clear one (%s) fails verification; nothing changes', async (table, change) => {
    const p = await clearProfile()
    const keys = (await unlockProfile(tempDir(), { passphrase: PASS }, { scrypt: CHEAP })).keys
    const before = contents(p.dataDir)
    const err = await encryptProfileInPlace(p.dataDir, keys, {
      onStep: (s) => {
        if (s !== 'db-rekeyed') return
        const staged = new Database(path.join(p.dataDir, ENCRYPTING_DIR, 'tinjau.sqlite'))
        applyDbKey(staged, keys)
        staged.exec(change)
        staged.close()
      },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EncryptInPlaceError)
    expect((err as EncryptInPlaceError).code).toBe('verify_failed')
    expect((err as Error).message).toContain(`the encrypted copy of table ${table} differs from the clear one; the clear profile was left as it was`)
    expect(contents(p.dataDir)).toEqual(before)
    expect(inPlaceState(p.dataDir)).toBe('clear')
  })

  test('a damaged commit record is refused by name and nothing is replaced', async () => {
    const p = await clearProfile()
    const keys = (await unlockProfile(tempDir(), { passphrase: PASS }, { scrypt: CHEAP })).keys
    mkdirSync(path.join(p.dataDir, ENCRYPTING_DIR))
    writeFileSync(path.join(p.dataDir, ENCRYPTING_DIR, COMMIT_FILE), '{"format":"tinjau.encrypt-in-place","version":1,"files":["../../etc/passwd"]}')
    const before = readFileSync(path.join(p.dataDir, 'tinjau.sqlite'))
    await expect(encryptProfileInPlace(p.dataDir, keys)).rejects.toThrow(/commit\.json is not a tinjau\.encrypt-in-place version 1 record/)
    expect(readFileSync(path.join(p.dataDir, 'tinjau.sqlite')).equals(before)).toBe(true)
  })

  test('a clear database written to after the commit (by another program) is staged again, so nothing written is lost', async () => {
    const p = await clearProfile()
    const keys = (await unlockProfile(tempDir(), { passphrase: PASS }, { scrypt: CHEAP })).keys
    const crash = new Error('stopped at the commit')
    await expect(
      encryptProfileInPlace(p.dataDir, keys, {
        onStep: (s) => {
          if (s === 'committed') throw crash
        },
      }),
    ).rejects.toBe(crash)
    expect(inPlaceState(p.dataDir)).toBe('committed')
    const raw = new Database(path.join(p.dataDir, 'tinjau.sqlite'))
    raw.prepare("INSERT INTO settings (key, value) VALUES ('written-after-commit', 'kept')").run()
    raw.close()
    expect((await encryptProfileInPlace(p.dataDir, keys)).outcome).toBe('encrypted')
    const store = openStore({ dataDir: p.dataDir, migrationsDir: MIGRATIONS, keys })
    expect(store.sqlite.prepare("SELECT value FROM settings WHERE key = 'written-after-commit'").pluck().get()).toBe('kept')
    expect(store.sqlite.prepare('SELECT count(*) FROM decisions').pluck().get()).toBe(3)
    store.close()
  })
})
