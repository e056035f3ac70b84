import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { snapshotRows } from '../testing/store-snapshot'
import { isEncryptedFile, openEncryptedFile } from './chunked-file'
import { ENCRYPTING_DIR, inPlaceState, isClearDatabase, type EncryptStep } from './encrypt-in-place'
import type { ProfileKeys } from './profile-keys'
import { unlockProfile } from './unlock-profile'

/**
 * SIGKILL at every step of encrypting a profile in place (encrypt-in-place.ts), in a real
 * child process (testing/encrypt-child.ts) that stops itself at a named step of the state
 * machine. After each kill: before the commit point, the clear profile is whole and opens
 * clear; after it, it is on its way to encrypted. Either way the next unlock finishes the
 * job and the encrypted profile holds every row (decisions, audit, outbox, …) and every
 * media object of the clear one, byte for byte. Some runs are killed a second time while
 * recovering.
 */

const ROOT = path.resolve(__dirname, '../../..')
const CHILD = path.join(__dirname, 'testing', 'encrypt-child.ts')
const PASS = 'correct horse battery'

/** Kill points, in the order the state machine reaches them; `n` counts repeated steps. */
const BEFORE_COMMIT: [EncryptStep, number][] = [
  ['locked', 1],
  ['staging-ready', 1],
  ['db-copy-chunk', 1],
  ['db-copied', 1],
  ['db-rekeyed', 1],
  ['db-verified', 1],
  ['file-chunk', 1],
  ['file-staged', 1],
  ['file-staged', 3],
  ['staged', 1],
]
const AFTER_COMMIT: [EncryptStep, number][] = [
  ['committed', 1],
  ['db-replaced', 1],
  ['file-replaced', 1],
  ['file-replaced', 3],
  ['replaced', 1],
  ['tmp-cleared', 1],
  ['commit-removed', 1],
  ['done', 1],
]

interface Template {
  dir: string
  rows: Record<string, unknown[]>
  media: Map<string, string> // sha256 → sha of the clear file as stored (the same)
  decisions: number
}

let template: Template
const dirs: string[] = []

beforeAll(async () => {
  const packDir = tempDir('tinjau-kill-pack-')
  dirs.push(packDir)
  // One media file of several read chunks (so a kill can land inside a file), two small ones.
  const media = [
    writeMedia(packDir, 'media/big.webm', randomBytes(3 * 1024 * 1024 + 123)),
    writeMedia(packDir, 'media/a.webm', randomBytes(5_000)),
    writeMedia(packDir, 'media/b.jpg', randomBytes(2_000), 'image/jpeg'),
  ]
  const clips = Array.from({ length: 1500 }, (_, i) => makeClip(`clip-${String(i).padStart(6, '0')}`, media[i % 2]!, { poster: media[2], priority: i % 101 }))
  writeManifest(packDir, makeManifest(clips, { pack_id: 'pk-kill-01' }))
  const t = openTestTinjau()
  dirs.push(t.dataDir)
  await t.handlers['pack.importDirectory']({ path: packDir })
  for (let i = 0; i < 40; i++) {
    const remove = i % 3 !== 0
    t.handlers['decision.record'](
      DecisionDraft.parse({ clipId: `clip-${String(i).padStart(6, '0')}`, categories: remove ? ['violence.arson'] : ['ok.commerce'], action: remove ? 'remove' : 'allow', rationale: remove ? `reason ${i}` : '' }),
    )
  }
  const rows = snapshotRows(t.store.sqlite)
  const shas = t.store.sqlite.prepare('SELECT sha256 FROM media_objects').pluck().all() as string[]
  t.close()
  // The kill inside the database copy needs a database of more than one copy chunk (1 MiB).
  expect(statSync(path.join(t.dataDir, 'tinjau.sqlite')).size).toBeGreaterThan(1024 * 1024)
  template = { dir: t.dataDir, rows, media: new Map(shas.map((s) => [s, s])), decisions: (rows.decisions ?? []).length }
  expect(template.decisions).toBe(40)
}, 120_000)

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function freshCopy(): string {
  const dir = tempDir('tinjau-kill-')
  dirs.push(dir)
  cpSync(template.dir, dir, { recursive: true })
  return dir
}

