import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../../shared/dispatch'
import { TinjauError } from '../../shared/errors'
import { makeClip, makeManifest, sha256, tempDir, writeManifest, writeMedia, type FakeMedia } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { refusedWithoutChangeAsync } from '../testing/expect-refused'
import { snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'

/**
 * The importer's chunked path: clips found by byte range, parsed in chunks on worker threads
 * (here: tiny chunks, so a small pack has many), written in document order, all or nothing.
 * It must give exactly what parsing on one thread gives, name the same first problem, and
 * keep every other use of the store out while it writes.
 */

type TestTinjau = Tinjau & { dataDir: string }
let open: TestTinjau[] = []
const clock = () => new Date('2025-09-05T00:00:00.000Z')
function profile(threads: number, chunkClips = 3): TestTinjau {
  const t = openTestTinjau(tempDir('tinjau-data-'), { importThreads: threads, importChunkClips: chunkClips, now: clock })
  open.push(t)
  return t
}
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function packOf(n: number, mutate: (clips: Record<string, any>[], media: FakeMedia[]) => void = () => {}): string {
  const root = tempDir('tinjau-pack-')
  const media = [0, 1, 2].map((i) => writeMedia(root, `media/m${i}.webm`, Buffer.from(`media ${i} `.repeat(100))))
  const clips = Array.from({ length: n }, (_, i) =>
    makeClip(`clip-${String(i).padStart(3, '0')}`, media[i % 3]!, { priority: i % 101, stream: { id: `live-${i}`, title: `Siaran ${i} — promo`, commerce: i % 2 === 0 } }),
  )
  mutate(clips, media)
  writeManifest(root, makeManifest(clips))
  return root
}

const importDir = (t: Tinjau, dir: string) => t.handlers['pack.importDirectory']({ path: dir })

function refusal(t: TestTinjau, dir: string): Promise<TinjauError> {
  return refusedWithoutChangeAsync(t, () => importDir(t, dir))
}

const tables = (t: Tinjau) => {
  const { audit_log: _audit, settings: _settings, ...rest } = snapshotRows(t.store.sqlite)
  return rest
}

describe('chunked import on worker threads', () => {
  test('gives the same rows, media and stored pack.json as parsing on this thread', async () => {
    const dir = packOf(20)
    const inline = profile(0)
    const threaded = profile(2, 3)
    const a = await importDir(inline, dir)
    const b = await importDir(threaded, dir)
    expect(b).toEqual(a)
    expect(b).toMatchObject({ clips: 20, added: 20, mediaAdded: 3 })
    expect(tables(threaded)).toEqual(tables(inline))
    const bytes = readFileSync(path.join(dir, 'pack.json'))
    const stored = path.join(threaded.dataDir, 'packs', `${sha256(bytes)}.json`)
    expect(readFileSync(stored).equals(bytes)).toBe(true)
    // Each clip reads back from its byte range exactly as the pack gave it.
    const manifest = JSON.parse(bytes.toString('utf8'))
    for (const clip of manifest.clips) expect(threaded.queue.packClip(clip.id)).toEqual(clip)
    expect(threaded.handlers['clip.get']({ clipId: 'clip-013' })).toMatchObject({ id: 'clip-013', priority: 13, stream: { title: 'Siaran 13 — promo' } })
  })

  test('names the first invalid clip, in a late chunk, and changes nothing', async () => {
    const t = profile(2, 3)
    const err = await refusal(
      t,
      packOf(20, (clips) => {
        clips[14]!.account = { id: 'a', type: 'corporate' }
      }),
    )
    expect(err.message).toMatch(/clips\[14\] \(id "clip-014"\) account\.type/)
  })

  test('a duplicate id in another chunk names both clips', async () => {
    const t = profile(2, 3)
    const err = await refusal(
      t,
      packOf(20, (clips) => {
        clips[16]!.id = 'clip-002'
      }),
    )
    expect(err.message).toBe('clips[16] (id "clip-002") id: duplicate clip id, first used by clips[2]')
  })

  test('a media path declared with another hash in a later chunk', async () => {
    const t = profile(2, 3)
    const err = await refusal(
      t,
      packOf(20, (clips) => {
        clips[17]!.media = { ...clips[17]!.media, sha256: 'f'.repeat(64) }
      }),
    )
    expect(err.message).toMatch(/clips\[17\] \(id "clip-017"\) media\.path: "media\/m2\.webm" is declared elsewhere/)
  })

  test('a clip that is not JSON gets the JSON parser\'s own error', async () => {
    const t = profile(2, 3)
    const dir = packOf(12)
    const text = readFileSync(path.join(dir, 'pack.json'), 'utf8')
    writeFileSync(path.join(dir, 'pack.json'), text.replace('"priority":7,', '"priority":7,,'))
    const err = await refusal(t, dir)
    expect(err.message).toMatch(/^pack\.json is not valid JSON: /)
  })

  test('a pack whose shape rules out byte ranges still imports, keeping clip JSON in the row', async () => {
    const t = profile(2, 3)
    const root = tempDir('tinjau-pack-')
    const media = writeMedia(root, 'media/a.webm', Buffer.from('A'.repeat(500)))
    // Valid JSON with "clips" twice: JSON.parse keeps the last, and so must the import.
    const header = JSON.stringify(makeManifest([])).slice(0, -1)
    const clips = [makeClip('clip-x', media), makeClip('clip-y', media)]
    writeManifest(root, `${header},"clips":[${JSON.stringify(clips)}]}`.replace(`,"clips":[[`, `,"clips":[${JSON.stringify(makeClip('ignored', media))}],"clips":[`).replace(']]}', ']}'))
    expect(JSON.parse(readFileSync(path.join(root, 'pack.json'), 'utf8')).clips.map((c: { id: string }) => c.id)).toEqual(['clip-x', 'clip-y'])
    const summary = await importDir(t, root)
    expect(summary).toMatchObject({ clips: 2, added: 2 })
    const rows = t.store.sqlite.prepare('SELECT id, raw_json, manifest_sha256, json_offset FROM clips ORDER BY id').all() as Record<string, unknown>[]
    expect(rows.map((r) => [r.id, r.manifest_sha256, r.json_offset])).toEqual([
      ['clip-x', null, null],
      ['clip-y', null, null],
    ])
    expect(JSON.parse(rows[0]!.raw_json as string)).toEqual(clips[0])
    expect(t.queue.packClip('clip-y')).toEqual(clips[1])
    expect(existsSync(path.join(t.dataDir, 'packs'))).toBe(true)
  })

  test('a newer pack that changes every clip removes the old stored pack.json', async () => {
    const t = profile(0)
    const first = packOf(6)
    await importDir(t, first)
    const oldSha = sha256(readFileSync(path.join(first, 'pack.json')))
    expect(t.manifests.list()).toEqual([oldSha])
    const second = packOf(6, (clips) => clips.forEach((c) => (c.priority = 99)))
    const summary = await importDir(t, second)
    expect(summary).toMatchObject({ updated: 6, unchanged: 0 })
    expect(t.manifests.list()).toEqual([sha256(readFileSync(path.join(second, 'pack.json')))])
    expect(t.queue.packClip('clip-004')).toMatchObject({ priority: 99 })
  })

  test('clips stored before byte ranges existed (JSON in the row) still read, and update to ranges', async () => {
    const t = profile(0)
    await importDir(t, packOf(2))
    const legacy = t.queue.packClip('clip-001')
    t.store.sqlite
      .prepare("UPDATE clips SET raw_json = ?, manifest_sha256 = NULL, json_offset = NULL, json_length = NULL WHERE id = 'clip-001'")
      .run(JSON.stringify(legacy))
    expect(t.handlers['clip.get']({ clipId: 'clip-001' })).toMatchObject({ id: 'clip-001', priority: 1 })
    await importDir(t, packOf(2, (clips) => (clips[1]!.priority = 42)))
    const row = t.store.sqlite.prepare("SELECT raw_json, json_offset FROM clips WHERE id = 'clip-001'").get() as Record<string, unknown>
    expect(row.raw_json).toBe('')
    expect(typeof row.json_offset).toBe('number')
    expect(t.queue.packClip('clip-001')).toMatchObject({ priority: 42 })
  })
})

describe('while an import writes', () => {
  test('host calls wait for it, and a direct call is refused rather than mixed into its transaction', async () => {
    // One clip per chunk on this thread: the import yields to the event loop between chunks.
    const t = profile(0, 1)
    const importing = importDir(t, packOf(300))
    while (!t.gate.busy) await new Promise((resolve) => setImmediate(resolve))
    expect(() => t.handlers['queue.list']({ limit: 10, offset: 0 })).toThrow(/a pack import is being written/)
    const listed = dispatch(t.handlers, 'queue.list', { limit: 10 }, undefined, t.gate)
    const summary = await importing
    const page = await listed
    expect(summary.added).toBe(300)
    // The waiting call ran after the import committed, so it saw every clip, never a part.
    expect(page).toMatchObject({ ok: true, value: { total: 300 } })
  })
})
