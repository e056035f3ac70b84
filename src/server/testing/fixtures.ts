import { readFileSync } from 'node:fs'
import path from 'node:path'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia, type FakeMedia } from '../../core/testing/make-pack'

export interface TestPack {
  dir: string
  packId: string
  clipIds: string[]
  media: FakeMedia[]
}

/** A pack folder of `n` clips, each with its own small media file, for the service's tests. */
export function writeTestPack(n: number, opts: { packId?: string; clipPrefix?: string } = {}): TestPack {
  const dir = tempDir('tinjau-server-pack-')
  const packId = opts.packId ?? 'pk-test-01'
  const media = Array.from({ length: n }, (_, i) => writeMedia(dir, `media/clip-${i}.webm`, Buffer.from(`media bytes of clip ${i} `.repeat(50 + i))))
  const clipIds = media.map((_, i) => `${opts.clipPrefix ?? 'clip'}-${String(i).padStart(4, '0')}`)
  writeManifest(dir, makeManifest(clipIds.map((id, i) => makeClip(id, media[i]!, { vendor_ref: `V-${i}` })), { pack_id: packId, batch: 'b-7' }))
  return { dir, packId, clipIds, media }
}

export function mediaBytes(dir: string, m: FakeMedia): Buffer {
  return readFileSync(path.join(dir, ...m.path.split('/')))
}
