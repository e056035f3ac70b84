import { generateKeyPairSync, sign } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { getImportSettings, setSetting } from '../settings'
import { refusedWithoutChangeAsync } from '../testing/expect-refused'
import { makeClip, makeManifest, makePack, sha256, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { S_IFIFO, S_IFLNK, writeZip, zipDirectory, type ZipEntrySpec } from '../testing/make-zip'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { snapshotFiles, snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'
import { importPack, type ImportContext } from './import-pack'

/**
 * Zip packs: the same pack as a folder and as a zip (stored or deflated) imports to the same
 * rows and media; a hostile zip is refused with an error naming the rule and the entry (or
 * the clip and field), and changes nothing in the store or the data directory.
 */

type TestTinjau = Tinjau & { dataDir: string }
let open: TestTinjau[] = []
const clock = () => new Date('2025-09-05T00:00:00.000Z')
function profile(): TestTinjau {
  const t = openTestTinjau(tempDir('tinjau-data-'), { now: clock })
  open.push(t)
  return t
}
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function ctxOf(t: TestTinjau, more: Partial<ImportContext> = {}): ImportContext {
  return { store: t.store, media: t.media, manifests: t.manifests, gate: t.gate, identity: t.identity, settings: getImportSettings(t.store.sqlite), now: clock, ...more }
}

const importSource = (t: TestTinjau, source: string, more: Partial<ImportContext> = {}) => importPack(ctxOf(t, more), source)

const A_BYTES = Buffer.from('A'.repeat(4000))

/** A pack folder with one media file and the given clips (defaults: two valid clips). */
function packWith(mutate: (clips: Record<string, any>[], root: string) => unknown = () => {}, manifestOverrides = {}): string {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', A_BYTES)
  const clips = [makeClip('clip-a', media), makeClip('clip-b', media)]
  mutate(clips, root)
  writeManifest(root, makeManifest(clips, manifestOverrides))
  return root
}

/** The default pack, zipped, with its entries changed by `change`. */
function zipWith(change: (entries: ZipEntrySpec[]) => ZipEntrySpec[] | void, dir = packWith()): string {
  return zipDirectory(dir, { change })
}

function entry(entries: ZipEntrySpec[], name: string): ZipEntrySpec {
  const found = entries.find((e) => e.name === name)
  if (!found) throw new Error(`no entry ${name}`)
  return found
}

async function expectRefused(t: TestTinjau, file: string, message: RegExp) {
  const err = await refusedWithoutChangeAsync(t, () => importSource(t, file))
  expect(err.code).toBe('invalid_pack')
  expect(err.message).toMatch(message)
  // Nothing was extracted next to the zip either.
  expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)])
  return err
}

const tables = (t: Tinjau) => {
  const { audit_log: _audit, settings: _settings, ...rest } = snapshotRows(t.store.sqlite)
  return rest
}

