import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { MediaStore } from '../media-store'
import { tempDir } from '../testing/make-pack'
import { mulberry32 } from '../testing/prng'
import { withRetries } from './backoff'
import { retryVerdict, SyncHttp, SyncRequestError } from './http'
import { isEncryptedFile } from '../profile-crypto/chunked-file'
import { downloadMedia, partialPath } from './media-download'

const TOKEN = 'test-token-0123456789abcdef0123456789abcdef'
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** How the server answers the next requests for media; reset before each test. */
interface Behaviour {
  /** By sha256: the bytes served under that name (may be wrong on purpose). */
  files: Map<string, Buffer>
  /** Close the connection after this many body bytes, for the next `drops` responses. */
  dropAfter: number
  drops: number
  /** The cut waits until the client's partial file is at least this long (encrypted: header and whole chunks). */
  cutOnceFileHas: number
  ignoreRange: boolean
  ranges: (string | null)[]
  auth: (string | null)[]
}

let server: http.Server
let base: string
const b: Behaviour = { files: new Map(), dropAfter: 0, drops: 0, cutOnceFileHas: 1, ignoreRange: false, ranges: [], auth: [] }

/** Resolves once the download of `sha256` has b.cutOnceFileHas bytes in its partial file (or after 10 s, so a client that keeps fewer fails the test's own checks). */
async function untilPartHasBytes(sha256: string): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 5))) {
    if ((statSync(partialPath(tmp, sha256), { throwIfNoEntry: false })?.size ?? 0) >= b.cutOnceFileHas) return
  }
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const name = req.url?.split('/').pop() ?? ''
    const file = b.files.get(name)
    b.ranges.push(req.headers.range ?? null)
    b.auth.push(req.headers.authorization ?? null)
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'no such media' } }))
      return
    }
    let start = 0
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    if (m && !b.ignoreRange) {
      start = Number(m[1])
      if (start >= file.length) {
        res.writeHead(416, { 'content-range': `bytes */${file.length}` }).end()
        return
      }
      res.writeHead(206, { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}`, 'content-length': file.length - start, 'tinjau-protocol': '1' })
    } else {
      res.writeHead(200, { 'content-length': file.length, 'tinjau-protocol': '1' })
    }
    const body = file.subarray(start)
    if (b.drops > 0) {
      b.drops--
      // Part of the body, then the connection is cut: the client sees an error mid-body. Cut
      // once the client has written some of it to its partial file: bytes it has received but
      // not yet read when the cut comes are lost with the stream (on a busy machine, all of
      // them), and these tests are about resuming from bytes that were kept.
      res.write(body.subarray(0, b.dropAfter), () => void untilPartHasBytes(name).then(() => res.socket?.destroy()))
      return
    }
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

let media: MediaStore
let tmp: string
let httpClient: SyncHttp

beforeEach(() => {
  b.files.clear()
  b.dropAfter = 0
  b.drops = 0
  b.cutOnceFileHas = 1
  b.ignoreRange = false
  b.ranges = []
  b.auth = []
  const root = tempDir('tinjau-media-dl-')
  media = new MediaStore(path.join(root, 'media'), path.join(root, 'tmp'))
  tmp = path.join(root, 'tmp')
  httpClient = new SyncHttp({ baseUrl: base, token: () => TOKEN, timeoutMs: 5_000 })
})

const opts = () => ({ http: httpClient, media, tmpDir: tmp, stallMs: 2_000 })

describe('resumable media download', () => {
  test('a connection cut mid-body leaves a partial file; the next attempt asks for the rest only and places the checked file', async () => {
    const data = randomBytes(300_000)
    const hash = sha(data)
    b.files.set(hash, data)
    b.drops = 1
    b.dropAfter = 120_000
    const err = await downloadMedia(opts(), { sha256: hash, bytes: data.length }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncRequestError)
    expect((err as SyncRequestError).kind).toBe('network')
    expect((err as SyncRequestError).retryable).toBe(true)
    expect((err as Error).message).not.toContain(TOKEN)
    expect(media.has(hash)).toBe(false)
    const part = partialPath(tmp, hash)
    const kept = readFileSync(part)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(data.length)
    expect(kept.equals(data.subarray(0, kept.length))).toBe(true)

    expect(await downloadMedia(opts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual([null, `bytes=${kept.length}-`])
    expect(b.auth.every((a) => a === `Bearer ${TOKEN}`)).toBe(true)
    expect(readFileSync(media.pathFor(hash)!).equals(data)).toBe(true)
    expect(existsSync(part)).toBe(false)
    // Already there: no request at all.
    expect(await downloadMedia(opts(), { sha256: hash, bytes: data.length })).toBe('present')
    expect(b.ranges).toHaveLength(2)
  })

  test('with retries, several cuts in a row still end in one whole file', async () => {
    const data = randomBytes(200_000)
    const hash = sha(data)
    b.files.set(hash, data)
    b.drops = 3
    b.dropAfter = 30_000
    const outcome = await withRetries(() => downloadMedia(opts(), { sha256: hash, bytes: data.length }), {
      policy: { baseMs: 1, factor: 2, capMs: 10 },
      maxAttempts: 5,
      random: mulberry32(3),
      verdict: retryVerdict,
    })
    expect(outcome).toBe('downloaded')
    expect(b.ranges).toHaveLength(4)
    expect(b.ranges[0]).toBeNull()
    // Every retry continued from what had arrived.
    for (const r of b.ranges.slice(1)) expect(r).toMatch(/^bytes=[1-9]\d*-$/)
    expect(sha(readFileSync(media.pathFor(hash)!))).toBe(hash)
  })

  test('bytes that do not hash to the name are refused: nothing placed, the partial file removed', async () => {
    const data = randomBytes(50_000)
    const hash = sha(data)
    b.files.set(hash, randomBytes(50_000))
    const err = await downloadMedia(opts(), { sha256: hash, bytes: data.length }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncRequestError)
    expect((err as SyncRequestError).kind).toBe('invalid_response')
    expect((err as Error).message).toMatch(/not the declared sha256/)
    expect(media.has(hash)).toBe(false)
    expect(existsSync(partialPath(tmp, hash))).toBe(false)
  })

  test('a partial file with wrong bytes costs one refused attempt; the next starts from zero and succeeds', async () => {
    const data = randomBytes(80_000)
    const hash = sha(data)
    b.files.set(hash, data)
    writeFileSync(partialPath(tmp, hash), randomBytes(10_000))
    await expect(downloadMedia(opts(), { sha256: hash, bytes: data.length })).rejects.toThrow(/not the declared sha256/)
    expect(await downloadMedia(opts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual(['bytes=10000-', null])
    expect(readFileSync(media.pathFor(hash)!).equals(data)).toBe(true)
  })

  test('a server that ignores Range sends the whole file, which replaces the partial one', async () => {
    const data = randomBytes(64_000)
    const hash = sha(data)
    b.files.set(hash, data)
    b.ignoreRange = true
    writeFileSync(partialPath(tmp, hash), data.subarray(0, 5_000))
    expect(await downloadMedia(opts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual(['bytes=5000-'])
    expect(readFileSync(media.pathFor(hash)!).equals(data)).toBe(true)
  })

  test('more bytes than the clip declares are refused before they fill the disk', async () => {
    const data = randomBytes(40_000)
    const hash = sha(data)
    b.files.set(hash, data)
    const err = await downloadMedia(opts(), { sha256: hash, bytes: 10_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncRequestError)
    expect((err as Error).message).toMatch(/announced 40000 bytes|more than the 10000 bytes/)
    expect(media.has(hash)).toBe(false)
    expect(existsSync(partialPath(tmp, hash))).toBe(false)
  })

  test('a 404 is final, not retried', async () => {
    const hash = sha(Buffer.from('missing'))
    const err = await downloadMedia(opts(), { sha256: hash, bytes: 7 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncRequestError)
    expect((err as SyncRequestError).status).toBe(404)
    expect((err as SyncRequestError).retryable).toBe(false)
  })
})

describe('resumable media download into an encrypted profile', () => {
  const key = randomBytes(32)
  let sealed: MediaStore
  const sealedOpts = () => ({ http: httpClient, media: sealed, tmpDir: tmp, stallMs: 2_000 })
  beforeEach(() => {
    sealed = new MediaStore(path.join(path.dirname(tmp), 'media'), tmp, key)
  })

  async function clearOf(hash: string): Promise<Buffer> {
    const reader = (await sealed.open(hash))!
    try {
      return await reader.read(0, reader.size)
    } finally {
      await reader.close()
    }
  }

  test('a cut download keeps only whole encrypted chunks, resumes from the last one, and places an encrypted object', async () => {
    const data = randomBytes(300_000)
    const hash = sha(data)
    b.files.set(hash, data)
    b.drops = 1
    b.dropAfter = 150_000
    b.cutOnceFileHas = 48 + 2 * (65_536 + 16)
    await expect(downloadMedia(sealedOpts(), { sha256: hash, bytes: data.length })).rejects.toBeInstanceOf(SyncRequestError)
    const part = partialPath(tmp, hash)
    const kept = readFileSync(part)
    // Header + two whole 64 KiB chunks (131,072 clear bytes), none of them in the clear.
    expect(kept.length).toBe(48 + 2 * (65_536 + 16))
    expect(isEncryptedFile(part)).toBe(true)
    expect(kept.includes(data.subarray(0, 64))).toBe(false)
    expect(kept.includes(data.subarray(70_000, 70_064))).toBe(false)

    expect(await downloadMedia(sealedOpts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual([null, 'bytes=131072-'])
    const placed = sealed.pathFor(hash)!
    expect(isEncryptedFile(placed)).toBe(true)
    expect(readFileSync(placed).includes(data.subarray(200_000, 200_064))).toBe(false)
    expect(sealed.size(hash)).toBe(data.length)
    expect((await clearOf(hash)).equals(data)).toBe(true)
    expect(existsSync(part)).toBe(false)
  })

  test('a partial file that is not ours (or under another key) is started over; wrong bytes are refused and removed', async () => {
    const data = randomBytes(100_000)
    const hash = sha(data)
    b.files.set(hash, data)
    writeFileSync(partialPath(tmp, hash), randomBytes(10_000))
    expect(await downloadMedia(sealedOpts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual([null])
    expect((await clearOf(hash)).equals(data)).toBe(true)

    const other = randomBytes(70_000)
    const otherHash = sha(other)
    b.files.set(otherHash, randomBytes(70_000))
    await expect(downloadMedia(sealedOpts(), { sha256: otherHash, bytes: other.length })).rejects.toThrow(/not the declared sha256/)
    expect(sealed.has(otherHash)).toBe(false)
    expect(existsSync(partialPath(tmp, otherHash))).toBe(false)
  })

  test('a server that ignores Range: the whole file replaces the kept chunks', async () => {
    const data = randomBytes(200_000)
    const hash = sha(data)
    b.files.set(hash, data)
    b.drops = 1
    b.dropAfter = 100_000
    b.cutOnceFileHas = 48 + 65_536 + 16
    await expect(downloadMedia(sealedOpts(), { sha256: hash, bytes: data.length })).rejects.toBeInstanceOf(SyncRequestError)
    b.ignoreRange = true
    expect(await downloadMedia(sealedOpts(), { sha256: hash, bytes: data.length })).toBe('downloaded')
    expect(b.ranges).toEqual([null, 'bytes=65536-'])
    expect((await clearOf(hash)).equals(data)).toBe(true)
  })
})