/** Run the child; resolves with how it ended. */
function runChild(dataDir: string, step: EncryptStep, n: number): Promise<{ signal: NodeJS.Signals | null; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, step, String(n)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve({ code, signal, out }))
  })
}

async function killAt(dataDir: string, step: EncryptStep, n: number): Promise<void> {
  const r = await runChild(dataDir, step, n)
  // A child that was not killed never reached the step: the kill point would be untested.
  expect(r.signal, `child at ${step} #${n}: ${r.out}`).toBe('SIGKILL')
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Before the commit: the clear profile is as it was — its rows, its clear media. */
function expectClearProfileWhole(dataDir: string): void {
  expect(isClearDatabase(path.join(dataDir, 'tinjau.sqlite'))).toBe(true)
  const db = new Database(path.join(dataDir, 'tinjau.sqlite'))
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(snapshotRows(db)).toEqual(template.rows)
  } finally {
    db.close()
  }
  for (const s of template.media.keys()) expect(sha(readFileSync(path.join(dataDir, 'media', s.slice(0, 2), s)))).toBe(s)
}

/** After recovery: encrypted through and through, every row and object there. */
async function expectEncryptedProfileWhole(dataDir: string, keys: ProfileKeys): Promise<void> {
  expect(existsSync(path.join(dataDir, ENCRYPTING_DIR))).toBe(false)
  expect(isClearDatabase(path.join(dataDir, 'tinjau.sqlite'))).toBe(false)
  for (const f of [...walk(path.join(dataDir, 'media')), ...walk(path.join(dataDir, 'packs'))]) expect(isEncryptedFile(f), f).toBe(true)
  expect(walk(path.join(dataDir, 'tmp'))).toEqual([])
  for (const s of template.media.keys()) {
    const f = await openEncryptedFile(path.join(dataDir, 'media', s.slice(0, 2), s), keys.files)
    try {
      expect(sha(await f.read(0, f.size))).toBe(s)
    } finally {
      await f.close()
    }
  }
  const t = openTestTinjau(dataDir, { keys })
  try {
    expect(t.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(snapshotRows(t.store.sqlite)).toEqual(template.rows)
    expect(t.handlers['clip.get']({ clipId: 'clip-000001' }).decisions[0]!.rationale).toBe('reason 1')
  } finally {
    t.close()
  }
}

async function recover(dataDir: string): Promise<ProfileKeys> {
  const u = await unlockProfile(dataDir, { passphrase: PASS })
  return u.keys
}

describe('encrypting in place survives SIGKILL at every step', () => {
  test.each(BEFORE_COMMIT)('killed at %s #%i (before the commit point): the clear profile is whole; the next start encrypts it', async (step, n) => {
    const dir = freshCopy()
    await killAt(dir, step, n)
    expect(['clear', 'staging']).toContain(inPlaceState(dir))
    expectClearProfileWhole(dir)
    await expectEncryptedProfileWhole(dir, await recover(dir))
  }, 60_000)

  test.each(AFTER_COMMIT)('killed at %s #%i (after the commit point): the next start finishes the encrypted profile', async (step, n) => {
    const dir = freshCopy()
    await killAt(dir, step, n)
    expect(inPlaceState(dir)).toBe(step === 'done' ? 'none' : step === 'commit-removed' ? 'staging' : 'committed')
    await expectEncryptedProfileWhole(dir, await recover(dir))
  }, 60_000)

  test('killed again while recovering (staging redone, then replacing resumed twice), nothing is lost', async () => {
    const dir = freshCopy()
    await killAt(dir, 'db-verified', 1)
    await killAt(dir, 'file-chunk', 1)
    expectClearProfileWhole(dir)
    await killAt(dir, 'committed', 1)
    await killAt(dir, 'file-replaced', 2)
    await killAt(dir, 'file-replaced', 1)
    await expectEncryptedProfileWhole(dir, await recover(dir))
  }, 90_000)

  test('a run not killed finishes in one go', async () => {
    const dir = freshCopy()
    const r = await runChild(dir, 'locked', 99)
    expect(r.signal).toBeNull()
    expect(r.out).toContain('finished encrypted')
    await expectEncryptedProfileWhole(dir, await recover(dir))
  }, 60_000)
})
