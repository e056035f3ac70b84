import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { addAbortSignal, PassThrough, Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { ManifestStore } from './manifest-store'
import { MediaStore } from './media-store'
import { isEncryptedFile } from './profile-crypto/chunked-file'
import { sha256, tempDir } from './testing/make-pack'

function store(): { media: MediaStore; tmp: string } {
  const root = tempDir('tinjau-media-')
  const tmp = path.join(root, 'tmp')
  mkdirSync(path.join(root, 'media'))
  mkdirSync(tmp)
  return { media: new MediaStore(path.join(root, 'media'), tmp), tmp }
}

test('a copy stopped before its staging file was even opened leaves no file behind', async () => {
  const { media, tmp } = store()
  // Many at once, each failing on its first tick: the staging files' opens are still on
  // the thread pool when the copies fail.
  const failing = Array.from({ length: 20 }, () =>
    media.stage(
      new Readable({
        read() {
          this.destroy(new Error('stopped'))
        },
      }),
      1024,
    ),
  )
  const results = await Promise.allSettled(failing)
  expect(results.every((r) => r.status === 'rejected')).toBe(true)
  expect(readdirSync(tmp)).toEqual([])
})

test('a copy aborted as it starts (an import refused or cancelled meanwhile) leaves no file behind', async () => {
  const { media, tmp } = store()
  const stop = new AbortController()
  const copies = Array.from({ length: 20 }, () => {
    const counted = new PassThrough()
    addAbortSignal(stop.signal, counted)
    counted.write(Buffer.alloc(10))
    return media.stage(counted, 1024)
  })
  stop.abort()
  const results = await Promise.allSettled(copies)
  expect(results.every((r) => r.status === 'rejected')).toBe(true)
  expect(readdirSync(tmp)).toEqual([])
})

test('a copy over its byte limit is refused and removed', async () => {
  const { media, tmp } = store()
  await expect(media.stage(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toThrow(/more than 1000 bytes/)
  expect(readdirSync(tmp)).toEqual([])
})

describe('with a files key (an encrypted profile)', () => {
  const key = randomBytes(32)
  function sealedStore(): { media: MediaStore; manifests: ManifestStore; tmp: string; root: string } {
    const root = tempDir('tinjau-media-enc-')
    const tmp = path.join(root, 'tmp')
    return { media: new MediaStore(path.join(root, 'media'), tmp, key), manifests: new ManifestStore(path.join(root, 'packs'), tmp, key), tmp, root }
  }
  const clear = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.from(`frame ${i} of a clip that must stay secret `.repeat(40))))

  test('staging hashes and counts the clear bytes, writes only encrypted bytes, and reads back through open/size', async () => {
    const { media, tmp } = sealedStore()
    // Pieces of odd sizes, as a zip entry or a network stream hands them over.
    const pieces = Array.from({ length: Math.ceil(clear.length / 7777) }, (_, i) => clear.subarray(i * 7777, (i + 1) * 7777))
    const staged = await media.stage(Readable.from(pieces), clear.length)
    expect(staged.sha256).toBe(sha256(clear))
    expect(staged.bytes).toBe(clear.length)
    expect(isEncryptedFile(staged.tmpPath)).toBe(true)
    expect(readFileSync(staged.tmpPath).includes(Buffer.from('must stay secret'))).toBe(false)
    expect(await media.commit(staged)).toBe(true)
    expect(readdirSync(tmp)).toEqual([])
    expect(media.size(staged.sha256)).toBe(clear.length)
    const reader = (await media.open(staged.sha256))!
    expect((await reader.read(0, reader.size)).equals(clear)).toBe(true)
    expect((await reader.read(100_000, 5)).equals(clear.subarray(100_000, 100_005))).toBe(true)
    await reader.close()
    expect(await media.open('0'.repeat(64))).toBeNull()
    expect(media.size('0'.repeat(64))).toBeNull()
    expect(await media.open('../../etc/passwd')).toBeNull()
  })

  test('a clear file in an encrypted store is refused, not served', async () => {
    const { media } = sealedStore()
    const sha = sha256(clear)
    const p = media.pathFor(sha)!
    mkdirSync(path.dirname(p), { recursive: true })
    writeFileSync(p, clear)
    await expect(media.open(sha)).rejects.toThrow(/is not an encrypted Tinjau file/)
  })

  test('a failed encrypted staging (over its limit) leaves nothing behind', async () => {
    const { media, tmp } = sealedStore()
    await expect(media.stage(Readable.from([clear]), 1000)).rejects.toThrow(/more than 1000 bytes/)
    expect(readdirSync(tmp)).toEqual([])
  })

  test('pack.json files are saved encrypted; byte ranges and sizes are of the clear JSON; damage names the file', async () => {
    const { manifests } = sealedStore()
    const json = Buffer.from(JSON.stringify({ clips: Array.from({ length: 3000 }, (_, i) => ({ id: `clip-${i}`, title: `judul rahasia ${i}` })) }))
    const sha = sha256(json)
    expect(await manifests.save(sha, json)).toBe(true)
    const file = manifests.pathFor(sha)
    expect(isEncryptedFile(file)).toBe(true)
    expect(readFileSync(file).includes(Buffer.from('judul rahasia'))).toBe(false)
    expect(manifests.size(sha)).toBe(json.length)
    const at = json.indexOf('clip-2999')
    expect(manifests.read(sha, at, 9).toString()).toBe('clip-2999')
    const reader = manifests.openReader(sha)
    expect(reader.readSync(0, json.length).equals(json)).toBe(true)
    reader.closeSync()
    expect(() => manifests.read(sha, json.length - 2, 5)).toThrow(/ends before byte/)
    const bytes = readFileSync(file)
    bytes[bytes.length - 30]! ^= 0xff
    writeFileSync(file, bytes)
    expect(() => manifests.read(sha, at, 9)).toThrow(new RegExp(`${sha}\\.json: chunk \\d+ of \\d+ does not authenticate`))
  })
})

test('clearStaging removes staging leftovers and unrenamed encryption temps, and keeps partial downloads', () => {
  const { media, tmp } = store()
  for (const name of ['stage-0011aabb', '.sync-ab.part.enc-0123456789ab', 'sync-ab.part', '.sync-ab.part.enc-nothex']) writeFileSync(path.join(tmp, name), 'x')
  media.clearStaging()
  expect(readdirSync(tmp).sort()).toEqual(['.sync-ab.part.enc-nothex', 'sync-ab.part'])
})
