import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { HASH_LIST_LIMITS, type HashListDocument } from '../../shared/hash-list-format'
import { setTrustedIssuerKeys } from '../settings'
import { refusedWithoutChangeAsync } from '../testing/expect-refused'
import { tempDir } from '../testing/make-pack'
import { writeZip } from '../testing/make-zip'
import { openTestTinjau } from '../testing/open-test-tinjau'
import type { Tinjau } from '../tinjau'
import { hashListJson } from './hash-list-file'
import { importHashList } from './import-hash-list'
import { makeEntry, makeHashListDoc, makeIssuerKey, randomFrames, writeTestHashList } from './testing/make-hash-list'

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function profile() {
  const t = openTestTinjau()
  open.push(t)
  return t
}

const key = makeIssuerKey()
const count = (t: Tinjau, table: string) => t.store.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
const entryIds = (t: Tinjau) => t.store.sqlite.prepare('SELECT entry_id FROM hash_list_entries ORDER BY entry_id').pluck().all()

/** A zip of this JSON text and its signature by `signer`. */
function signed(json: string | Buffer, signer = key): string {
  const bytes = Buffer.from(json)
  return writeZip([{ name: 'hashlist.json', data: bytes }, { name: 'hashlist.sig', data: signer.sign(bytes), method: 'stored' }])
}

