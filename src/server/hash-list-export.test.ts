import { randomBytes } from 'node:crypto'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readHashList } from '../core/hash-lists/hash-list-file'
import { findPackageRoot } from '../core/package-root'
import { loadPolicy } from '../core/policy-loader'
import { tempDir } from '../core/testing/make-pack'
import type { MediaFrameHashes } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import { exportHashList, loadSigningKey, writeSigningKey } from './ops/hash-list-export'
import { buildProgram } from './program'
import type { TestPack } from './testing/fixtures'
import { startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import type { TestServer } from './testing/test-server'

/**
 * `tinjau-server hashlist export`: the team's decided media as a signed hash list, read back
 * with the app's own reader and compared with what the database holds.
 */

let server: TestServer
let pack: TestPack
let ana: TestDevice
let budi: TestDevice
let keyFile: string
const out = tempDir('tinjau-hashlist-export-')
const policy = loadPolicy(path.join(findPackageRoot(__dirname), 'resources'))

function frames(sha256: string, n: number, perFrame = 4, hasher = 'pdq/1fps/v2'): MediaFrameHashes {
  return {
    sha256,
    hasher,
    hashes_per_frame: perFrame,
    times_ms: Array.from({ length: n }, (_, i) => i * 1000 + 40),
    hashes: randomBytes(n * perFrame * 32).toString('hex'),
    qualities: Array.from({ length: n * perFrame }, (_, i) => (i * 13) % 101),
  }
}

async function push(device: TestDevice, decisions: ReturnType<TestDevice['decision']>[], hashes: MediaFrameHashes[]) {
  const res = await device.pushRaw(device.pushBody(decisions, undefined, hashes.length > 0 ? hashes : undefined))
  expect(res.status, await res.clone().text()).toBe(200)
}

interface DbRow {
  sha256: string
  hasher: string
  hashes: string
  qualities: string
  times_ms: number[]
}

async function held(): Promise<Map<string, DbRow>> {
  const list = await rows<DbRow>(server.db(), sql`SELECT sha256, hasher, encode(hashes, 'hex') AS hashes, encode(qualities, 'hex') AS qualities, times_ms FROM media_hashes`)
  return new Map(list.map((r) => [`${r.sha256}/${r.hasher}`, r]))
}

beforeAll(async () => {
  ;({ server, pack, devices: { ana, budi } } = await startReviewTeam({
    pack: { clips: 5 },
    // An outcome waits for every reviewer of a clip: budi reviews clip 2 only.
    reviewers: { ana: { assigned: (c) => c }, budi: { assigned: (c) => [c[2]!] } },
  }))
  const m = pack.media.map((x) => x.sha256)
  const c = pack.clipIds
  // 0: removed for arson (restricting); 1: allowed as news; 2: disputed (no decision in force);
  // 3: hashed with 2 hashes a frame, which pdq/1fps/v2 never gives; 4: decided, not hashed.
  await push(ana, [ana.decision(c[0]!), ana.decision(c[1]!, { action: 'allow', categories: ['ok.news'], ranges: [], rationale: 'reporting' })], [
    frames(m[0]!, 6),
    frames(m[1]!, 3),
    frames(m[0]!, 4, 1, 'pdq/1fps/v1'),
  ])
  await push(ana, [ana.decision(c[2]!), ana.decision(c[3]!), ana.decision(c[4]!)], [frames(m[2]!, 2), frames(m[3]!, 2, 2)])
  await push(budi, [budi.decision(c[2]!, { action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' })], [])
  keyFile = path.join(out, 'service.key')
}, 120_000)
afterAll(() => server?.stop())

describe('hashlist export', () => {
  it('writes a list the reader verifies, one entry per decided media and known hasher, as the database holds them', async () => {
    const { publicKey } = await writeSigningKey(keyFile)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const key = loadSigningKey(keyFile)
    expect(key.publicKey).toBe(publicKey)
    const file = path.join(out, 'team.hashlist')
    const r = await exportHashList(server.db(), policy, key, { id: 'hl-team', name: 'Team decisions', issuerName: 'Ops', out: file, now: new Date('2025-09-05T10:00:00Z') })
    expect(r).toMatchObject({ entries: 2, frames: 9, publicKey, skipped: { shape: 1, noCategories: 0 } })

    const { document, summary } = await readHashList(file)
    expect(summary).toMatchObject({ id: 'hl-team', name: 'Team decisions', issuerName: 'Ops', issuerPublicKey: publicKey, entries: 2, frames: 9 })
    const db = await held()
    const m = pack.media.map((x) => x.sha256)
    expect(document.entries.map((e) => e.id).sort()).toEqual([`${m[0]}/pdq/1fps/v2`, `${m[1]}/pdq/1fps/v2`].sort())
    for (const e of document.entries) {
      const row = db.get(e.id)!
      expect(e.frames.flatMap((f) => f.hashes.map((h) => h.hash)).join('')).toBe(row.hashes)
      expect(Buffer.from(e.frames.flatMap((f) => f.hashes.map((h) => h.quality))).toString('hex')).toBe(row.qualities)
      expect(e.frames.map((f) => f.t_ms)).toEqual(row.times_ms)
      expect(e).toMatchObject({ kind: 'video', media_sha256: row.sha256, hasher: 'pdq/1fps/v2' })
    }
    const byMedia = Object.fromEntries(document.entries.map((e) => [e.media_sha256, e]))
    expect(byMedia[m[0]!]!.decision).toMatchObject({
      action: 'remove',
      categories: ['violence.arson'],
      rationale: 'Calls to burn the market.',
      policy_id: 'live-safety',
      decided_by: 'ana',
      source_clip_id: pack.clipIds[0],
    })
    expect(byMedia[m[1]!]!.decision).toMatchObject({ action: 'allow', categories: ['ok.news'], source_clip_id: pack.clipIds[1] })
  })

  it('filters by action, category, restriction and time', async () => {
    const key = loadSigningKey(keyFile)
    const m = pack.media.map((x) => x.sha256)
    const exported = async (name: string, filter: Parameters<typeof exportHashList>[3] extends infer O ? Partial<O> : never) => {
      const file = path.join(out, `${name}.hashlist`)
      await exportHashList(server.db(), policy, key, { id: name, name, issuerName: 'Ops', out: file, ...filter })
      return (await readHashList(file)).document.entries.map((e) => e.media_sha256)
    }
    expect(await exported('removed', { actions: ['remove'] })).toEqual([m[0]])
    expect(await exported('news', { categories: ['ok.news', 'hate'] })).toEqual([m[1]])
    expect(await exported('restricting', { restricting: true })).toEqual([m[0]])
    expect(await exported('future', { since: '2999-01-01T00:00:00Z' })).toEqual([])
    expect((await exported('past', { since: '2000-01-01' })).sort()).toEqual([m[0], m[1]].sort())
  })

  it('runs as `tinjau-server hashlist key` and `hashlist export`, and a bad key is refused before anything is written', async () => {
    const cliKey = path.join(out, 'cli.key')
    const cliOut = path.join(out, 'cli.hashlist')
    const lines: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    const run = (args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'tinjau-server', ...args])
    await server.offline(async (place) => {
      const before = process.env.DATABASE_URL
      if (place.databaseUrl) process.env.DATABASE_URL = place.databaseUrl
      else delete process.env.DATABASE_URL
      process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write
      try {
        await run(['hashlist', 'key', cliKey])
        await expect(run(['hashlist', 'key', cliKey])).rejects.toThrow(/a file is there already/)
        await run(['hashlist', 'export', '--data-dir', place.dataDir, '--key', cliKey, '--out', cliOut, '--id', 'hl-cli', '--action', 'remove', 'allow', '--restricting'])
        const bad = path.join(out, 'not-a-key.pem')
        writeFileSync(bad, 'hello')
        const refused = path.join(out, 'refused.hashlist')
        await expect(run(['hashlist', 'export', '--data-dir', place.dataDir, '--key', bad, '--out', refused])).rejects.toThrow(/cannot be read as a private key/)
        expect(existsSync(refused)).toBe(false)
      } finally {
        process.stdout.write = write
        if (before === undefined) delete process.env.DATABASE_URL
        else process.env.DATABASE_URL = before
      }
    })
    const publicKey = /public key: (\S+)/.exec(lines.join(''))![1]
    const { document, summary } = await readHashList(cliOut)
    expect(summary).toMatchObject({ id: 'hl-cli', issuerPublicKey: publicKey, entries: 1 })
    expect(document.entries[0]!.media_sha256).toBe(pack.media[0]!.sha256)
    expect(lines.join('')).toContain(`1 media (6 frames) written to ${cliOut}`)
  }, 60_000)
})
