import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest, startFixture, type WebFixture } from './testing/web-fixture'

let fx: WebFixture
let sha: string
let bytes: Buffer

beforeAll(async () => {
  fx = await startFixture()
  const packDir = fx.pack(2)
  const manifest = JSON.parse(readFileSync(path.join(packDir, 'pack.json'), 'utf8'))
  sha = manifest.clips[0].media.sha256
  bytes = readFileSync(path.join(packDir, manifest.clips[0].media.path))
  const res = await fx.api('pack.importDirectory', { path: packDir })
  expect(res.status).toBe(200)
})
afterAll(async () => {
  await fx.close()
})

const media = (hash: string, init: RequestInit = {}, withKey = true) =>
  fetch(`${fx.host.url}/media/${hash}${withKey ? `?k=${fx.host.secret}` : ''}`, init)

describe('GET /media/:sha', () => {
  it('serves the whole object with its stored type and immutable caching', async () => {
    const res = await media(sha)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('video/webm')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes)
  })

  it('accepts the secret as a Bearer header too, and nothing else', async () => {
    const bearer = await media(sha, { headers: { Authorization: `Bearer ${fx.host.secret}` } }, false)
    expect(bearer.status).toBe(200)
    await bearer.arrayBuffer()
    expect((await media(sha, {}, false)).status).toBe(401)
    const wrong = await fetch(`${fx.host.url}/media/${sha}?k=nope`)
    expect(wrong.status).toBe(401)
    expect((await wrong.json()).error.code).toBe('unauthorized')
  })

  it('serves a single range with 206 and the right bytes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=10-19', 10, 19],
      ['bytes=100-', 100, bytes.length - 1],
      ['bytes=-16', bytes.length - 16, bytes.length - 1],
      [`bytes=0-${bytes.length + 100}`, 0, bytes.length - 1],
    ]
    for (const [range, start, end] of cases) {
      const res = await media(sha, { headers: { Range: range } })
      expect(res.status, range).toBe(206)
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${bytes.length}`)
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1))
      expect(Buffer.from(await res.arrayBuffer()), range).toEqual(bytes.subarray(start, end + 1))
    }
  })

  it('answers an unsatisfiable range with 416', async () => {
    for (const range of [`bytes=${bytes.length}-`, `bytes=${bytes.length + 5}-${bytes.length + 9}`, 'bytes=-0']) {
      const res = await media(sha, { headers: { Range: range } })
      expect(res.status, range).toBe(416)
      expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
    }
  })

  it('ignores a range it does not serve (multi-range, other units, last before first) and sends it all', async () => {
    for (const range of ['bytes=0-1,4-5', 'items=0-1', 'bytes=abc', 'bytes=20-10']) {
      const res = await media(sha, { headers: { Range: range } })
      expect(res.status, range).toBe(200)
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes)
    }
  })

  it('answers HEAD without a body', async () => {
    const res = await media(sha, { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(await res.text()).toBe('')
  })

  it('refuses anything but 64 lowercase hex with 400', async () => {
    for (const bad of ['..%2F..%2Fpackage.json', '..%2f..%2ftinjau.sqlite', 'g'.repeat(64), sha.toUpperCase(), sha.slice(0, 63), `${sha}0`]) {
      const res = await media(bad)
      expect(res.status, bad).toBe(400)
      expect((await res.json()).error.code).toBe('invalid_input')
    }
  })

  it('never lets a path reach the file system', async () => {
    const res = await rawRequest(fx.host.port, `/media/../tinjau.sqlite?k=${fx.host.secret}`)
    expect(res.status).toBe(404)
    const deeper = await rawRequest(fx.host.port, `/media/${sha.slice(0, 2)}/../../tinjau.sqlite?k=${fx.host.secret}`)
    expect(deeper.status).toBe(404)
    expect(deeper.body).not.toContain('SQLite')
    // As written (fetch would normalise them first) these are not hashes. A bare `%2e%2e`
    // segment is resolved as `..` by URL parsing itself, so it never reaches this route.
    for (const p of ['%2e%2e%2ftinjau.sqlite', `..%2f${sha.slice(0, 2)}%2f${sha}`]) {
      expect((await rawRequest(fx.host.port, `/media/${p}?k=${fx.host.secret}`)).status, p).toBe(400)
    }
  })

  it('answers an unknown hash with 404', async () => {
    const res = await media('0'.repeat(64))
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('not_found')
  })
})
