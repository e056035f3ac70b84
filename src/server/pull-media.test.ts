import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PackClip } from '../shared/field-pack'
import { AssignmentsResponse, SyncErrorBody } from '../shared/sync-protocol'
import { mediaBytes, writeTestPack } from './testing/fixtures'
import { TestDevice } from './testing/test-device'
import { startTestServer, type TestServer } from './testing/test-server'

let server: TestServer
let pack: ReturnType<typeof writeTestPack>

beforeAll(async () => {
  server = await startTestServer()
  pack = writeTestPack(7)
  expect(await server.ops.loadPack(pack.dir)).toEqual({ packId: pack.packId, clips: 7 })
}, 120_000)
afterAll(() => server?.stop())

async function device(reviewer: string): Promise<TestDevice> {
  await server.ops.addReviewer(reviewer, reviewer.toUpperCase())
  const d = new TestDevice(server.url)
  await d.enroll(await server.ops.enrollmentCode(reviewer))
  return d
}

async function pull(d: TestDevice, cursor: string, limit?: number) {
  const q = new URLSearchParams({ cursor, ...(limit ? { limit: String(limit) } : {}) })
  const res = await d.request('GET', `/v1/assignments?${q}`)
  expect(res.status).toBe(200)
  return AssignmentsResponse.parse(await res.json())
}

describe('pull by cursor', () => {
  it('pages through assignments, then shows an unassign as a change', async () => {
    const d = await device('citra')
    const empty = await pull(d, '')
    expect(empty).toEqual({ packs: [], changes: [], cursor: '', more: false })

    expect(await server.ops.assign(pack.packId, 'citra')).toBe(7)
    // Assigning what is held already changes nothing.
    expect(await server.ops.assign(pack.packId, 'citra', [pack.clipIds[0]!])).toBe(0)

    const seen: string[] = []
    let cursor = ''
    const pages: boolean[] = []
    for (;;) {
      const page = await pull(d, cursor, 3)
      for (const c of page.changes) {
        expect(c.kind).toBe('assigned')
        if (c.kind === 'assigned') {
          seen.push(c.clip.id)
          expect(c.pack_id).toBe(pack.packId)
        }
      }
      expect(page.packs.map((p) => p.pack_id)).toEqual(page.changes.length > 0 ? [pack.packId] : [])
      pages.push(page.more)
      cursor = page.cursor
      if (!page.more) break
    }
    expect(pages).toEqual([true, true, false])
    expect(seen).toEqual(pack.clipIds)

    const again = await pull(d, cursor)
    expect(again.changes).toEqual([])
    expect(again.cursor).toBe(cursor)

    expect(await server.ops.unassign(pack.packId, 'citra', [pack.clipIds[2]!])).toBe(1)
    const after = await pull(d, cursor)
    expect(after.changes).toHaveLength(1)
    expect(after.changes[0]).toMatchObject({ kind: 'unassigned', pack_id: pack.packId, clip_id: pack.clipIds[2] })
    expect(after.cursor).not.toBe(cursor)
  })

  it('sends the clip exactly as the pack gave it, unknown fields included, and the pack header', async () => {
    const d = await device('dewi')
    await server.ops.assign(pack.packId, 'dewi', [pack.clipIds[1]!])
    const page = await pull(d, '')
    const change = page.changes[0]!
    if (change.kind !== 'assigned') throw new Error('expected an assignment')
    expect(PackClip.parse(change.clip).id).toBe(pack.clipIds[1])
    expect((change.clip as Record<string, unknown>).vendor_ref).toBe('V-1')
    expect(page.packs[0]).toMatchObject({ pack_id: pack.packId, signed: false, extra: { batch: 'b-7' }, issuer: { name: 'T&S Test' } })
    expect(page.packs[0]!.manifest_sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('sends a held clip again when a newer pack changes it', async () => {
    const d = await device('hana')
    const v1 = writeTestPack(2, { packId: 'pk-versions', clipPrefix: 'ver' })
    await server.ops.loadPack(v1.dir)
    await server.ops.assign('pk-versions', 'hana')
    const first = await pull(d, '')
    expect(first.changes).toHaveLength(2)
    // The same clip ids in a new version of the pack, one with a changed priority.
    const manifest = JSON.parse(readFileSync(path.join(v1.dir, 'pack.json'), 'utf8'))
    manifest.clips[1].priority = 99
    writeFileSync(path.join(v1.dir, 'pack.json'), JSON.stringify(manifest))
    await server.ops.loadPack(v1.dir)
    const next = await pull(d, first.cursor)
    expect(next.changes).toHaveLength(1)
    const change = next.changes[0]!
    expect(change.kind === 'assigned' && change.clip.id).toBe(v1.clipIds[1])
    expect(change.kind === 'assigned' && change.clip.priority).toBe(99)
  })

  it('refuses a cursor it did not give and a limit out of range', async () => {
    const d = await device('eka')
    for (const q of ['cursor=abc', 'limit=0', 'limit=5000', 'other=1']) {
      const res = await d.request('GET', `/v1/assignments?${q}`)
      expect(res.status).toBe(400)
      expect(SyncErrorBody.parse(await res.json()).error.code).toBe('invalid_request')
    }
  })
})

describe('media', () => {
  it('serves assigned media whole and by range, and refuses a range past the end', async () => {
    const d = await device('fajar')
    await server.ops.assign(pack.packId, 'fajar', [pack.clipIds[3]!])
    const m = pack.media[3]!
    const bytes = mediaBytes(pack.dir, m)

    const whole = await d.request('GET', `/v1/media/${m.sha256}`)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('video/webm')
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true)

    const part = await d.request('GET', `/v1/media/${m.sha256}`, { headers: { range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)

    const rest = await d.request('GET', `/v1/media/${m.sha256}`, { headers: { range: `bytes=${bytes.length - 5}-` } })
    expect(rest.status).toBe(206)
    expect(Buffer.from(await rest.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true)

    const past = await d.request('GET', `/v1/media/${m.sha256}`, { headers: { range: `bytes=${bytes.length}-` } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
  })

  it('refuses media of clips not assigned to the reviewer, or no longer', async () => {
    const d = await device('gita')
    await server.ops.assign(pack.packId, 'gita', [pack.clipIds[4]!])
    const notMine = await d.request('GET', `/v1/media/${pack.media[5]!.sha256}`)
    expect(notMine.status).toBe(403)
    expect(SyncErrorBody.parse(await notMine.json()).error.code).toBe('forbidden')
    const unknown = await d.request('GET', `/v1/media/${'0'.repeat(64)}`)
    expect(unknown.status).toBe(403)
    const notAHash = await d.request('GET', '/v1/media/..%2f..%2fetc%2fpasswd')
    expect(notAHash.status).toBe(400)

    expect((await d.request('GET', `/v1/media/${pack.media[4]!.sha256}`)).status).toBe(200)
    await server.ops.unassign(pack.packId, 'gita')
    expect((await d.request('GET', `/v1/media/${pack.media[4]!.sha256}`)).status).toBe(403)
  })
})
