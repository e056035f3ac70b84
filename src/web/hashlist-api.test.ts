import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashListJson } from '../core/hash-lists/hash-list-file'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../core/hash-lists/testing/make-hash-list'
import { zipBytes } from '../core/testing/make-zip'
import { snapshotRows } from '../core/testing/store-snapshot'
import { startFixture, type WebFixture } from './testing/web-fixture'

/** A hash list over the web host, as the browser sends it: uploaded, recognised by its contents, imported; the upload then removed. */

let fx: WebFixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(async () => {
  await fx.close()
})

async function uploaded(bytes: Buffer): Promise<string> {
  const res = await fetch(`${fx.host.url}/upload/pack`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${fx.host.secret}`, 'X-File-Name': encodeURIComponent('known.zip') },
    body: new Uint8Array(bytes),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { value: { path: string } }).value.path
}

const key = makeIssuerKey()

describe('hash lists over the web host', () => {
  it('an uploaded list is told by its contents and imported; the upload is removed', async () => {
    const doc = makeHashListDoc(key, [makeEntry('e1')])
    const file = await uploaded(readFileSync(await writeTestHashList(doc, key)))
    const kind = await fx.api('file.kind', { path: file })
    expect(await kind.json()).toEqual({ ok: true, value: { kind: 'hashlist' } })
    const res = await fx.api('hashlist.import', { path: file })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, value: { outcome: 'added', entriesAdded: 1, list: { id: doc.id, issuerPublicKey: key.publicKey } } })
    expect(existsSync(file)).toBe(false)
    expect(await (await fx.api('hashlist.list')).json()).toMatchObject({ ok: true, value: { lists: [{ id: doc.id, entries: 1 }] } })
  })

  it('a tampered list is refused with invalid_input saying where, nothing changes, and the upload is removed', async () => {
    const doc = makeHashListDoc(key, [makeEntry('e1')], { created_at: '2026-01-01T00:00:00.000Z' })
    const json = hashListJson(doc)
    const bad = zipBytes([{ name: 'hashlist.json', data: Buffer.from(json.toString().replace('"remove"', '"allow"')) }, { name: 'hashlist.sig', data: key.sign(json), method: 'stored' }])
    const file = await uploaded(bad)
    const before = snapshotRows(fx.tinjau.store.sqlite)
    const res = await fx.api('hashlist.import', { path: file })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { ok: false; error: { code: string; message: string; details: { path: string }[] } }
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.message).toMatch(/hashlist\.sig: does not verify against issuer\.public_key/)
    expect(body.error.details[0]?.path).toBe('hashlist.sig')
    expect(snapshotRows(fx.tinjau.store.sqlite)).toEqual(before)
    expect(existsSync(file)).toBe(false)
  })
})
