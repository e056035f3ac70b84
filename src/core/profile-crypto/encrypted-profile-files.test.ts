import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { verifyDecisionPack, writeDecisionPack } from '../export'
import { exportSource } from '../export/source'
import { makePack, tempDir } from '../testing/make-pack'
import { zipDirectory } from '../testing/make-zip'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { isEncryptedFile } from './chunked-file'
import { deriveProfileKeys, newMasterKey } from './profile-keys'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
}

test('packs imported as a zip and as a folder into an encrypted profile: no clear media or clip text on disk, and everything reads back, after a restart too', async () => {
  const keys = deriveProfileKeys(newMasterKey())
  const dataDir = tempDir('tinjau-data-')
  let t = openTestTinjau(dataDir, { keys })
  const zipped = makePack(30, { packId: 'pk-zip', mediaCount: 3 })
  const folder = makePack(12, { packId: 'pk-folder', mediaCount: 2 })
  const clearMedia = readFileSync(path.join(zipped, 'media', 'clip-1.webm'))
  expect((await t.handlers['pack.import']({ path: zipDirectory(zipped), importId: 'imp-zip' })).added).toBe(30)
  await t.handlers['pack.import']({ path: folder, importId: 'imp-folder' })

  const stored = ['media', 'packs'].flatMap((d) => filesUnder(path.join(dataDir, d)))
  expect(stored.length).toBeGreaterThanOrEqual(4) // 3 media objects, 2 pack.json files (media shared by content)
  for (const f of stored) expect(isEncryptedFile(f), f).toBe(true)
  const probes = ['fake webm bytes 1', 'seller.clip-000007', 'Stream clip-000011', 'ayo kumpul', 'pk-zip', 'violence.arson'].map((s) => Buffer.from(s))
  probes.push(clearMedia.subarray(0, 40))
  for (const f of [...stored, ...filesUnder(path.join(dataDir, 'tmp'))]) {
    const bytes = readFileSync(f)
    for (const p of probes) expect(bytes.includes(p), `${f} holds "${p.toString('latin1')}"`).toBe(false)
  }

  t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000007', categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn' }))
  const file = path.join(tempDir('tinjau-export-'), 'decisions.zip')
  await writeDecisionPack(exportSource(t), t.deviceKey(), file)
  const verified = await verifyDecisionPack(file)
  expect(verified.ok, JSON.stringify(verified)).toBe(true)
  t.close()

  // The same keys open it again; media and clip JSON read back clear.
  t = openTestTinjau(dataDir, { keys })
  try {
    expect(t.handlers['clip.get']({ clipId: 'clip-000007' }).account.handle).toBe('seller.clip-000007')
    const sha = t.store.sqlite.prepare("SELECT media_sha256 FROM clips WHERE id = 'clip-000001'").pluck().get() as string
    const reader = (await t.media.open(sha))!
    expect((await reader.read(0, reader.size)).equals(clearMedia)).toBe(true)
    await reader.close()
  } finally {
    t.close()
  }
})
