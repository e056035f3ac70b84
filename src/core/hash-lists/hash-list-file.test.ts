import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { HASHER_ID } from '../../shared/frame-hashes'
import { HASH_LIST_LIMITS, type HashListDocument } from '../../shared/hash-list-format'
import { TinjauError } from '../../shared/errors'
import { tempDir } from '../testing/make-pack'
import { writeZip, type ZipEntrySpec } from '../testing/make-zip'
import { readKnownZip } from '../export/zip-read'
import { encodeHashList, hashListJson, looksLikeHashList, readHashList } from './hash-list-file'
import { makeEntry, makeHashListDoc, makeIssuerKey, randomFrames, writeTestHashList } from './testing/make-hash-list'

const key = makeIssuerKey()

/** A zip of hashlist.json as given and its signature by `signer` (the issuer key unless said). */
function signedZip(json: Buffer | string, signer = key, extra: ZipEntrySpec[] = []): string {
  const bytes = Buffer.from(json)
  return writeZip([{ name: 'hashlist.json', data: bytes }, { name: 'hashlist.sig', data: signer.sign(bytes), method: 'stored' }, ...extra])
}

async function refusal(file: string, opts?: Parameters<typeof readHashList>[1]): Promise<TinjauError> {
  const err = await readHashList(file, opts).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TinjauError)
  expect((err as TinjauError).code).toBe('invalid_input')
  return err as TinjauError
}