describe('importing a valid zip pack', () => {
  test('stored and deflated zips import exactly what the same pack imports as a folder', async () => {
    const dir = makePack(12, { mediaCount: 3 })
    const fromDir = profile()
    const fromStored = profile()
    const fromDeflated = profile()
    const a = await importSource(fromDir, dir)
    const b = await importSource(fromStored, zipDirectory(dir, { method: 'stored' }))
    const c = await importSource(fromDeflated, zipDirectory(dir, { method: 'deflate' }))
    expect(a).toMatchObject({ clips: 12, added: 12, mediaAdded: 3, alreadyImported: false })
    expect(b).toEqual(a)
    expect(c).toEqual(a)
    expect(tables(fromStored)).toEqual(tables(fromDir))
    expect(tables(fromDeflated)).toEqual(tables(fromDir))
    expect(snapshotFiles(fromStored.dataDir)).toEqual(snapshotFiles(fromDir.dataDir))
    expect(snapshotFiles(fromDeflated.dataDir)).toEqual(snapshotFiles(fromDir.dataDir))
    const bytes = readFileSync(path.join(dir, 'pack.json'))
    expect(readFileSync(path.join(fromDeflated.dataDir, 'packs', `${sha256(bytes)}.json`)).equals(bytes)).toBe(true)
    for (const { sha256: sha } of fromDeflated.store.sqlite.prepare('SELECT sha256 FROM media_objects').all() as { sha256: string }[]) {
      expect(sha256(readFileSync(path.join(fromDeflated.dataDir, 'media', sha.slice(0, 2), sha)))).toBe(sha)
    }
    expect(fromDeflated.store.sqlite.prepare('SELECT kind FROM audit_log').pluck().all()).toEqual(['pack.imported'])
  })

  test('on worker threads, in small chunks, too', async () => {
    const dir = makePack(20, { mediaCount: 3 })
    const inline = profile()
    const threaded = profile()
    await importSource(inline, dir, { threads: 0 })
    await importSource(threaded, zipDirectory(dir), { threads: 2, chunkClips: 3 })
    expect(tables(threaded)).toEqual(tables(inline))
  })

  test('a pack.json of more than one read piece (over 8 MiB), hashed and parsed on worker threads as it inflates', async () => {
    const dir = makePack(10_000, { mediaCount: 4 })
    expect(readFileSync(path.join(dir, 'pack.json')).length).toBeGreaterThan(8 * 1024 * 1024)
    const inline = profile()
    const threaded = profile()
    const a = await importSource(inline, dir, { threads: 0 })
    const b = await importSource(threaded, zipDirectory(dir))
    expect(b).toEqual(a)
    expect(tables(threaded)).toEqual(tables(inline))
    expect(threaded.manifests.list()).toEqual([sha256(readFileSync(path.join(dir, 'pack.json')))])
  }, 60_000)

  test('the same zip twice, or the zip of a folder already imported, changes nothing', async () => {
    const t = profile()
    const dir = makePack(5)
    const zip = zipDirectory(dir)
    await importSource(t, zip)
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    await expect(importSource(t, zip)).resolves.toMatchObject({ alreadyImported: true, added: 0, updated: 0 })
    await expect(importSource(t, dir)).resolves.toMatchObject({ alreadyImported: true })
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  })

  test('a newer zip pack with the same clip ids updates metadata and never touches decisions', async () => {
    const t = profile()
    await importSource(t, zipDirectory(packWith()))
    const decision = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-a', categories: ['violence.arson'], action: 'remove', rationale: 'urges burning' }))
    const decisionsBefore = t.store.sqlite.prepare('SELECT * FROM decisions').all()
    const newer = packWith((clips) => {
      clips[0]!.stream.title = 'Renamed stream'
      clips[1]!.priority = 99
    })
    const summary = await importSource(t, zipDirectory(newer, { method: 'stored' }))
    expect(summary).toMatchObject({ added: 0, updated: 2, alreadyImported: false })
    const clip = t.handlers['clip.get']({ clipId: 'clip-a' })
    expect(clip.stream.title).toBe('Renamed stream')
    expect(clip.status).toBe('decided')
    expect(clip.decisions.map((d) => d.id)).toEqual([decision.id])
    expect(t.store.sqlite.prepare('SELECT * FROM decisions').all()).toEqual(decisionsBefore)
  })

  test('a signed zip verifies against its issuer key', async () => {
    const t = profile()
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')
    const dir = packWith(() => {}, { issuer: { name: 'T&S Jakarta', public_key: `ed25519:${raw}` } })
    writeFileSync(path.join(dir, 'pack.sig'), sign(null, readFileSync(path.join(dir, 'pack.json')), privateKey))
    await expect(importSource(t, zipDirectory(dir))).resolves.toMatchObject({ added: 2 })
    expect(t.store.sqlite.prepare('SELECT signed FROM packs').pluck().get()).toBe(1)
  })

  test('entries no clip names are skipped unread, and small highly compressible files pass the ratio rule', async () => {
    const t = profile()
    const zip = zipWith((entries) => {
      entries.push({ name: 'notes/zeros.txt', data: Buffer.alloc(1024 * 1024) })
      entries.push({ name: 'README.md', data: 'made by the field team', method: 'stored' })
    })
    await expect(importSource(t, zip)).resolves.toMatchObject({ added: 2, mediaAdded: 1 })
  })

  test('a pack is recognised as a zip by its first bytes, whatever its name', async () => {
    const t = profile()
    const zip = zipDirectory(packWith())
    const renamed = path.join(path.dirname(zip), 'pack.bin')
    writeFileSync(renamed, readFileSync(zip))
    await expect(importSource(t, renamed)).resolves.toMatchObject({ added: 2 })
  })
})

