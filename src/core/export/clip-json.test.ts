import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { ManifestStore } from '../manifest-store'
import { tempDir } from '../testing/make-pack'
import { ClipReader } from './clip-json'
import type { ClipJsonRef } from './source'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A stored "pack.json" of clip texts of varied lengths (multi-byte characters included), and each clip's byte range. */
async function storedClips(lengths: number[]): Promise<{ manifests: ManifestStore; refs: ClipJsonRef[]; texts: string[] }> {
  const dir = tempDir('tinjau-clip-json-')
  dirs.push(dir)
  const manifests = new ManifestStore(path.join(dir, 'packs'), path.join(dir, 'tmp'))
  const texts = lengths.map((n, i) => JSON.stringify({ id: `c${i}`, pad: 'é'.repeat(n) }))
  const parts: Buffer[] = []
  const refs: ClipJsonRef[] = []
  let offset = 0
  for (const t of texts) {
    const b = Buffer.from(`${t},`, 'utf8')
    refs.push({ manifest_sha256: '', json_offset: offset, json_length: b.length - 1, raw_json: '' })
    parts.push(b)
    offset += b.length
  }
  const bytes = Buffer.concat(parts)
  const sha = createHash('sha256').update(bytes).digest('hex')
  await manifests.save(sha, bytes)
  for (const r of refs) r.manifest_sha256 = sha
  return { manifests, refs, texts }
}

test('clips in file order, out of order and larger than the window all read back exactly', async () => {
  // Window of 100 bytes: clip 3 (300 é's) is larger than it, the others each fit.
  const { manifests, refs, texts } = await storedClips([5, 20, 1, 300, 10, 30, 2])
  const reader = new ClipReader(manifests, 100)
  try {
    const order = [0, 1, 2, 3, 4, 5, 6, 6, 0, 5, 3, 1, 4, 2]
    expect(order.map((i) => reader.text(refs[i] as ClipJsonRef))).toEqual(order.map((i) => texts[i]))
  } finally {
    reader.close()
  }
})

test('a clip stored in its row is returned from the row', async () => {
  const { manifests } = await storedClips([1])
  const reader = new ClipReader(manifests, 100)
  expect(reader.text({ manifest_sha256: null, json_offset: null, json_length: null, raw_json: '{"id":"x"}' })).toBe('{"id":"x"}')
  reader.close()
})

test('a range past the end of the stored file is an error, not a short clip', async () => {
  const { manifests, refs } = await storedClips([5, 5])
  const reader = new ClipReader(manifests, 100)
  const last = refs[1] as ClipJsonRef
  expect(() => reader.text({ ...last, json_length: (last.json_length as number) + 50 })).toThrow(/ends before the clip/)
  reader.close()
})
