import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { ProfileSession } from '../core/profile-session'
import { openTinjau, type Tinjau } from '../core/tinjau'
import { isEncryptedFile } from '../core/profile-crypto/chunked-file'
import { deriveProfileKeys, newMasterKey } from '../core/profile-crypto/profile-keys'
import { makeClip, makeManifest, makePack, sha256, tempDir, writeManifest, writeMedia } from '../core/testing/make-pack'
import { MEDIA_PROTOCOL } from '../shared/bridge'
import { liveProfile } from './live-profile'
import { mediaShaFromUrl, registerMediaProtocol, registerMediaScheme } from './media-protocol'
import { fake, resetFakeElectron } from './testing/fake-electron'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

test('the scheme is registered as privileged (standard, secure, stream, fetch, CORS for the hasher’s canvas)', () => {
  resetFakeElectron()
  registerMediaScheme()
  expect(fake.state.privilegedSchemes).toEqual([
    { scheme: 'tinjau-media', privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
  ])
})

describe('mediaShaFromUrl', () => {
  const sha = 'ab'.repeat(32)
  test('accepts exactly tinjau-media://media/<64 lowercase hex>', () => {
    expect(mediaShaFromUrl(`tinjau-media://media/${sha}`)).toBe(sha)
  })
  test.each([
    'tinjau-media://media/../../etc/passwd',
    'tinjau-media://media/%2e%2e/%2e%2e/etc/passwd',
    `tinjau-media://media/${sha.toUpperCase()}`,
    `tinjau-media://media/${sha}/extra`,
    `tinjau-media://media/${sha}/`,
    `tinjau-media://media/x/${sha}`,
    `tinjau-media://media/${sha}?x=1`,
    `tinjau-media://media/${sha}#t=1`,
    `tinjau-media://other/${sha}`,
    `tinjau-media://media:80/${sha}`,
    `tinjau-media://u@media/${sha}`,
    `tinjau-media://media/${sha.slice(1)}`,
    `tinjau-media://media/${sha}0`,
    `https://media/${sha}`,
    `file:///media/${sha}`,
  ])('refuses %s', (url) => {
    expect(mediaShaFromUrl(url)).toBeNull()
  })
})

describe('the registered protocol', () => {
  let tinjau: Tinjau
  let serve: (request: Request) => Response | Promise<Response>
  let sha: string
  let bytes: Buffer

  beforeAll(async () => {
    resetFakeElectron()
    vi.spyOn(console, 'error').mockImplementation(() => {})
    tinjau = openTinjau({ dataDir: tempDir('tinjau-data-'), resourcesDir: path.resolve('resources'), host: 'electron', version: '0.0.0' })
    const pack = makePack(1)
    bytes = readFileSync(path.join(pack, 'media', 'clip-0.webm'))
    sha = sha256(bytes)
    await tinjau.handlers['pack.importDirectory']({ path: pack })
    registerMediaProtocol(tinjau)
    serve = fake.state.protocolHandlers.get(MEDIA_PROTOCOL)!
  })
  afterAll(() => {
    tinjau.close()
    vi.restoreAllMocks()
  })

  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => Promise.resolve(serve(new Request(url, { method, headers })))

  test('serves a whole object with its recorded type', async () => {
    const res = await get(`tinjau-media://media/${sha}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('video/webm')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    // The hasher reads frames back through a canvas: without CORS a cross-origin source taints it.
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes)
  })

  test('serves a Range with 206 and Content-Range (video seeking)', async () => {
    const res = await get(`tinjau-media://media/${sha}`, { Range: 'bytes=10-29' })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes 10-29/${bytes.length}`)
    expect(res.headers.get('content-length')).toBe('20')
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(10, 30))

    const tail = await get(`tinjau-media://media/${sha}`, { Range: 'bytes=-5' })
    expect(tail.status).toBe(206)
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 5))
  })

  test('a range past the end is 416 with the size', async () => {
    const res = await get(`tinjau-media://media/${sha}`, { Range: `bytes=${bytes.length}-` })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
  })

  test('HEAD answers headers only', async () => {
    const res = await get(`tinjau-media://media/${sha}`, {}, 'HEAD')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
  })

  test.each([
    'tinjau-media://media/../../etc/passwd',
    'tinjau-media://media/%2e%2e/%2e%2e/etc/passwd',
    'tinjau-media://media/etc/passwd',
  ])('refuses %s with 400 and never touches the file system outside the store', async (url) => {
    expect((await get(url)).status).toBe(400)
  })

  test('refuses uppercase hex, extra segments, queries and other hosts', async () => {
    for (const url of [
      `tinjau-media://media/${sha.toUpperCase()}`,
      `tinjau-media://media/${sha}/x`,
      `tinjau-media://media/${sha}?download=1`,
      `tinjau-media://elsewhere/${sha}`,
    ]) {
      expect((await get(url)).status, url).toBe(400)
    }
  })

  test('an unknown hash is 404, a non-GET is 405', async () => {
    expect((await get(`tinjau-media://media/${'0'.repeat(64)}`)).status).toBe(404)
    expect((await get(`tinjau-media://media/${sha}`, {}, 'POST')).status).toBe(405)
  })
})

