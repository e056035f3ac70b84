import path from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openTinjau, type Tinjau } from '../tinjau'

/**
 * The exact rows an import leaves behind, for new clips and for clips a newer pack updates:
 * what the importer's single upsert used to write, now written by separate INSERT / UPDATE.
 */

let open: Tinjau[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function pack(packId: string, clips: (media: ReturnType<typeof writeMedia>) => Record<string, unknown>[]): string {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('A'.repeat(4000)))
  writeManifest(root, makeManifest(clips(media), { pack_id: packId }))
  return root
}

test('new clips are inserted pending; updated clips keep status and imported_at; flags are replaced', async () => {
  let clock = new Date('2025-09-01T00:00:00.000Z')
  const t = openTinjau({ dataDir: tempDir('tinjau-data-'), resourcesDir: path.resolve(__dirname, '../../../resources'), host: 'web', version: 't', now: () => clock })
  open.push(t)
  const rows = () => t.store.sqlite.prepare('SELECT * FROM clips ORDER BY id').all() as Record<string, unknown>[]
  const flags = (id: string) => t.store.sqlite.prepare('SELECT * FROM clip_flags WHERE clip_id = ? ORDER BY idx').all(id)

  await t.handlers['pack.importDirectory']({ path: pack('pk-1', (m) => [makeClip('clip-a', m), makeClip('clip-b', m, { due_at: undefined })]) })
  const first = rows()
  expect(first.map((r) => [r.id, r.pack_id, r.status, r.imported_at, r.updated_at])).toEqual([
    ['clip-a', 'pk-1', 'pending', '2025-09-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z'],
    ['clip-b', 'pk-1', 'pending', '2025-09-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z'],
  ])
  expect(first[1]).toMatchObject({ due_at: null, due_sort: 8_640_000_000_000_000, priority: 50, commerce: 1, duration_ms: 30_000 })
  expect(first[0]).toMatchObject({
    due_at: '2025-08-29T17:05:10+07:00',
    due_sort: Date.parse('2025-08-29T17:05:10+07:00'),
    stream_title: 'Stream clip-a',
    account_handle: 'seller.clip-a',
    region: 'ID-JK',
    flag_labels: '["violence.arson","public_safety.provocation"]',
    flag_sources: '["classifier","user_report"]',
  })
  t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-a', categories: ['violence.arson'], action: 'remove', rationale: 'urges burning' }))

  clock = new Date('2025-09-02T00:00:00.000Z')
  const summary = await t.handlers['pack.importDirectory']({
    path: pack('pk-2', (m) => [
      makeClip('clip-a', m, { priority: 99, stream: { id: 'live-x', title: 'Renamed', commerce: false }, flags: [{ source: 'keyword', label: 'hate' }] }),
      makeClip('clip-b', m, { due_at: undefined }),
      makeClip('clip-c', m),
    ]),
  })
  expect(summary).toMatchObject({ added: 1, updated: 1, unchanged: 1 })
  const second = rows()
  expect(second.map((r) => [r.id, r.pack_id, r.status, r.imported_at, r.updated_at])).toEqual([
    ['clip-a', 'pk-2', 'decided', '2025-09-01T00:00:00.000Z', '2025-09-02T00:00:00.000Z'],
    ['clip-b', 'pk-1', 'pending', '2025-09-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z'],
    ['clip-c', 'pk-2', 'pending', '2025-09-02T00:00:00.000Z', '2025-09-02T00:00:00.000Z'],
  ])
  expect(second[0]).toMatchObject({ priority: 99, stream_title: 'Renamed', region: null, commerce: 0, flag_labels: '["hate"]', flag_sources: '["keyword"]' })
  expect(t.queue.packClip('clip-a')).toMatchObject({ priority: 99, stream: { title: 'Renamed' } })
  // The clips' JSON is read from the stored pack.json files by byte range, not kept in the row.
  expect(second.map((r) => [r.raw_json, typeof r.json_offset, typeof r.json_length])).toEqual([
    ['', 'number', 'number'],
    ['', 'number', 'number'],
    ['', 'number', 'number'],
  ])
  // clip-b is unchanged, so it still points into the first pack's file, which is kept.
  expect(new Set(second.map((r) => r.manifest_sha256)).size).toBe(2)
  expect(t.manifests.list()).toHaveLength(2)
  expect(flags('clip-a')).toEqual([
    { clip_id: 'clip-a', idx: 0, source: 'keyword', label: 'hate', score: null, at_ms: null, count: null, reference: null, due_at: null },
  ])
  expect(flags('clip-c')).toHaveLength(2)
})