describe('refusing a hostile zip changes nothing', () => {
  test('entry names that could point outside the pack (zip-slip)', async () => {
    const t = profile()
    const withEntry = (name: string | Buffer) => zipWith((entries) => void entries.push({ name, data: 'x', method: 'stored' }))
    await expectRefused(t, withEntry('../x'), /^zip entry "\.\.\/x" has a "\.\." segment, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('a/../../x'), /^zip entry "a\/\.\.\/\.\.\/x" has a "\.\." segment, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('/etc/x'), /^zip entry "\/etc\/x" is an absolute path, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('C:/x'), /^zip entry "C:\/x" starts with a drive letter, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('C:\\x'), /^zip entry "C:\\x" starts with a drive letter, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('media\\..\\..\\x'), /^zip entry "media\\\.\.\\\.\.\\x" contains a backslash, so it could point outside the pack \(zip-slip\)$/)
    await expectRefused(t, withEntry('media\\b.webm'), /^zip entry "media\\b\.webm" contains a backslash/)
    await expectRefused(t, withEntry(Buffer.from('media/a.webm\u0000.txt')), /^zip entry "media\/a\.webm\\u0000\.txt" contains a NUL character/)
  })

  test('the media file a clip names, as a zip-slip name', async () => {
    const t = profile()
    const dir = packWith()
    await expectRefused(
      t,
      zipWith((entries) => void (entry(entries, 'media/a.webm').name = '../media/a.webm'), dir),
      /^zip entry "\.\.\/media\/a\.webm" has a "\.\." segment/,
    )
  })

  test('symbolic links and special files, named by a clip or not', async () => {
    const t = profile()
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/link.webm', data: '/etc/passwd', method: 'stored', unixMode: S_IFLNK | 0o777 })),
      /^zip entry "media\/link\.webm" is a symbolic link, which packs may not contain$/,
    )
    const named = packWith((c) => (c[1]!.media = { ...c[1]!.media, path: 'media/link.webm' }))
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/link.webm', data: '../../secret', method: 'stored', unixMode: S_IFLNK | 0o777 }), named),
      /^zip entry "media\/link\.webm" is a symbolic link/,
    )
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/fifo', method: 'stored', unixMode: S_IFIFO | 0o644 })),
      /^zip entry "media\/fifo" is a special file/,
    )
  })

  test('duplicate entry names', async () => {
    const t = profile()
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/a.webm', data: 'B'.repeat(4000) })),
      /^zip entry "media\/a\.webm" appears twice in the zip: a pack's entry names must be unique$/,
    )
    await expectRefused(t, zipWith((entries) => void entries.push({ name: 'pack.json', data: '{}' })), /^zip entry "pack\.json" appears twice/)
  })

  test('encrypted entries and compression methods other than stored and deflate', async () => {
    const t = profile()
    await expectRefused(t, zipWith((entries) => void (entry(entries, 'media/a.webm').flags = 1)), /^zip entry "media\/a\.webm" is encrypted, which packs may not be$/)
    await expectRefused(
      t,
      zipWith((entries) => void Object.assign(entry(entries, 'media/a.webm'), { method: 12 })),
      /^zip entry "media\/a\.webm" uses compression method 12; packs may use only stored \(0\) or deflate \(8\)$/,
    )
    await expectRefused(t, zipWith((entries) => void Object.assign(entry(entries, 'pack.json'), { method: 99 })), /^zip entry "pack\.json" uses compression method 99/)
  })

  test('pack.json missing at the root', async () => {
    const t = profile()
    await expectRefused(t, zipWith((entries) => entries.filter((e) => e.name !== 'pack.json')), /^pack\.json is missing at the root of the zip .*pack\.zip$/)
    await expectRefused(
      t,
      zipWith((entries) => entries.map((e) => ({ ...e, name: `field-pack/${String(e.name)}` }))),
      /pack\.json is missing at the root of the zip .*pack\.zip \(it has "field-pack\/pack\.json": zip the pack folder's contents, not the folder\)/,
    )
  })

  test('a clip naming a missing entry or a folder', async () => {
    const t = profile()
    await expectRefused(
      t,
      zipDirectory(packWith((c) => (c[1]!.media = { ...c[1]!.media, path: 'media/missing.webm' }))),
      /^clips\[1\] \(id "clip-b"\) media\.path: "media\/missing\.webm" does not exist in the pack$/,
    )
    await expectRefused(
      t,
      zipWith(
        (entries) => void entries.push({ name: 'media/dir.webm/', method: 'stored' }),
        packWith((c) => (c[0]!.media = { ...c[0]!.media, path: 'media/dir.webm' })),
      ),
      /^clips\[0\] \(id "clip-a"\) media\.path: "media\/dir\.webm" is not a regular file$/,
    )
  })

  test('hash mismatch and size mismatch', async () => {
    const t = profile()
    await expectRefused(
      t,
      zipDirectory(
        packWith((c) => {
          for (const clip of c) clip.media = { ...clip.media, sha256: 'f'.repeat(64) }
        }),
      ),
      /^clips\[0\] \(id "clip-a"\) media\.sha256: the file's sha256 is [0-9a-f]{64}, the pack says f{64}$/,
    )
    await expectRefused(
      t,
      zipDirectory(
        packWith((c) => {
          for (const clip of c) clip.media = { ...clip.media, bytes: 12 }
        }),
        { method: 'stored' },
      ),
      /^clips\[0\] \(id "clip-a"\) media\.bytes: the file has 4000 bytes, the pack says 12$/,
    )
  })

  test('a late failure leaves no media from earlier entries behind', async () => {
    const t = profile()
    await importSource(t, zipDirectory(makePack(3, { packId: 'pk-earlier' })))
    const dir = packWith((c, root) => {
      const second = writeMedia(root, 'media/b.webm', Buffer.from('B'.repeat(3000)))
      c[1]!.media = { ...second, sha256: '0'.repeat(64) }
    })
    await expectRefused(t, zipDirectory(dir), /^clips\[1\] \(id "clip-b"\) media\.sha256/)
  })

  test('schema and rule breaks in pack.json name the clip and the field', async () => {
    const t = profile()
    await expectRefused(t, zipDirectory(packWith((c) => (c[0]!.media.mime = 'application/x-msdownload'))), /^pack\.json does not follow field pack v1: clips\[0\] \(id "clip-a"\) media\.mime/)
    await expectRefused(t, zipDirectory(packWith(() => {}, { version: 2 })), /^pack\.json has format version 2; this Tinjau reads version 1 only$/)
    await expectRefused(t, zipDirectory(packWith((c) => (c[1]!.priority = 'high'))), /clips\[1\] \(id "clip-b"\) priority/)
    await expectRefused(t, zipDirectory(packWith((c) => (c[0]!.stream.title = 'x'.repeat(1001)))), /clips\[0\] \(id "clip-a"\) stream\.title/)
    await expectRefused(t, zipDirectory(packWith((c) => (c[0]!.flags[0].label = 'l'.repeat(129)))), /clips\[0\] \(id "clip-a"\) flags\.0\.label/)
    await expectRefused(t, zipDirectory(packWith((c) => (c[1]!.id = 'clip-a'))), /^clips\[1\] \(id "clip-a"\) id: duplicate clip id, first used by clips\[0\]$/)
  })

  test('malformed, truncated and non-UTF-8 pack.json', async () => {
    const t = profile()
    const dir = packWith()
    const good = readFileSync(path.join(dir, 'pack.json'))
    const withManifest = (data: Buffer | string) => zipWith((entries) => void (entry(entries, 'pack.json').data = data), dir)
    await expectRefused(t, withManifest('{"format": "tinjau.pack", '), /^pack\.json is not valid JSON/)
    await expectRefused(t, withManifest(good.subarray(0, good.length - 10)), /^pack\.json is not valid JSON/)
    await expectRefused(
      t,
      withManifest(Buffer.concat([Buffer.from('{"format":"tinjau.pack","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])),
      /^pack\.json is not valid UTF-8 text$/,
    )
  })

  test('a zip bomb is refused by its compression ratio before anything is inflated', async () => {
    const t = profile()
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/zeros.webm', data: Buffer.alloc(20 * 1024 * 1024) })),
      /^zip entry "media\/zeros\.webm" would inflate \d+ bytes to 20971520 \(\d+:1\), over the limit of 200:1 \(setting import\.max_zip_ratio\): the zip looks like a zip bomb$/,
    )
    // Its data is not even deflate: had it been inflated, the error would say so.
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'media/bomb.webm', data: Buffer.alloc(1000, 0xff), method: 8, uncompressedSize: 300_000_000 })),
      /^zip entry "media\/bomb\.webm" would inflate 1000 bytes to 300000000 \(300000:1\), over the limit of 200:1/,
    )
    setSetting(t.store.sqlite, 'import.max_zip_ratio', '5')
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'notes.txt', data: Buffer.alloc(2 * 1024 * 1024, 'ab') })),
      /^zip entry "notes\.txt" would inflate \d+ bytes to 2097152 \(\d+:1\), over the limit of 5:1 \(setting import\.max_zip_ratio\)/,
    )
  })

  test('total, per-entry and entry-count limits', async () => {
    const t = profile()
    setSetting(t.store.sqlite, 'import.max_pack_media_bytes', '10000')
    setSetting(t.store.sqlite, 'import.max_manifest_bytes', '100000')
    await expectRefused(
      t,
      zipWith((entries) => void entries.push({ name: 'extra.bin', data: Buffer.alloc(120_000, 7), method: 'stored' })),
      /^the zip's entries add up to more than 110000 bytes uncompressed \(at zip entry "extra\.bin"\), over the limit of settings import\.max_pack_media_bytes \+ import\.max_manifest_bytes$/,
    )
    setSetting(t.store.sqlite, 'import.max_media_bytes', '1000')
    await expectRefused(t, zipWith(() => {}), /^zip entry "media\/a\.webm" is 4000 bytes uncompressed, over the per-file limit of 1000 bytes \(setting import\.max_media_bytes\)$/)
    setSetting(t.store.sqlite, 'import.max_zip_entries', '2')
    await expectRefused(t, zipWith(() => {}), /^the zip has 3 entries, more than the 2 allowed \(setting import\.max_zip_entries\)$/)
  })

  test('pack.json over the limit is refused by its declared size, before it is inflated', async () => {
    const t = profile()
    // A few real bytes declared as 3 GB: inflating would have failed on the size, not the limit.
    await expectRefused(
      t,
      zipWith((entries) => void (entry(entries, 'pack.json').uncompressedSize = 3_000_000_000)),
      /^pack\.json is 3000000000 bytes \(uncompressed, as the zip declares it\), over the limit of 536870912 bytes \(setting import\.max_manifest_bytes\)$/,
    )
    setSetting(t.store.sqlite, 'import.max_manifest_bytes', '100')
    await expectRefused(t, zipWith(() => {}), /^pack\.json is \d+ bytes \(uncompressed, as the zip declares it\), over the limit of 100 bytes/)
  })

  test('entries whose real size is not the one declared', async () => {
    const t = profile()
    // The clip agrees with the lying header, so only inflating can tell.
    const lying = packWith((c) => {
      for (const clip of c) clip.media = { ...clip.media, bytes: 100 }
    })
    await expectRefused(
      t,
      zipWith((entries) => void (entry(entries, 'media/a.webm').uncompressedSize = 100), lying),
      /^zip entry "media\/a\.webm" \(clips\[0\] \(id "clip-a"\) media\) inflates to more than the 100 bytes it declares$/,
    )
    await expectRefused(t, zipWith((entries) => void (entry(entries, 'pack.json').uncompressedSize = 100)), /^zip entry "pack\.json" inflates to more than the 100 bytes it declares$/)
    const dir = packWith()
    const real = readFileSync(path.join(dir, 'pack.json')).length
    await expectRefused(
      t,
      zipWith((entries) => void (entry(entries, 'pack.json').uncompressedSize = real + 50), dir),
      new RegExp(`^zip entry "pack\\.json" inflates to ${real} bytes, not the ${real + 50} it declares$`),
    )
    await expectRefused(
      t,
      zipWith((entries) => void Object.assign(entry(entries, 'media/a.webm'), { method: 'stored', uncompressedSize: 5000 })),
      /^entry 2 of the zip's central directory is stored uncompressed but declares 4000 bytes compressed and 5000 uncompressed: .*pack\.zip is damaged or forged$/,
    )
  })

  test('damaged entries: bad CRC, data that does not inflate, data past the end of the file', async () => {
    const t = profile()
    await expectRefused(t, zipWith((entries) => void (entry(entries, 'media/a.webm').crc32 = 12345)), /^zip entry "media\/a\.webm" fails its CRC-32 check: the zip is damaged$/)
    await expectRefused(
      t,
      zipWith((entries) => void Object.assign(entry(entries, 'media/a.webm'), { method: 8, data: Buffer.alloc(64, 0xff), uncompressedSize: 4000 })),
      /^zip entry "media\/a\.webm" \(clips\[0\] \(id "clip-a"\) media\) cannot be inflated \(.+\): the zip is damaged$/,
    )
    await expectRefused(
      t,
      zipWith((entries) => void (entry(entries, 'media/a.webm').compressedSize = 1_000_000)),
      /^zip entry "media\/a\.webm" \(clips\[0\] \(id "clip-a"\) media\) runs past the end of the file: the zip is truncated or damaged$/,
    )
  })

  test('signatures in a zip: one that does not verify', async () => {
    const t = profile()
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')
    const dir = packWith(() => {}, { issuer: { name: 'T&S Jakarta', public_key: `ed25519:${raw}` } })
    const sig = sign(null, readFileSync(path.join(dir, 'pack.json')), privateKey)
    writeFileSync(path.join(dir, 'pack.json'), readFileSync(path.join(dir, 'pack.json'), 'utf8').replace('Stream clip-a', 'Stream clip-A'))
    writeFileSync(path.join(dir, 'pack.sig'), sig)
    await expectRefused(t, zipDirectory(dir), /^pack\.sig does not verify against issuer\.public_key/)
    await expectRefused(t, zipWith((entries) => void entries.push({ name: 'pack.sig', data: Buffer.alloc(5000) })), /^pack\.sig must be a small regular file/)
  })

  test('a truncated zip, a file that is not a zip, and a path that is not there', async () => {
    const t = profile()
    const whole = readFileSync(zipDirectory(packWith()))
    for (const cut of [whole.length - 1, whole.length - 30, Math.floor(whole.length / 2), 10]) {
      const file = writeZip([], { truncateTo: 0 })
      writeFileSync(file, whole.subarray(0, cut))
      await expectRefused(t, file, /^.*pack\.zip is not a zip file, or a truncated one: it has no end of central directory record$/)
    }
    const fake = path.join(tempDir('tinjau-zip-'), 'pack.zip')
    writeFileSync(fake, 'this is not a zip file at all, though its name says so')
    await expectRefused(t, fake, /pack\.zip is not a zip file, or a truncated one/)
    const text = path.join(tempDir('tinjau-zip-'), 'pack.txt')
    writeFileSync(text, '{}')
    await expectRefused(t, text, /^not a pack: .*pack\.txt is neither a folder with pack\.json at its root nor a \.zip file$/)
    const missing = path.join(tempDir(), 'nope.zip')
    const err = await refusedWithoutChangeAsync(t, () => importSource(t, missing))
    expect(err.message).toBe(`pack not found: ${missing}`)
  })
})