describe('importing a hash list', () => {
  test('puts the list and its entries in the profile and reports what it added', async () => {
    const t = profile()
    const doc = makeHashListDoc(key, [makeEntry('e1'), makeEntry('e2', { hasher: 'vpdq', frames: randomFrames(3, 1, 2) })])
    const r = await t.handlers['hashlist.import']({ path: await writeTestHashList(doc, key) })
    expect(r).toMatchObject({ outcome: 'added', entriesAdded: 2, entriesReplaced: 0, entriesRemoved: 0, previousCreatedAt: null, issuerPinned: false })
    expect(r.list).toMatchObject({ id: doc.id, source: 'hashlist', name: doc.name, createdAt: doc.created_at, issuerName: doc.issuer.name, issuerPublicKey: key.publicKey, entries: 2, frames: 8 })
    expect(t.handlers['hashlist.list']({}).lists).toEqual([r.list])
    expect(entryIds(t)).toEqual(['e1', 'e2'])
    const detail = t.hashLists.detail(doc.id, 'e1')
    expect(detail?.decision).toEqual(doc.entries[0]!.decision)
    // The frames read back as written.
    const stored = [...t.hashLists.allEntries()].find((e) => e.entryId === 'e2')!
    expect(stored.hashesPerFrame).toBe(1)
    expect([...stored.timesMs]).toEqual([0, 1000, 2000])
    expect([...stored.qualities]).toEqual([80, 80, 80])
  })

  test('the same file again changes nothing; a newer version replaces the older whole; an older one is refused', async () => {
    const t = profile()
    const v1 = makeHashListDoc(key, [makeEntry('e1'), makeEntry('e2')])
    const file1 = await writeTestHashList(v1, key)
    await t.handlers['hashlist.import']({ path: file1 })
    const again = await refusedWithoutChangeOrSame(t, () => t.handlers['hashlist.import']({ path: file1 }))
    expect(again.outcome).toBe('unchanged')

    const v2 = makeHashListDoc(key, [makeEntry('e2', { label: 'relabelled' }), makeEntry('e3')], { created_at: '2025-09-06T10:00:00.000Z', name: 'Jakarta riots v2' })
    const r = await t.handlers['hashlist.import']({ path: await writeTestHashList(v2, key) })
    expect(r).toMatchObject({ outcome: 'replaced', entriesAdded: 1, entriesReplaced: 1, entriesRemoved: 1, previousCreatedAt: v1.created_at })
    expect(entryIds(t)).toEqual(['e2', 'e3'])
    expect(t.hashLists.detail(v1.id, 'e2')?.label).toBe('relabelled')
    expect(count(t, 'hash_lists')).toBe(1)

    const err = await refusedWithoutChangeAsync(t, () => t.handlers['hashlist.import']({ path: file1 }))
    expect(err.code).toBe('conflict')
    expect(err.message).toContain(`version ${v1.created_at} is older than the version in this profile (${v2.created_at}); nothing changed`)
    // The same version with other contents is two lists claiming one version: refused.
    const clash = makeHashListDoc(key, [makeEntry('e9')], { created_at: v2.created_at, name: 'Jakarta riots v2' })
    const clashErr = await refusedWithoutChangeAsync(t, () => t.handlers['hashlist.import']({ path: signed(hashListJson(clash)) }))
    expect(clashErr.message).toContain('already in this profile with other contents')
  })

  test('trust: with trusted issuer keys set, a list by another key is refused; by a trusted one it is pinned', async () => {
    const t = profile()
    const other = makeIssuerKey()
    setTrustedIssuerKeys(t.store.sqlite, [other.publicKey])
    const file = await writeTestHashList(makeHashListDoc(key, [makeEntry('e1')]), key)
    const err = await refusedWithoutChangeAsync(t, () => t.handlers['hashlist.import']({ path: file }))
    expect(err.message).toContain(`the list is signed by ${key.publicKey} (Trust & Safety lead), which is not one of this profile's trusted issuer keys (setting import.trusted_issuer_keys)`)
    expect(count(t, 'hash_lists')).toBe(0)
    setTrustedIssuerKeys(t.store.sqlite, [other.publicKey, key.publicKey])
    expect((await t.handlers['hashlist.import']({ path: file })).issuerPinned).toBe(true)
  })

  const doc = () => makeHashListDoc(key, [makeEntry('e1'), makeEntry('e2')])
  const hostile: [string, () => Promise<string> | string, RegExp][] = [
    [
      'a wrong signature',
      () => {
        const json = hashListJson(doc())
        return writeZip([{ name: 'hashlist.json', data: Buffer.from(json.toString().replace('"remove"', '"allow"')) }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }])
      },
      /hashlist\.sig: does not verify against issuer\.public_key/,
    ],
    [
      'a bad hash',
      () => {
        const d = doc() as HashListDocument
        d.entries[1]!.frames[3]!.hashes[0]!.hash = 'g'.repeat(64)
        return signed(JSON.stringify(d))
      },
      /hashlist\.json entries\[1\] \(id "e2"\) frames\.3\.hashes\.0\.hash: 64 lowercase hex characters/,
    ],
    [
      'a quality out of range',
      () => {
        const d = doc() as HashListDocument
        d.entries[0]!.frames[0]!.hashes[1]!.quality = 250
        return signed(JSON.stringify(d))
      },
      /entries\[0\] \(id "e1"\) frames\.0\.hashes\.1\.quality/,
    ],
    ['too many entries', () => signed(JSON.stringify({ ...doc(), entries: new Array(HASH_LIST_LIMITS.maxEntries + 1).fill({}) })), /entries: holds 100001 entries, over the limit of 100000/],
    [
      'a zip bomb (a size that lies)',
      () => writeZip([{ name: 'hashlist.json', data: Buffer.alloc(20 * 1024 * 1024, 0x20), uncompressedSize: 1000 }, { name: 'hashlist.sig', data: Buffer.alloc(64), method: 'stored' }]),
      /zip: entry hashlist\.json: cannot be read \(too many bytes in the stream/,
    ],
    [
      'an entry declared over the size limit',
      () => writeZip([{ name: 'hashlist.json', data: '{}', uncompressedSize: HASH_LIST_LIMITS.maxJsonBytes + 1 }, { name: 'hashlist.sig', data: Buffer.alloc(64), method: 'stored' }]),
      /zip: entry hashlist\.json is 268435457 bytes, more than the limit of 268435456/,
    ],
    [
      'an extra zip entry',
      async () => {
        const json = hashListJson(doc())
        return writeZip([{ name: 'hashlist.json', data: json }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }, { name: 'media/x.mp4', data: 'x' }])
      },
      /zip: unexpected entry "media\/x\.mp4"; expected exactly hashlist\.json and hashlist\.sig/,
    ],
    [
      'a truncated zip',
      async () => {
        const whole = readFileSync(await writeTestHashList(doc(), key))
        const cut = path.join(tempDir(), 'cut.zip')
        writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)))
        return cut
      },
      /zip: not a readable zip file/,
    ],
  ]
  test.each(hostile)('refuses %s with a clear error, changing nothing', async (_what, make, message) => {
    const t = profile()
    await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('keep')], { id: 'other-list' }), key) })
    const file = await make()
    const err = await refusedWithoutChangeAsync(t, () => t.handlers['hashlist.import']({ path: file }))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toMatch(/^hash list .* cannot be imported: /)
    expect(err.message).toMatch(message)
    expect(entryIds(t)).toEqual(['keep'])
  }, 60_000)

  test('refuses an oversized file before opening it, changing nothing', async () => {
    const t = profile()
    const file = await writeTestHashList(doc(), key)
    const size = readFileSync(file).length
    const err = await refusedWithoutChangeAsync(t, () => importHashList(t.hashLists, { trustedIssuerKeys: [] }, file, { maxFileBytes: size - 1 }))
    expect(err.message).toContain(`file: is ${size} bytes, over the limit of ${size - 1} bytes for a hash list`)
    expect(count(t, 'hash_list_entries')).toBe(0)
  })

  test('tells a hash list from a pack by its contents, whatever its name', async () => {
    const t = profile()
    const list = await writeTestHashList(doc(), key, path.join(tempDir(), 'looks-like-a-pack.zip'))
    expect(await t.handlers['file.kind']({ path: list })).toEqual({ kind: 'hashlist' })
    const pack = writeZip([{ name: 'pack.json', data: '{}' }])
    expect(await t.handlers['file.kind']({ path: pack })).toEqual({ kind: 'pack' })
  })
})

/** The same file imported again: answered, and no row of any table changed. */
async function refusedWithoutChangeOrSame<T>(t: Tinjau, act: () => Promise<T>): Promise<T> {
  const { snapshotRows } = await import('../testing/store-snapshot')
  const before = snapshotRows(t.store.sqlite)
  const out = await act()
  expect(snapshotRows(t.store.sqlite)).toEqual(before)
  return out
}