describe('the registered protocol over an encrypted profile', () => {
  let tinjau: Tinjau
  let serve: (request: Request) => Response | Promise<Response>
  let sha: string
  let bytes: Buffer

  beforeAll(async () => {
    resetFakeElectron()
    vi.spyOn(console, 'error').mockImplementation(() => {})
    tinjau = openTinjau({ dataDir: tempDir('tinjau-data-'), resourcesDir: path.resolve('resources'), host: 'electron', version: '0.0.0', keys: deriveProfileKeys(newMasterKey()) })
    const pack = tempDir('tinjau-pack-')
    // Several 64 KiB chunks and a short last one, so ranges cross chunk boundaries.
    bytes = Buffer.concat(Array.from({ length: 3 * 64 + 7 }, (_, i) => Buffer.alloc(1024, i % 251)))
    const m = writeMedia(pack, 'media/clip.webm', bytes)
    sha = m.sha256
    writeManifest(pack, makeManifest([makeClip('clip-enc', m)]))
    await tinjau.handlers['pack.importDirectory']({ path: pack })
    registerMediaProtocol(tinjau)
    serve = fake.state.protocolHandlers.get(MEDIA_PROTOCOL)!
  })
  afterAll(() => {
    tinjau.close()
    vi.restoreAllMocks()
  })

  const get = (headers: Record<string, string> = {}, method = 'GET') => Promise.resolve(serve(new Request(`tinjau-media://media/${sha}`, { method, headers })))

  test('the stored object is encrypted; the protocol serves it clear, whole', async () => {
    expect(isEncryptedFile(tinjau.media.pathFor(sha)!)).toBe(true)
    expect(readFileSync(tinjau.media.pathFor(sha)!).includes(bytes.subarray(70_000, 70_100))).toBe(false)
    const res = await get()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
  })

  test('ranges on clear offsets across chunks, HEAD and 416', async () => {
    for (const [range, start, end] of [
      ['bytes=65530-65545', 65_530, 65_545],
      ['bytes=1000-150000', 1000, 150_000],
      ['bytes=-10', bytes.length - 10, bytes.length - 1],
    ] as const) {
      const res = await get({ Range: range })
      expect(res.status, range).toBe(206)
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${bytes.length}`)
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range).toBe(true)
    }
    const head = await get({}, 'HEAD')
    expect(head.headers.get('content-length')).toBe(String(bytes.length))
    expect((await get({ Range: `bytes=${bytes.length}-` })).status).toBe(416)
  })
})

test('while the profile is locked the protocol answers 423 and serves nothing', async () => {
  resetFakeElectron()
  const session = new ProfileSession({ dataDir: tempDir('tinjau-data-'), open: () => Promise.reject(new Error('never opened in this test')) })
  expect(session.state).toBe('locked')
  registerMediaProtocol(liveProfile(session))
  const serve = fake.state.protocolHandlers.get(MEDIA_PROTOCOL)!
  const res = await serve(new Request(`tinjau-media://media/${'a'.repeat(64)}`))
  expect(res.status).toBe(423)
  expect(await res.text()).toBe('the profile is locked')
})