describe('hash list file', () => {
  test('round trip: what is written reads back the same, signed over the exact JSON bytes', async () => {
    const doc = makeHashListDoc(key, [
      makeEntry('e1'),
      makeEntry('e2', { kind: 'image', hasher: 'pdq', frames: randomFrames(1, 1, 7), media_sha256: 'a'.repeat(64) }),
      makeEntry('e3', { hasher: 'vpdq', frames: randomFrames(30, 1, 9) }),
    ])
    const file = await writeTestHashList(doc, key)
    const read = await readHashList(file)
    expect(read.document).toEqual(doc)
    expect(read.summary).toEqual({ id: doc.id, name: doc.name, createdAt: doc.created_at, issuerName: doc.issuer.name, issuerPublicKey: key.publicKey, entries: 3, frames: 36 })
    expect(read.json.equals(hashListJson(doc))).toBe(true)
    // One entry a line, as documented.
    expect(read.json.toString().split('\n')).toHaveLength(6)
    const zip = await readKnownZip(file, { entries: { 'hashlist.json': 1e8, 'hashlist.sig': 64 } })
    expect(zip.ok && zip.entries.get('hashlist.sig')?.length).toBe(64)
    expect(await looksLikeHashList(file)).toBe(true)
  })

  test('the signature covers bytes, not meaning: the same document spelled differently is refused', async () => {
    const doc = makeHashListDoc(key, [makeEntry('e1')])
    const json = hashListJson(doc)
    const respelled = Buffer.from(JSON.stringify(doc, null, 2))
    const file = writeZip([{ name: 'hashlist.json', data: respelled }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }])
    const err = await refusal(file)
    expect(err.message).toContain('hashlist.sig: does not verify against issuer.public_key')
    // The same bytes re-zipped another way (stored, not deflated) still verify.
    const stored = writeZip([{ name: 'hashlist.json', data: json, method: 'stored' }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }])
    expect((await readHashList(stored)).document).toEqual(doc)
  })

  test('one changed byte, or a signature by another key than the one named, is refused', async () => {
    const doc = makeHashListDoc(key, [makeEntry('e1')])
    const json = hashListJson(doc)
    const changed = Buffer.from(json.toString().replace('remove', 'ignore'))
    const file = writeZip([{ name: 'hashlist.json', data: changed }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }])
    expect((await refusal(file)).details?.[0]?.path).toBe('hashlist.sig')
    const other = makeIssuerKey()
    expect((await refusal(signedZip(json, other))).message).toContain('signed by another key')
  })

  test('the writer refuses a document the reader would refuse, and a key other than the issuer', async () => {
    const bad = makeHashListDoc(key, [makeEntry('e1', { frames: [{ t_ms: 0, hashes: [{ hash: 'XYZ', quality: 50 }] }] })])
    await expect(encodeHashList(bad, key)).rejects.toThrow(/entries\[0\] \(id "e1"\) frames\.0\.hashes\.0\.hash: 64 lowercase hex/)
    await expect(encodeHashList(makeHashListDoc(key, []), makeIssuerKey())).rejects.toThrow(/being signed with/)
  })

  const broken: [string, (d: HashListDocument) => void, RegExp][] = [
    ['a hash not 64 lowercase hex', (d) => (d.entries[0]!.frames[1]!.hashes[2]!.hash = 'AB'.repeat(32)), /entries\[0\] \(id "e1"\) frames\.1\.hashes\.2\.hash: 64 lowercase hex characters/],
    ['a quality over 100', (d) => (d.entries[0]!.frames[0]!.hashes[0]!.quality = 101), /entries\[0\] \(id "e1"\) frames\.0\.hashes\.0\.quality: .*100/],
    ['a negative quality', (d) => (d.entries[0]!.frames[0]!.hashes[0]!.quality = -1), /quality: .*0/],
    ['frame times going back', (d) => (d.entries[0]!.frames[2]!.t_ms = 500), /frames: frame times \(t_ms\) must increase/],
    ['one hash a frame from hasher v2', (d) => (d.entries[0]!.frames[0]!.hashes = d.entries[0]!.frames[0]!.hashes.slice(0, 1)), /hasher pdq\/1fps\/v2 gives 4 hash\(es\) a frame/],
    ['five hashes a frame', (d) => d.entries[0]!.frames[0]!.hashes.push(d.entries[0]!.frames[0]!.hashes[0]!), /frames\.0\.hashes: .*4/],
    ['an unknown hasher', (d) => ((d.entries[0] as { hasher: string }).hasher = 'md5'), /entries\[0\] \(id "e1"\) hasher/],
    ['an unknown field', (d) => ((d.entries[0] as Record<string, unknown>).extra = 1), /entries\[0\] \(id "e1"\).*extra/],
    ['a decision without categories', (d) => (d.entries[0]!.decision.categories = []), /decision\.categories/],
    ['two entries with one id', (d) => d.entries.push({ ...d.entries[0]! }), /entries\[1\] \(id "e1"\) id: entry id "e1" appears more than once/],
    ['another format', (d) => ((d as { format: string }).format = 'tinjau.decisions'), /format: is "tinjau.decisions", not "tinjau.hashlist"/],
    ['another version', (d) => ((d as { version: number }).version = 2), /version: 2 is not supported/],
    ['a label too long', (d) => (d.entries[0]!.label = 'x'.repeat(HASH_LIST_LIMITS.maxLabelLength + 1)), /label/],
  ]
  test.each(broken)('refuses %s, saying where', async (_what, change, message) => {
    const doc = makeHashListDoc(key, [makeEntry('e1')]) as HashListDocument
    change(doc)
    const err = await refusal(signedZip(JSON.stringify(doc)))
    expect(err.message).toMatch(message)
    expect(err.message).toMatch(/^hash list .* cannot be imported: hashlist\.json /)
  })

  test('refuses too many entries and too many frames before checking each', async () => {
    const many = { ...makeHashListDoc(key, []), entries: Array.from({ length: HASH_LIST_LIMITS.maxEntries + 1 }, () => ({})) }
    expect((await refusal(signedZip(JSON.stringify(many)))).message).toContain(`holds ${HASH_LIST_LIMITS.maxEntries + 1} entries, over the limit of ${HASH_LIST_LIMITS.maxEntries}`)
    const frames = Array.from({ length: HASH_LIST_LIMITS.maxFramesTotal / 10_000 + 1 }, () => ({ frames: new Array(10_000).fill(0) }))
    const heavy = { ...makeHashListDoc(key, []), entries: frames }
    expect((await refusal(signedZip(JSON.stringify(heavy)))).message).toContain(`over the limit of ${HASH_LIST_LIMITS.maxFramesTotal}`)
  })

  test('refuses an oversized file before opening it, and an oversized or bombed entry before inflating it', async () => {
    const file = await writeTestHashList(makeHashListDoc(key, [makeEntry('e1', { hasher: 'vpdq', frames: randomFrames(200, 1, 3) })]), key)
    const size = readFileSync(file).length
    expect((await refusal(file, { maxFileBytes: size - 1 })).message).toContain(`file: is ${size} bytes, over the limit of ${size - 1} bytes`)
    expect((await refusal(file, { maxJsonBytes: 1000 })).message).toMatch(/entry hashlist\.json is \d+ bytes, more than the limit of 1000/)
    // A zip bomb whose directory lies about its size: stopped at the limit while inflating.
    const bomb = Buffer.alloc(5_000_000, 0x20)
    const lying = writeZip([{ name: 'hashlist.json', data: bomb, uncompressedSize: 100 }, { name: 'hashlist.sig', data: Buffer.alloc(64), method: 'stored' }])
    expect((await refusal(lying, { maxJsonBytes: 1000 })).message).toMatch(/hashlist\.json/)
  })

  test('refuses extra entries, a missing signature, a bad signature size, path tricks, a truncated zip and a file that is no zip', async () => {
    const doc = makeHashListDoc(key, [makeEntry('e1')])
    const json = hashListJson(doc)
    expect((await refusal(signedZip(json, key, [{ name: 'readme.txt', data: 'hi' }]))).message).toContain('unexpected entry "readme.txt"')
    expect((await refusal(signedZip(json, key, [{ name: '../hashlist.json', data: 'x' }]))).message).toContain('invalid relative path: ../hashlist.json')
    expect((await refusal(writeZip([{ name: 'hashlist.json', data: json }]))).message).toContain('entry hashlist.sig is missing')
    expect((await refusal(writeZip([{ name: 'hashlist.json', data: json }, { name: 'hashlist.sig', data: 'c2ln', method: 'stored' }]))).message).toContain('hashlist.sig: is 4 bytes')
    const whole = readFileSync(await writeTestHashList(doc, key))
    const cut = path.join(tempDir(), 'cut.zip')
    writeFileSync(cut, whole.subarray(0, whole.length - 30))
    expect((await refusal(cut)).message).toMatch(/zip: not a readable zip file/)
    const text = path.join(tempDir(), 'list.zip')
    writeFileSync(text, JSON.stringify(doc))
    expect((await refusal(text)).message).toMatch(/zip: not a readable zip file/)
    expect(await looksLikeHashList(text)).toBe(false)
    expect((await refusal(path.join(tempDir(), 'absent.zip'))).message).toMatch(/file: cannot be read/)
  })

  test('an industry-style vPDQ list (one hash a frame, no media hash) is a valid list', async () => {
    const doc = makeHashListDoc(key, [
      makeEntry('te-1', { hasher: 'vpdq', media_sha256: null, frames: randomFrames(3, 1, 5), decision: { ...makeEntry('x').decision, policy_id: null, policy_version: null, decided_by: null, decided_at: null } }),
    ])
    const read = await readHashList(await writeTestHashList(doc, key))
    expect(read.document.entries[0]!.hasher).toBe('vpdq')
    expect(HASHER_ID).toBe('pdq/1fps/v2')
  })
})