describe.runIf(existsSync('/proc/self/fd'))('the zip file itself', () => {
  test('is closed after every import: one that succeeds, ones refused at any point, one that is cancelled', async () => {
    const t = profile()
    // This process's descriptors open on zip files: a count of all of them also moved with
    // the profile's own files (the database, staging files still closing) and failed once.
    const openZips = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).endsWith('.zip')
        } catch {
          return false // closed between the listing and the look
        }
      }).length
    const before = openZips()
    await importSource(t, zipDirectory(makePack(5, { mediaCount: 3 })))
    expect(openZips()).toBe(before)
    await refusedWithoutChangeAsync(t, () => importSource(t, zipWith((entries) => void (entry(entries, 'media/a.webm').crc32 = 1))))
    expect(openZips()).toBe(before)
    await refusedWithoutChangeAsync(t, () => importSource(t, zipWith((entries) => void entries.push({ name: '../x', data: 'x' }))))
    expect(openZips()).toBe(before)
    const truncated = zipDirectory(packWith())
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 100))
    await refusedWithoutChangeAsync(t, () => importSource(t, truncated))
    expect(openZips()).toBe(before)
    const controller = new AbortController()
    const cancelled = importSource(t, zipDirectory(makePack(50, { mediaCount: 10, packId: 'pk-cancelled' })), {
      signal: controller.signal,
      onProgress: (p) => p.phase === 'clips' && controller.abort(),
    })
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' })
    expect(openZips()).toBe(before)
  })
})

