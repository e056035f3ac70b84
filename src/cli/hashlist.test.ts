import path from 'node:path'
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { tempDir } from '../core/testing/make-pack'
import { writeZip } from '../core/testing/make-zip'
import { hashListJson } from '../core/hash-lists/hash-list-file'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../core/hash-lists/testing/make-hash-list'
import { storeRows, tinjau } from './testing/run-tinjau'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('hashlist import and ls: imports a signed list, says what it did, refuses a tampered one changing nothing', async () => {
  const root = tempDir('tinjau-cli-')
  made.push(root)
  const dataDir = path.join(root, 'profile')
  const key = makeIssuerKey()
  expect((await tinjau(dataDir, 'hashlist', 'ls')).stdout).toBe('No hash lists in this profile.\n')

  const v1 = makeHashListDoc(key, [makeEntry('e1'), makeEntry('e2')])
  const file = await writeTestHashList(v1, key, path.join(root, 'riots.zip'))
  const imported = await tinjau(dataDir, 'hashlist', 'import', file)
  expect(imported.code).toBe(0)
  expect(imported.stdout).toContain(`Hash list "Jakarta riots, known footage" (hl-jkt-riots, version ${v1.created_at}) from Trust & Safety lead [${key.publicKey}]: imported 2 entries (10 frames).`)
  expect(imported.stdout).toContain('trusts any issuer')
  expect((await tinjau(dataDir, 'hashlist', 'import', file)).stdout).toContain('already imported, nothing changed.')

  const v2 = makeHashListDoc(key, [makeEntry('e2'), makeEntry('e3'), makeEntry('e4')], { created_at: '2025-10-01T00:00:00.000Z' })
  const replaced = await tinjau(dataDir, 'hashlist', 'import', await writeTestHashList(v2, key, path.join(root, 'riots-v2.zip')), '--json')
  expect(JSON.parse(replaced.stdout)).toMatchObject({ outcome: 'replaced', entriesAdded: 2, entriesReplaced: 1, entriesRemoved: 1 })
  expect((await tinjau(dataDir, 'hashlist', 'ls')).stdout).toBe(
    `hl-jkt-riots\tJakarta riots, known footage\thashlist\tTrust & Safety lead\t2025-10-01T00:00:00.000Z\t3 entries\t15 frames\n`,
  )

  // Tampered after signing: refused, exit code 2, and not a row of the profile changed.
  const json = hashListJson({ ...v2, created_at: '2025-11-01T00:00:00.000Z' })
  const tampered = writeZip([{ name: 'hashlist.json', data: Buffer.from(json.toString().replace('"remove"', '"allow"')) }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }], { file: path.join(root, 'bad.zip') })
  const before = storeRows(dataDir)
  const refused = await tinjau(dataDir, 'hashlist', 'import', tampered)
  expect(refused.code).toBe(2)
  expect(refused.stderr).toMatch(/hash list .*bad\.zip cannot be imported: hashlist\.sig: does not verify against issuer\.public_key/)
  expect(storeRows(dataDir)).toEqual(before)

  // Removed: the list and its entries leave; an unknown id is refused.
  expect((await tinjau(dataDir, 'hashlist', 'rm', 'hl-jkt-riots')).stdout).toBe('Removed hash list hl-jkt-riots.\n')
  const rows = storeRows(dataDir)
  expect([rows.hash_lists, rows.hash_list_entries]).toEqual([[], []])
  expect(before.hash_list_entries).toHaveLength(3)
  const unknown = await tinjau(dataDir, 'hashlist', 'rm', 'hl-jkt-riots')
  expect(unknown.code).not.toBe(0)
  expect(unknown.stderr).toContain('no hash list "hl-jkt-riots" in this profile')
}, 60_000)
