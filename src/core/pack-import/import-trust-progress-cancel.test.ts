import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, describe, expect, test } from 'vitest'
import { TinjauError } from '../../shared/errors'
import { MediaStore, type StagedMedia } from '../media-store'
import { WriteGate } from '../write-gate'
import { getImportSettings, setTrustedIssuerKeys } from '../settings'
import { refusedWithoutChangeAsync } from '../testing/expect-refused'
import { makeClip, makeManifest, makePack, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { zipDirectory } from '../testing/make-zip'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { snapshotFiles, snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'
import { importPack, type ImportContext, type ImportProgressUpdate } from './import-pack'
import { ProgressReporter } from './import-progress'

/**
 * Trusted issuer keys, progress reports and cancelling, for folder and zip packs alike.
 * A cancelled import, wherever it is stopped, leaves the store and the data directory as
 * they were, like a refused one.
 */

type TestTinjau = Tinjau & { dataDir: string }
let open: TestTinjau[] = []
function profile(): TestTinjau {
  const t = openTestTinjau()
  open.push(t)
  return t
}
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function ctxOf(t: TestTinjau, more: Partial<ImportContext> = {}): ImportContext {
  return { store: t.store, media: t.media, manifests: t.manifests, gate: t.gate, identity: t.identity, settings: getImportSettings(t.store.sqlite), ...more }
}
const importSource = (t: TestTinjau, source: string, more: Partial<ImportContext> = {}) => importPack(ctxOf(t, more), source)

function issuer(): { key: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return { key: `ed25519:${Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`, privateKey }
}

/** A two-clip pack folder, signed by `by` when given. */
function packSignedBy(by: { key: string; privateKey: KeyObject } | null, packId = 'pk-test-01'): string {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('A'.repeat(4000)))
  writeManifest(root, makeManifest([makeClip('clip-a', media), makeClip('clip-b', media)], { pack_id: packId, ...(by ? { issuer: { name: 'T&S', public_key: by.key } } : {}) }))
  if (by) writeFileSync(path.join(root, 'pack.sig'), sign(null, readFileSync(path.join(root, 'pack.json')), by.privateKey))
  return root
}

const asFolder = (dir: string) => dir
const asZip = (dir: string) => zipDirectory(dir)

describe.each([
  ['folder', asFolder],
  ['zip', asZip],
])('trusted issuer keys (%s pack)', (_kind, as) => {
  test('with none set, any issuer whose signature verifies is accepted, and unsigned packs too', async () => {
    const t = profile()
    await expect(importSource(t, as(packSignedBy(issuer())))).resolves.toMatchObject({ added: 2 })
    await expect(importSource(t, as(packSignedBy(null, 'pk-unsigned')))).resolves.toMatchObject({ clips: 2 })
  })

  test('a pack signed by a trusted key is accepted', async () => {
    const t = profile()
    const trusted = issuer()
    setTrustedIssuerKeys(t.store.sqlite, [issuer().key, trusted.key])
    await expect(importSource(t, as(packSignedBy(trusted)))).resolves.toMatchObject({ added: 2 })
    expect(t.store.sqlite.prepare('SELECT signed, issuer_key FROM packs').get()).toEqual({ signed: 1, issuer_key: trusted.key })
  })

  test('a pack signed by another key is refused, naming that key', async () => {
    const t = profile()
    setTrustedIssuerKeys(t.store.sqlite, [issuer().key])
    const other = issuer()
    const err = await refusedWithoutChangeAsync(t, () => importSource(t, as(packSignedBy(other))))
    expect(err.code).toBe('invalid_pack')
    expect(err.message).toBe(
      `issuer.public_key: the pack is signed by ${other.key}, which is not one of this profile's trusted issuer keys (setting import.trusted_issuer_keys)`,
    )
  })

  test('an unsigned pack is refused when only trusted signers are allowed, even with unsigned packs allowed', async () => {
    const t = profile()
    setTrustedIssuerKeys(t.store.sqlite, [issuer().key])
    expect(getImportSettings(t.store.sqlite).allowUnsigned).toBe(true)
    const err = await refusedWithoutChangeAsync(t, () => importSource(t, as(packSignedBy(null))))
    expect(err.message).toBe(
      'the pack is unsigned (no pack.sig) and this profile accepts only packs signed by a trusted issuer key (setting import.trusted_issuer_keys)',
    )
  })

  test('a trusted key does not excuse a signature that does not verify', async () => {
    const t = profile()
    const trusted = issuer()
    setTrustedIssuerKeys(t.store.sqlite, [trusted.key])
    const dir = packSignedBy(trusted)
    writeFileSync(path.join(dir, 'pack.sig'), Buffer.alloc(64, 1))
    const err = await refusedWithoutChangeAsync(t, () => importSource(t, as(dir)))
    expect(err.message).toMatch(/^pack\.sig does not verify against issuer\.public_key/)
  })
})

/** Every update of one import, checked for order and consistency. */
function recorder() {
  const updates: ImportProgressUpdate[] = []
  const onProgress = (p: ImportProgressUpdate) => updates.push(p)
  const check = () => {
    const order = ['reading', 'clips', 'media', 'saving']
    for (let i = 1; i < updates.length; i++) {
      const [a, b] = [updates[i - 1]!, updates[i]!]
      expect(order.indexOf(b.phase)).toBeGreaterThanOrEqual(order.indexOf(a.phase))
      for (const k of ['clips', 'files', 'bytes'] as const) {
        expect(b[k].done).toBeGreaterThanOrEqual(a[k].done)
        if (b[k].total !== null) expect(b[k].done).toBeLessThanOrEqual(b[k].total!)
      }
    }
    return updates
  }
  return { onProgress, check }
}

describe('progress', () => {
  test('a folder pack: every phase is reported once it starts, and the counts end complete', async () => {
    const t = profile()
    const dir = makePack(30, { mediaCount: 4 })
    const { onProgress, check } = recorder()
    await importSource(t, dir, { onProgress, threads: 0, chunkClips: 5 })
    const updates = check()
    expect([...new Set(updates.map((u) => u.phase))]).toEqual(['reading', 'clips', 'media', 'saving'])
    expect(updates[0]).toEqual({ phase: 'reading', clips: { done: 0, total: null }, files: { done: 0, total: null }, bytes: { done: 0, total: null } })
    const mediaBytes = [0, 1, 2, 3].reduce((sum, i) => sum + statSync(path.join(dir, 'media', `clip-${i}.webm`)).size, 0)
    const all = statSync(path.join(dir, 'pack.json')).size + mediaBytes
    expect(updates.at(-1)).toEqual({ phase: 'saving', clips: { done: 30, total: 30 }, files: { done: 4, total: 4 }, bytes: { done: all, total: all } })
  })

  test('a zip pack: the bytes to read are known from the central directory before anything is read', async () => {
    const t = profile()
    const dir = makePack(10, { mediaCount: 2 })
    const { onProgress, check } = recorder()
    await importSource(t, zipDirectory(dir), { onProgress })
    const updates = check()
    const all = statSync(path.join(dir, 'pack.json')).size + 2 * statSync(path.join(dir, 'media', 'clip-0.webm')).size
    // Known once the central directory is listed, before any byte of an entry is read.
    expect(updates[0]).toMatchObject({ phase: 'reading', bytes: { done: 0 } })
    const known = updates.filter((u) => u.bytes.total !== null)
    expect(known.length).toBeGreaterThan(0)
    for (const u of known) expect(u.bytes.total).toBe(all)
    expect(updates.at(-1)).toEqual({ phase: 'saving', clips: { done: 10, total: 10 }, files: { done: 2, total: 2 }, bytes: { done: all, total: all } })
  })

  test('updates are throttled to one per ~100 ms, besides one as each phase starts', () => {
    let now = 0
    const heard: ImportProgressUpdate[] = []
    const p = new ProgressReporter((u) => heard.push(u), () => now)
    p.enter('reading')
    for (let i = 0; i < 50; i++) {
      now += 10
      p.addBytes(1)
    }
    // 500 ms of changes every 10 ms: the phase start, then one per 100 ms.
    expect(heard.map((u) => u.bytes.done)).toEqual([0, 10, 20, 30, 40, 50])
    p.enter('clips')
    p.addClips(3)
    expect(heard.at(-1)).toMatchObject({ phase: 'clips', clips: { done: 0 } })
    expect(heard).toHaveLength(7)
  })

  test('a listener that throws does not break the import', async () => {
    const t = profile()
    const summary = await importSource(t, makePack(3), {
      onProgress: () => {
        throw new Error('listener broke')
      },
    })
    expect(summary.added).toBe(3)
  })
})

/** A media store that cancels the import once it has received the first piece of a file. */
class CancelMidCopy extends MediaStore {
  bytesSeen = 0
  constructor(
    inner: MediaStore,
    private readonly controller: AbortController,
  ) {
    super(inner.root, inner.tmpDir)
  }

  override stage(source: NodeJS.ReadableStream | string, maxBytes: number): Promise<StagedMedia> {
    if (typeof source !== 'string') {
      source.on('data', (chunk: Buffer) => {
        this.bytesSeen += chunk.length
        this.controller.abort()
      })
    }
    return super.stage(source, maxBytes)
  }
}

async function expectCancelled(t: TestTinjau, act: () => Promise<unknown>): Promise<void> {
  const err = await refusedWithoutChangeAsync(t, act)
  expect(err).toBeInstanceOf(TinjauError)
  expect(err.code).toBe('cancelled')
  expect(err.message).toBe('the import was cancelled; nothing was changed')
}

describe.each([
  ['folder', asFolder],
  ['zip', asZip],
])('cancelling (%s pack) leaves nothing behind', (_kind, as) => {
  test('before it starts', async () => {
    const t = profile()
    const controller = new AbortController()
    controller.abort()
    await expectCancelled(t, () => importSource(t, as(makePack(5)), { signal: controller.signal }))
  })

  test.each(['reading', 'clips', 'media', 'saving'] as const)('as the %s phase starts', async (phase) => {
    const t = profile()
    await importSource(t, as(makePack(4, { packId: 'pk-before', mediaCount: 2 })))
    const controller = new AbortController()
    const onProgress = (p: ImportProgressUpdate) => {
      if (p.phase === phase) controller.abort()
    }
    const pack = as(makePack(40, { mediaCount: 5 }))
    await expectCancelled(t, () => importSource(t, pack, { signal: controller.signal, onProgress, threads: 0, chunkClips: 4 }))
    // Nothing half-done stands in the way of importing it after all.
    await expect(importSource(t, pack)).resolves.toMatchObject({ clips: 40, added: 36, alreadyImported: false })
  })

  test('while clips are being written', async () => {
    const t = profile()
    const controller = new AbortController()
    const importing = importSource(t, as(makePack(300)), { signal: controller.signal, threads: 0, chunkClips: 1 })
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    // The import's own connection sees its rows before they are committed.
    const written = t.store.sqlite.prepare('SELECT count(*) FROM clips').pluck()
    while ((written.get() as number) < 20) await nextTurn()
    controller.abort()
    const err = await importing.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TinjauError)
    expect((err as TinjauError).code).toBe('cancelled')
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  })

  test('in the middle of copying a media file: the copy stops and its partial file is removed', async () => {
    const t = profile()
    const root = tempDir('tinjau-pack-')
    const big = writeMedia(root, 'media/big.webm', randomBytes(8 * 1024 * 1024))
    writeManifest(root, makeManifest([makeClip('clip-a', big)]))
    const controller = new AbortController()
    const media = new CancelMidCopy(t.media, controller)
    const source = as === asZip ? zipDirectory(root, { method: 'stored' }) : root
    await expectCancelled(t, () => importSource(t, source, { media, signal: controller.signal }))
    expect(media.bytesSeen).toBeGreaterThan(0)
    expect(media.bytesSeen).toBeLessThan(big.bytes)
  })
})

describe('cancelling an import that waits for another to finish writing', () => {
  test('stops at once, without waiting for the write gate', async () => {
    const t = profile()
    let asked!: () => void
    const waiting = new Promise<void>((resolve) => (asked = resolve))
    class WatchedGate extends WriteGate {
      watching = false
      override acquire(): Promise<() => void> {
        if (this.watching) asked()
        return super.acquire()
      }
    }
    const gate = new WatchedGate()
    const holder = await gate.acquire()
    gate.watching = true
    const controller = new AbortController()
    const rows = snapshotRows(t.store.sqlite)
    const importing = importSource(t, zipDirectory(makePack(5)), { gate, signal: controller.signal })
    await waiting
    controller.abort()
    await expect(importing).rejects.toMatchObject({ code: 'cancelled' })
    expect(gate.busy).toBe(true)
    holder()
    // The cancelled import's turn comes, and it hands the gate straight back.
    await nextTurn()
    expect(gate.busy).toBe(false)
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
  })
})

