import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setSetting } from '../core/settings'
import { startFixture, type WebFixture } from './testing/web-fixture'

let fx: WebFixture
let uploads: string

beforeAll(async () => {
  fx = await startFixture()
  uploads = fx.tinjau.imports.uploadsDir
})
afterAll(async () => {
  await fx.close()
})

const upload = (body: BodyInit | null, headers: Record<string, string> = {}, secret: string | null = fx.host.secret) =>
  fetch(`${fx.host.url}/upload/pack`, {
    method: 'POST',
    headers: { ...(secret ? { Authorization: `Bearer ${secret}` } : {}), 'X-File-Name': encodeURIComponent('pk 01.zip'), ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)

const uploadsNow = () => (existsSync(uploads) ? readdirSync(uploads) : [])

describe('POST /upload/pack', () => {
  it('streams the body to a new file in the profile\'s uploads folder and answers its path', async () => {
    const bytes = Buffer.from('PK\u0003\u0004 not really a zip, but bytes all the same')
    const res = await upload(bytes)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { ok: true; value: { path: string; bytes: number } }
    expect(body.ok).toBe(true)
    expect(path.dirname(body.value.path)).toBe(uploads)
    expect(body.value.path).toMatch(/\.zip$/)
    expect(body.value.bytes).toBe(bytes.length)
    expect(readFileSync(body.value.path)).toEqual(bytes)
  })

  it('an import of an upload removes it afterwards, even when the import fails', async () => {
    const res = await upload(Buffer.from('not a pack at all'))
    const { value } = (await res.json()) as { value: { path: string } }
    const imported = await fx.api('pack.import', { path: value.path, importId: 'imp-upload-1' })
    expect(imported.status).toBe(422)
    expect(existsSync(value.path)).toBe(false)
  })

  it('refuses without the secret, and writes nothing', async () => {
    const before = uploadsNow()
    const res = await upload(Buffer.from('x'), {}, null)
    expect(res.status).toBe(401)
    expect(uploadsNow()).toEqual(before)
  })

  it('refuses an upload over the import limits, by its declared length or as it streams, and keeps nothing of it', async () => {
    setSetting(fx.tinjau.store.sqlite, 'import.max_pack_media_bytes', '64')
    setSetting(fx.tinjau.store.sqlite, 'import.max_manifest_bytes', '64')
    try {
      const before = uploadsNow()
      const declared = await upload(Buffer.alloc(1000))
      expect(declared.status).toBe(413)
      expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(/over the import limit of 128 bytes/)
      // No length up front: the host counts what arrives and stops past the limit.
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(100))
          c.close()
        },
      })
      const streamed = await upload(stream)
      expect(streamed.status).toBe(413)
      expect(uploadsNow()).toEqual(before)
    } finally {
      setSetting(fx.tinjau.store.sqlite, 'import.max_pack_media_bytes', String(64 * 1024 ** 3))
      setSetting(fx.tinjau.store.sqlite, 'import.max_manifest_bytes', String(512 * 1024 ** 2))
    }
  })

  it('stale uploads are cleared when the profile opens again', async () => {
    const res = await upload(Buffer.from('left behind by a host that stopped'))
    const { value } = (await res.json()) as { value: { path: string } }
    expect(existsSync(value.path)).toBe(true)
    fx.tinjau.imports.clearStaleUploads()
    expect(existsSync(value.path)).toBe(false)
  })
})
