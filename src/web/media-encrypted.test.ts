import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClipReader } from '../core/export/clip-json'
import { isEncryptedFile } from '../core/profile-crypto/chunked-file'
import { deriveProfileKeys, newMasterKey } from '../core/profile-crypto/profile-keys'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../core/testing/make-pack'
import { startFixture, type WebFixture } from './testing/web-fixture'

/**
 * The web host over an encrypted profile: a real pack imported, then every file the import
 * wrote under media/, packs/ and tmp/ searched for the clear media and the pack's strings,
 * and the media served back clear through the real HTTP route, whole and by range.
 */

const SECRET_TITLE = 'Siaran rahasia 51f0c'
const SECRET_CHAT = 'obrolan-tersembunyi-9d2e'
const SECRET_HANDLE = 'penjual.rahasia.77ab'

/** Bytes that look like nothing else on disk: a sha256 chain (many 64 KiB chunks, a short last one). */
function mediaBytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n)
  for (let at = 0, i = 0; at < n; at += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, at)
  return out
}

let fx: WebFixture
let big: Buffer
let small: Buffer
let bigSha: string
let smallSha: string
let empty: string

beforeAll(async () => {
  fx = await startFixture({ keys: deriveProfileKeys(newMasterKey()) })
  const root = tempDir('tinjau-pack-enc-')
  big = mediaBytes(5 * 64 * 1024 + 4321, 'big')
  small = mediaBytes(64 * 1024, 'small')
  const m1 = writeMedia(root, 'media/big.webm', big)
  const m2 = writeMedia(root, 'media/small.webm', small)
  const m3 = writeMedia(root, 'media/empty.webm', Buffer.alloc(0))
  bigSha = m1.sha256
  smallSha = m2.sha256
  empty = m3.sha256
  const clips = [
    makeClip('clip-enc-a', m1, { stream: { id: 'live-a', title: SECRET_TITLE, started_at: '2025-08-29T12:40:00+07:00', region: 'ID-JK', language: 'id', commerce: true, viewer_peak: 100 } }),
    makeClip('clip-enc-b', m2, { chat: [{ at_ms: 12_500, author: 'user123', text: SECRET_CHAT }] }),
    makeClip('clip-enc-c', m3, {
      account: { id: 'acct-c', handle: SECRET_HANDLE, display_name: 'Penjual', type: 'business', followers: 10, prior_strikes: 0 },
    }),
  ]
  writeManifest(root, makeManifest(clips, { pack_id: 'pk-encrypted-01' }))
  const res = await fx.api('pack.importDirectory', { path: root })
  expect(res.status, await res.clone().text()).toBe(200)
})
afterAll(async () => {
  await fx.close()
})

const media = (hash: string, init: RequestInit = {}) => fetch(`${fx.host.url}/media/${hash}?k=${fx.host.secret}`, init)

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
}

describe('an encrypted profile: media and pack.json files', () => {
  it('holds none of the clear media bytes or pack strings under media/, packs/ or tmp/', () => {
    const stored = ['media', 'packs'].flatMap((d) => filesUnder(path.join(fx.dataDir, d)))
    const files = [...stored, ...filesUnder(path.join(fx.dataDir, 'tmp'))]
    // Three media objects and one pack.json, each in the encrypted format.
    expect(stored).toHaveLength(4)
    for (const f of stored) expect(isEncryptedFile(f), f).toBe(true)
    const probes = [
      big.subarray(0, 48),
      big.subarray(200_000, 200_048),
      big.subarray(big.length - 40),
      small.subarray(65_000, 65_048),
      Buffer.from(SECRET_TITLE),
      Buffer.from(SECRET_CHAT),
      Buffer.from(SECRET_HANDLE),
      Buffer.from('clip-enc-a'),
      Buffer.from('tinjau.pack'),
    ]
    for (const f of files) {
      const bytes = readFileSync(f)
      for (const p of probes) expect(bytes.includes(p), `${f} holds ${p.subarray(0, 16).toString('hex')}`).toBe(false)
    }
  })

  it('reads the clips back: queue, clip detail and the exports’ pack.json reader', async () => {
    const page = fx.tinjau.handlers['queue.list']({ limit: 10, offset: 0 })
    expect(page.items.map((i) => i.id).sort()).toEqual(['clip-enc-a', 'clip-enc-b', 'clip-enc-c'])
    const a = fx.tinjau.handlers['clip.get']({ clipId: 'clip-enc-a' })
    expect(JSON.stringify(a)).toContain(SECRET_TITLE)
    const row = fx.tinjau.store.sqlite
      .prepare('SELECT manifest_sha256, json_offset, json_length, raw_json FROM clips WHERE id = ?')
      .get('clip-enc-b') as { manifest_sha256: string; json_offset: number; json_length: number; raw_json: string }
    const reader = new ClipReader(fx.tinjau.manifests, 1024)
    try {
      expect(JSON.parse(reader.text(row)).chat[0].text).toBe(SECRET_CHAT)
    } finally {
      reader.close()
    }
    expect(fx.tinjau.manifests.read(row.manifest_sha256, row.json_offset, row.json_length).toString()).toContain(SECRET_CHAT)
  })

  it('serves media clear, whole, with the clear size', async () => {
    for (const [sha, bytes] of [
      [bigSha, big],
      [smallSha, small],
      [empty, Buffer.alloc(0)],
    ] as const) {
      const res = await media(sha)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-length')).toBe(String(bytes.length))
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
    }
  })

  it('serves ranges on clear offsets (206, Content-Range), across chunk boundaries, and HEAD and 416', async () => {
    const n = big.length
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=65535-65536', 65_535, 65_536],
      ['bytes=100000-300000', 100_000, 300_000],
      [`bytes=${n - 1}-`, n - 1, n - 1],
      ['bytes=-5000', n - 5000, n - 1],
      [`bytes=200000-${n + 99}`, 200_000, n - 1],
    ]
    for (let k = 0; k < 20; k++) {
      const start = Math.floor(Math.random() * n)
      const end = Math.min(n - 1, start + Math.floor(Math.random() * 1024 * 1024))
      cases.push([`bytes=${start}-${end}`, start, end])
    }
    for (const [range, start, end] of cases) {
      const res = await media(bigSha, { headers: { Range: range } })
      expect(res.status, range).toBe(206)
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${n}`)
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1))
      expect(Buffer.from(await res.arrayBuffer()).equals(big.subarray(start, end + 1)), range).toBe(true)
    }
    const head = await media(bigSha, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(n))
    expect(await head.text()).toBe('')
    const past = await media(bigSha, { headers: { Range: `bytes=${n}-` } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${n}`)
  })

  it('a tampered object fails the request instead of serving altered bytes', async () => {
    const file = fx.tinjau.media.pathFor(smallSha)!
    const original = readFileSync(file)
    const bad = Buffer.from(original)
    bad[48 + 1000]! ^= 1
    writeFileSync(file, bad)
    try {
      const res = await media(smallSha)
      // Headers go out before the first chunk is read; the body then breaks off.
      await expect(res.arrayBuffer()).rejects.toThrow()
      const range = await media(smallSha, { headers: { Range: 'bytes=0-10' } })
      await expect(range.arrayBuffer()).rejects.toThrow()
    } finally {
      writeFileSync(file, original)
    }
    expect(Buffer.from(await (await media(smallSha)).arrayBuffer()).equals(small)).toBe(true)
  })
})
