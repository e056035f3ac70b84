import path from 'node:path'
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { HASHER_ID } from '../shared/frame-hashes'
import { formatHash256 } from '../shared/pdq/hash256'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../core/hashes/synthetic'
import { tempDir } from '../core/testing/make-pack'
import { openTestTinjau } from '../core/testing/open-test-tinjau'
import { tinjau } from './testing/run-tinjau'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('hashes status and match report what the app hashed and what it matches, in text and JSON', async () => {
  const dataDir = path.join(tempDir('tinjau-cli-'), 'profile')
  made.push(path.dirname(dataDir))
  expect((await tinjau(dataDir, 'import', path.resolve('resources/demo'))).code).toBe(0)

  const before = await tinjau(dataDir, 'hashes', 'status')
  expect(before.stdout).toMatch(/^Hashed 0 of 32 media files; 32 waiting, 0 could not be decoded\.\nHashing happens in the app/)
  // Before any hashing, the demo's Re-live is still known: it is the same file.
  expect((await tinjau(dataDir, 'match', 'demo-015')).stdout).toMatch(/not hashed yet[\s\S]*^demo-008\tsame file\tnot decided$/m)

  // What the app's background hasher would have recorded, and a decision.
  const t = openTestTinjau(dataDir)
  const rand = seededRandom(7)
  const original = new Uint32Array(64)
  fillRandomHashes(original, 0, 8, rand)
  const copy = new Uint32Array(64)
  for (let f = 0; f < 8; f++) copyWithFlips(original, f, copy, f, 10, rand)
  const record = (clipId: string, h: Uint32Array) =>
    t.handlers['hashes.record']({
      outcome: 'hashed',
      sha256: t.store.sqlite.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(clipId) as string,
      hasher: HASHER_ID,
      frames: Array.from({ length: 8 }, (_, i) => ({ tMs: i * 1000, hashes: [{ hash: formatHash256(h, i * 8), quality: 90 }] })),
    })
  record('demo-007', original)
  record('demo-004', copy)
  t.close()
  expect((await tinjau(dataDir, 'decide', 'demo-007', '--action', 'remove', '--category', 'violence.arson', '--rationale', 'car on fire')).code).toBe(0)

  expect(JSON.parse((await tinjau(dataDir, 'hashes', 'status', '--json')).stdout)).toEqual({ total: 32, hashed: 2, failed: 0, waiting: 30 })
  const text = await tinjau(dataDir, 'match', 'demo-004')
  expect(text.code).toBe(0)
  expect(text.stdout).toMatch(/^demo-007\t100 % of its frames\tdecided remove \(violence\.arson\) by .+ at \d{4}-/m)
  const json = JSON.parse((await tinjau(dataDir, 'match', 'demo-004', '--json')).stdout)
  expect(json.hashing).toBe('hashed')
  expect(json.matches.map((m: { clipId: string }) => m.clipId)).toEqual(['demo-007'])
  expect((await tinjau(dataDir, 'match', 'demo-001')).stdout).toMatch(/No known footage matches clip demo-001\./)

  // The queue's known-content filters: the pairs the app had not stored yet are stored first.
  const hasMatch = await tinjau(dataDir, 'queue', '--has-match', '--json')
  expect(hasMatch.stderr).toMatch(/matched 2 hashed videos against the others first/)
  expect(JSON.parse(hasMatch.stdout).items.map((i: { id: string }) => i.id)).toEqual(['demo-007', 'demo-015', 'demo-008', 'demo-004'])
  const decided = JSON.parse((await tinjau(dataDir, 'queue', '--has-match', 'decided', '--json')).stdout)
  expect(decided.items.map((i: { id: string }) => i.id)).toEqual(['demo-004'])
  const grouped = await tinjau(dataDir, 'queue', '--group-copies', '--limit', '4')
  expect(grouped.stdout).toMatch(/^CLIP\s+STATUS\s+PRIORITY\s+DUE\s+COPIES\s+FLAGS\s+STREAM$/m)
  expect(grouped.stdout).toMatch(/^demo-007\s+decided\s+45\s+\S+\s+2 \(demo-004\)/m)
  expect(grouped.stdout).toMatch(/^demo-004\s+pending\s+12\s+\S+\s+2 \(demo-004\)/m)
  expect((await tinjau(dataDir, 'queue', '--has-match', 'some')).code).not.toBe(0)

  const missing = await tinjau(dataDir, 'match', 'no-such-clip')
  expect(missing.code).not.toBe(0)
  expect(missing.stderr).toMatch(/no clip "no-such-clip"/)
}, 60_000)
