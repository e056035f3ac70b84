import { generateKeyPairSync, sign } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { setSetting } from '../settings'
import { makeClip, makeManifest, makePack, sha256, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { refusedWithoutChangeAsync } from '../testing/expect-refused'
import { snapshotFiles, snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'

let open: (Tinjau & { dataDir: string })[] = []
function profile() {
  const t = openTestTinjau()
  open.push(t)
  return t
}
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

const importDir = (t: Tinjau, dir: string) => t.handlers['pack.importDirectory']({ path: dir })

/** A pack folder with one media file and the given clips (defaults: two valid clips). */
function packWith(mutate: (clips: Record<string, any>[], root: string) => unknown = () => {}, manifestOverrides = {}) {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('A'.repeat(4000)))
  const clips = [makeClip('clip-a', media), makeClip('clip-b', media)]
  mutate(clips, root)
  writeManifest(root, makeManifest(clips, manifestOverrides))
  return root
}

async function expectRefused(t: Tinjau & { dataDir: string }, dir: string, message: RegExp) {
  const err = await refusedWithoutChangeAsync(t, () => importDir(t, dir))
  expect(err.code).toBe('invalid_pack')
  expect(err.message).toMatch(message)
}

describe('importing a valid directory pack', () => {
  test('adds clips, flags, content-addressed media and one audit entry', async () => {
    const t = profile()
    const summary = await importDir(t, makePack(10, { mediaCount: 3 }))
    expect(summary).toMatchObject({ clips: 10, added: 10, updated: 0, mediaAdded: 3, alreadyImported: false })
    const { sqlite } = t.store
    expect(sqlite.prepare('SELECT count(*) FROM clips').pluck().get()).toBe(10)
    expect(sqlite.prepare('SELECT count(*) FROM clip_flags').pluck().get()).toBe(20)
    for (const { sha256: sha } of sqlite.prepare('SELECT sha256 FROM media_objects').all() as { sha256: string }[]) {
      const file = path.join(t.dataDir, 'media', sha.slice(0, 2), sha)
      expect(sha256(readFileSync(file))).toBe(sha)
    }
    expect(sqlite.prepare("SELECT kind, subject FROM audit_log").all()).toEqual([{ kind: 'pack.imported', subject: 'pk-test-01' }])
    expect(t.handlers['audit.verify']({})).toMatchObject({ ok: true, entries: 1 })
  })

  test('keeps unknown fields of clips and of the pack header', async () => {
    const t = profile()
    const dir = packWith((clips) => {
      clips[0]!.x_vendor = { note: 'kept' }
      ;(clips[0]!.media as any).x_codec = 'vp9'
    }, { x_tool: 'packer 2' })
    await importDir(t, dir)
    const raw = t.queue.packClip('clip-a') as Record<string, any>
    expect(raw.x_vendor).toEqual({ note: 'kept' })
    expect(raw.media.x_codec).toBe('vp9')
    const header = JSON.parse(t.store.sqlite.prepare('SELECT header_json FROM packs').pluck().get() as string)
    expect(header.x_tool).toBe('packer 2')
  })

  test('keeps unknown flag labels and shows them on the queue row', async () => {
    const t = profile()
    await importDir(t, packWith((clips) => clips[0]!.flags.push({ source: 'keyword', label: 'spam.engagement_bait', at_ms: 100 })))
    const clip = t.handlers['clip.get']({ clipId: 'clip-a' })
    expect(clip.flags.map((f) => f.label)).toContain('spam.engagement_bait')
    const page = t.handlers['queue.list']({ limit: 10, offset: 0 })
    expect(page.items.find((i) => i.id === 'clip-a')!.flagLabels).toContain('spam.engagement_bait')
  })

  test('the same pack twice changes nothing', async () => {
    const t = profile()
    const dir = makePack(5)
    await importDir(t, dir)
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    const again = await importDir(t, dir)
    expect(again).toMatchObject({ alreadyImported: true, added: 0, updated: 0 })
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  })

  test('a newer pack with the same clip ids updates metadata and never touches decisions', async () => {
    const t = profile()
    await importDir(t, packWith())
    const decision = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-a', categories: ['violence.arson'], action: 'remove', rationale: 'urges burning' }))
    const decisionsBefore = t.store.sqlite.prepare('SELECT * FROM decisions').all()
    const newer = packWith((clips) => {
      clips[0]!.stream.title = 'Renamed stream'
      clips[1]!.priority = 99
    })
    const summary = await importDir(t, newer)
    expect(summary).toMatchObject({ added: 0, updated: 2, alreadyImported: false })
    const clip = t.handlers['clip.get']({ clipId: 'clip-a' })
    expect(clip.stream.title).toBe('Renamed stream')
    expect(clip.status).toBe('decided')
    expect(clip.decisions.map((d) => d.id)).toEqual([decision.id])
    expect(t.store.sqlite.prepare('SELECT * FROM decisions').all()).toEqual(decisionsBefore)
  })

  test('a signed pack verifies against its issuer key', async () => {
    const t = profile()
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')
    const dir = packWith(() => {}, { issuer: { name: 'T&S Jakarta', public_key: `ed25519:${raw}` } })
    writeFileSync(path.join(dir, 'pack.sig'), sign(null, readFileSync(path.join(dir, 'pack.json')), privateKey))
    await expect(importDir(t, dir)).resolves.toMatchObject({ added: 2 })
    expect(t.store.sqlite.prepare('SELECT signed FROM packs').pluck().get()).toBe(1)
  })
})

describe('refusing a bad pack changes nothing', () => {
  test('missing folder and missing pack.json', async () => {
    const t = profile()
    await expectRefused(t, path.join(tempDir(), 'nope'), /pack not found/)
    await expectRefused(t, tempDir(), /pack\.json is missing/)
  })

  test('malformed, truncated and non-UTF-8 JSON', async () => {
    const t = profile()
    const dir = packWith()
    const good = readFileSync(path.join(dir, 'pack.json'))
    writeFileSync(path.join(dir, 'pack.json'), '{"format": "tinjau.pack", ')
    await expectRefused(t, dir, /not valid JSON/)
    writeFileSync(path.join(dir, 'pack.json'), good.subarray(0, good.length - 10))
    await expectRefused(t, dir, /not valid JSON/)
    writeFileSync(path.join(dir, 'pack.json'), Buffer.concat([Buffer.from('{"format":"tinjau.pack","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]))
    await expectRefused(t, dir, /not valid UTF-8/)
  })

  test('wrong format and unknown version are named', async () => {
    const t = profile()
    await expectRefused(t, packWith(() => {}, { version: 2 }), /format version 2; this Tinjau reads version 1/)
    await expectRefused(t, packWith(() => {}, { format: 'other.pack' }), /format must be "tinjau\.pack"/)
  })

  test('wrong types and rule breaks name the clip and the field', async () => {
    const t = profile()
    await expectRefused(t, packWith((c) => (c[1]!.priority = 'high')), /clips\[1\] \(id "clip-b"\) priority/)
    await expectRefused(t, packWith((c) => (c[0]!.flags = [])), /clips\[0\] \(id "clip-a"\) flags: at least one flag/)
    await expectRefused(t, packWith((c) => (c[0]!.media.mime = 'application/x-msdownload')), /clips\[0\] \(id "clip-a"\) media\.mime/)
    await expectRefused(t, packWith((c) => (c[0]!.account.type = 'bot')), /account\.type/)
    await expectRefused(t, packWith((c) => (c[0]!.captured_at = '2025-08-29 13:05:10')), /captured_at: an RFC 3339 timestamp/)
    await expectRefused(t, packWith((c) => (c[0]!.id = 'bad id!')), /clips\[0\] \(id "bad id!"\) id: 1–128 characters/)
    await expectRefused(t, packWith((c) => (c[1]!.flags[0].score = 1.5)), /clips\[1\] \(id "clip-b"\) flags\.0\.score/)
    await expectRefused(t, packWith((c) => (c[0]!.segment = { start_ms: 10, end_ms: 5 })), /segment\.end_ms: start_ms must not be after end_ms/)
  })

  test('duplicate clip ids', async () => {
    const t = profile()
    await expectRefused(t, packWith((c) => (c[1]!.id = 'clip-a')), /clips\[1\] \(id "clip-a"\) id: duplicate clip id, first used by clips\[0\]/)
  })

  test('moments outside the clip', async () => {
    const t = profile()
    await expectRefused(t, packWith((c) => (c[0]!.chat[0].at_ms = 999_999)), /clips\[0\] \(id "clip-a"\) chat\[0\]\.at_ms: 999999 ms is outside the clip/)
  })

  test('hash mismatch, size mismatch and missing media', async () => {
    const t = profile()
    await expectRefused(
      t,
      packWith((c) => {
        for (const clip of c) clip.media = { ...clip.media, sha256: 'f'.repeat(64) }
      }),
      /clips\[0\] \(id "clip-a"\) media\.sha256: the file's sha256 is/,
    )
    await expectRefused(
      t,
      packWith((c) => {
        c[0]!.media = { ...c[0]!.media, bytes: 12 }
        c[1]!.media = { ...c[1]!.media, bytes: 12 }
      }),
      /media\.bytes: the file has 4000 bytes, the pack says 12/,
    )
    await expectRefused(t, packWith((c) => (c[1]!.media = { ...c[1]!.media, path: 'media/missing.webm' })), /clips\[1\] \(id "clip-b"\) media\.path: "media\/missing\.webm" does not exist/)
  })

  test('paths that try to leave the pack', async () => {
    const t = profile()
    const withPath = (p: string) => packWith((c) => (c[0]!.media = { ...c[0]!.media, path: p }))
    await expectRefused(t, withPath('../outside.webm'), /path has a "\.\." segment/)
    await expectRefused(t, withPath('media/../../outside.webm'), /path has a "\.\." segment/)
    await expectRefused(t, withPath('/etc/passwd'), /path is absolute/)
    await expectRefused(t, withPath('C:/Windows/win.ini'), /path starts with a drive letter/)
    await expectRefused(t, withPath('media\\a.webm'), /path contains a backslash/)
    await expectRefused(t, withPath('media/NUL.webm'), /path names a device/)
  })

  test('symbolic links, to a file or through a folder', async () => {
    const t = profile()
    const outside = tempDir()
    writeFileSync(path.join(outside, 'secret.webm'), 'A'.repeat(4000))
    const viaFile = packWith((c, root) => {
      symlinkSync(path.join(outside, 'secret.webm'), path.join(root, 'media', 'link.webm'))
      c[0]!.media = { ...c[0]!.media, path: 'media/link.webm' }
    })
    await expectRefused(t, viaFile, /goes through a symbolic link/)
    const viaDir = packWith((c, root) => {
      symlinkSync(outside, path.join(root, 'linked'))
      c[0]!.media = { ...c[0]!.media, path: 'linked/secret.webm' }
    })
    await expectRefused(t, viaDir, /goes through a symbolic link/)
  })

  test('a folder where a file should be', async () => {
    const t = profile()
    await expectRefused(
      t,
      packWith((c, root) => {
        mkdirSync(path.join(root, 'media', 'dir.webm'))
        c[0]!.media = { ...c[0]!.media, path: 'media/dir.webm' }
      }),
      /is not a regular file/,
    )
  })

  test('pack.json over the configured limit is refused before it is read', async () => {
    const t = profile()
    setSetting(t.store.sqlite, 'import.max_manifest_bytes', '100')
    await expectRefused(t, packWith(), /over the limit of 100 bytes/)
  })

  test('a media file over the configured limit', async () => {
    const t = profile()
    setSetting(t.store.sqlite, 'import.max_media_bytes', '1000')
    await expectRefused(t, packWith(), /over the per-file limit of 1000/)
  })

  test('a signature that does not verify, and an unsigned pack where only signed ones are allowed', async () => {
    const t = profile()
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')
    const dir = packWith(() => {}, { issuer: { name: 'T&S Jakarta', public_key: `ed25519:${raw}` } })
    const sig = sign(null, readFileSync(path.join(dir, 'pack.json')), privateKey)
    const tampered = readFileSync(path.join(dir, 'pack.json'), 'utf8').replace('Stream clip-a', 'Stream clip-A')
    writeFileSync(path.join(dir, 'pack.json'), tampered)
    writeFileSync(path.join(dir, 'pack.sig'), sig)
    await expectRefused(t, dir, /pack\.sig does not verify/)

    setSetting(t.store.sqlite, 'import.allow_unsigned', 'false')
    await expectRefused(t, packWith(), /unsigned and this profile accepts signed packs only/)
  })

  test('a late failure leaves no media from earlier files behind', async () => {
    const t = profile()
    const dir = packWith((c, root) => {
      const second = writeMedia(root, 'media/b.webm', Buffer.from('B'.repeat(3000)))
      c[1]!.media = { ...second, sha256: '0'.repeat(64) }
    })
    await expectRefused(t, dir, /clips\[1\] \(id "clip-b"\) media\.sha256/)
    expect(existsSync(path.join(t.dataDir, 'media', sha256('A'.repeat(4000)).slice(0, 2)))).toBe(false)
  })

  test('a database failure after media were placed removes them again', async () => {
    const t = profile()
    t.store.sqlite.exec("CREATE TEMP TRIGGER fail_clip BEFORE INSERT ON clips WHEN NEW.id = 'clip-b' BEGIN SELECT RAISE(ABORT, 'disk said no'); END")
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    await expect(importDir(t, packWith())).rejects.toThrow(/disk said no/)
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  })
})
