import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { expect } from 'vitest'
import type { PackedDecision } from '../../../shared/decision-pack-format'
import { HASHER_ID, type FrameHash } from '../../../shared/frame-hashes'
import { DecisionDraft } from '../../../shared/policy'
import type { Adjudication } from '../../../shared/sync-protocol'
// These helpers put the client against the real sync service; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import { rows, sql, textArray } from '../../../server/db/open'
// eslint-disable-next-line no-restricted-imports
import { canonicalDecision, DECISION_COLUMNS, packedFromRow, type StoredPacked } from '../../../server/ops/decisions'
// eslint-disable-next-line no-restricted-imports
import { listAdjudications } from '../../../server/ops/adjudications'
// eslint-disable-next-line no-restricted-imports
import type { TestServer } from '../../../server/testing/test-server'
import { DECISION_LINE } from '../../export/decision-pack'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../../testing/make-pack'
import { mulberry32 } from '../../testing/prng'
import type { Tinjau } from '../../tinjau'
import type { SyncClient } from '../sync-client'
import { syncClientFor } from './client-for'
import { FaultProxy, type FaultProxyOptions } from './fault-proxy'
import { openQuietProfile } from './open-profile'
import { TEAM_LIST_ID } from '../team-hashes'

/**
 * The pieces the fault, fuzz and kill tests share: devices (a real profile in its own data
 * folder, a sync client with tiny retry waits, a fault proxy of its own in front of the real
 * service), packs on disk, and the decisions as each side holds them, in one canonical form.
 */

/** Retry waits small enough for tests (the real ones are 0.5 s base, 30 s cap). */
export const TEST_BACKOFF = { baseMs: 2, factor: 2, capMs: 20 }

export function makeSyncClient(t: Tinjau, random: () => number, extra: Partial<ConstructorParameters<typeof SyncClient>[0]> = {}): SyncClient {
  return syncClientFor(t, {
    random,
    requestBackoff: TEST_BACKOFF,
    runBackoff: TEST_BACKOFF,
    maxAttempts: 4,
    timeoutMs: 20_000,
    ...extra,
  })
}

/** Restarts of one server, never two at once (several proxies may ask together). */
export function serialRestart(server: TestServer): () => Promise<void> {
  let current: Promise<void> | null = null
  return () => {
    current ??= server.restart().finally(() => {
      current = null
    })
    return current
  }
}

export interface Device {
  name: string
  reviewer: string
  dataDir: string
  t: Tinjau & { dataDir: string }
  client: SyncClient
  proxy: FaultProxy
  /** Reopens the profile from its folder (after a close), with a new client. */
  reopen(): void
  close(): void
}

export async function openDevice(
  server: TestServer,
  opts: { name: string; reviewer: string; seed: number; proxy: Omit<FaultProxyOptions, 'target' | 'random' | 'name'>; client?: Partial<ConstructorParameters<typeof SyncClient>[0]> },
): Promise<Device> {
  const proxy = await FaultProxy.start({ ...opts.proxy, target: server.url, random: mulberry32(opts.seed), name: opts.name })
  const clientRandom = mulberry32(opts.seed ^ 0x5bd1e995)
  const t = openQuietProfile()
  proxy.faults = false
  await t.sync.enroll(proxy.url, await server.ops.enrollmentCode(opts.reviewer))
  proxy.faults = true
  let open = true
  const device: Device = {
    name: opts.name,
    reviewer: opts.reviewer,
    dataDir: t.dataDir,
    t,
    client: makeSyncClient(t, clientRandom, opts.client),
    proxy,
    reopen() {
      if (open) throw new Error(`${opts.name} is open`)
      device.t = openQuietProfile(device.dataDir)
      device.client = makeSyncClient(device.t, clientRandom, opts.client)
      open = true
    },
    close() {
      if (!open) return
      open = false
      device.client.close()
      device.t.close()
    },
  }
  return device
}

/** A pack folder with clips `<prefix>-000…` (clip ids are global on the server: make the prefix unique). */
export function packFolder(prefix: string, n: number, opts: { mediaCount?: number; version?: number } = {}): { dir: string; packId: string; ids: string[] } {
  const dir = tempDir('tinjau-sync-pack-')
  const media = Array.from({ length: opts.mediaCount ?? 2 }, (_, i) => writeMedia(dir, `media/${prefix}-${i}.webm`, Buffer.from(`${prefix} media ${i} `.repeat(300 + i))))
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
  const packId = `pk-${prefix}`
  const v = opts.version ?? 1
  writeManifest(
    dir,
    makeManifest(
      ids.map((id, i) => makeClip(id, media[i % media.length]!, { priority: (i * 7 + v) % 100 })),
      { pack_id: packId, created_at: `2025-09-0${Math.min(9, v)}T08:00:00Z` },
    ),
  )
  return { dir, packId, ids }
}

export function removeDirs(dirs: string[]): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

// ---- the decisions, as each side holds them -----------------------------------------

export interface LocalDecisions {
  /** id → canonical form (server's canonicalDecision of the decision as pushed). */
  all: Map<string, string>
  acked: Set<string>
  rejected: Set<string>
  pending: Set<string>
}

/** Every decision in the profile, as the push sends it, and its outbox state. */
export function localDecisions(t: Tinjau): LocalDecisions {
  const list = t.store.sqlite
    .prepare(
      `SELECT ${DECISION_LINE} AS line, o.acked_at, o.rejected_at FROM decisions d JOIN clips c ON c.id = d.clip_id LEFT JOIN outbox o ON o.decision_id = d.id`,
    )
    .all() as { line: string; acked_at: string | null; rejected_at: string | null }[]
  const out: LocalDecisions = { all: new Map(), acked: new Set(), rejected: new Set(), pending: new Set() }
  for (const r of list) {
    const d = JSON.parse(r.line) as PackedDecision
    out.all.set(d.id, canonicalDecision(d))
    if (r.acked_at) out.acked.add(d.id)
    else if (r.rejected_at) out.rejected.add(d.id)
    else out.pending.add(d.id)
  }
  const total = t.store.sqlite.prepare('SELECT count(*) FROM decisions').pluck().get() as number
  if (total !== out.all.size) throw new Error(`the profile holds ${total} decisions, ${out.all.size} of them on clips it holds`)
  return out
}

/** The server's decisions of these reviewers: id → canonical form, and how many rows each id has. */
export async function serverDecisions(server: TestServer, reviewers: readonly string[]): Promise<{ byId: Map<string, string>; rows: (PackedDecision & { batch_id: string })[]; doubled: string[] }> {
  const list = (
    await rows<StoredPacked & { batch_id: string }>(
      server.db(),
      sql`SELECT ${DECISION_COLUMNS}, batch_id::text AS batch_id FROM decisions WHERE reviewer_id = ANY(${textArray([...reviewers])}) ORDER BY batch_id, id`,
    )
  ).map((r) => ({ ...packedFromRow(r), batch_id: r.batch_id }))
  const byId = new Map<string, string>()
  const doubled: string[] = []
  for (const d of list) {
    if (byId.has(d.id)) doubled.push(d.id)
    byId.set(d.id, canonicalDecision(d))
  }
  return { byId, rows: list, doubled }
}

/** Clip ids assigned now to the reviewer. */
export async function activeAssignments(server: TestServer, reviewer: string): Promise<string[]> {
  return (await rows<{ clip_id: string }>(server.db(), sql`SELECT clip_id FROM assignments WHERE reviewer_id = ${reviewer} AND active ORDER BY clip_id`)).map((r) => r.clip_id)
}

/** The server's clip objects (as the latest pack gave them). */
export async function serverClips(server: TestServer, ids: readonly string[]): Promise<Map<string, unknown>> {
  const list = await rows<{ id: string; json: string }>(server.db(), sql`SELECT id, json FROM clips WHERE id = ANY(${textArray([...ids])})`)
  return new Map(list.map((r) => [r.id, JSON.parse(r.json) as unknown]))
}

export function serverAdjudications(server: TestServer, reviewerId?: string): Promise<Adjudication[]> {
  return listAdjudications(server.db(), reviewerId === undefined ? {} : { reviewerId })
}

/** The clips in the profile: id → the clip object kept for it, and whether its media are in the store. */
export function localClips(t: Tinjau): Map<string, { raw: unknown; mediaPresent: boolean }> {
  const list = t.store.sqlite.prepare('SELECT id, raw_json FROM clips ORDER BY id').all() as { id: string; raw_json: string }[]
  const out = new Map<string, { raw: unknown; mediaPresent: boolean }>()
  for (const r of list) {
    const raw = JSON.parse(r.raw_json) as { media: { sha256: string } }
    out.set(r.id, { raw, mediaPresent: t.media.has(raw.media.sha256) })
  }
  return out
}

// ---- deciding -------------------------------------------------------------------------

const CHOICES: { action: string; categories: string[] }[] = [
  { action: 'allow', categories: ['ok.commerce'] },
  { action: 'remove', categories: ['violence.arson'] },
  { action: 'remove', categories: ['public_safety.coordination', 'violence.arson'] },
  { action: 'remove', categories: ['violence.arson', 'public_safety.coordination'] },
  { action: 'limit', categories: ['violence.arson'] },
  { action: 'label', categories: ['violence.arson'] },
]

/** The decision in force on a clip in this profile (the head of its chain), or null. */
export function inForce(t: Tinjau, clipId: string): string | null {
  return (t.store.sqlite.prepare('SELECT id FROM decisions d WHERE clip_id = ? AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)').pluck().get(clipId) as string | undefined) ?? null
}

/** Decide (or revise the decision in force on) a random clip of the profile; null when it holds no clip. */
export function decideRandom(t: Tinjau, random: () => number): { id: string; clipId: string; revises: string | null } | null {
  const clips = t.store.sqlite.prepare('SELECT id FROM clips ORDER BY id').pluck().all() as string[]
  if (clips.length === 0) return null
  const clipId = clips[Math.floor(random() * clips.length)]!
  const choice = CHOICES[Math.floor(random() * CHOICES.length)]!
  const revises = inForce(t, clipId)
  const record = t.handlers['decision.record'](
    DecisionDraft.parse({ clipId, categories: choice.categories, action: choice.action, rationale: choice.action === 'allow' ? '' : `why ${Math.floor(random() * 1e6)}`, revisesId: revises }),
  )
  return { id: record.id, clipId, revises }
}

// ---- invariants -----------------------------------------------------------------------

/**
 * Between steps, faults or not: no decision twice on the server; every decision a device
 * has marked acknowledged is on the server, identical; the server holds no decision of a
 * device that the device does not hold, identical; nothing was refused. `final`: and every
 * decision is acknowledged, and the server holds exactly the devices' decisions.
 */
export async function checkDecisions(server: TestServer, devices: readonly Pick<Device, 'name' | 'reviewer' | 't'>[], label: string, opts: { final?: boolean } = {}): Promise<void> {
  const reviewers = [...new Set(devices.map((d) => d.reviewer))]
  const held = await serverDecisions(server, reviewers)
  expect(held.doubled, `${label}: decisions stored twice`).toEqual([])
  const union = new Map<string, string>()
  for (const d of devices) {
    const local = localDecisions(d.t)
    for (const [id, c] of local.all) union.set(id, c)
    const deviceId = d.t.identity.deviceId
    const missing = [...local.acked].filter((id) => held.byId.get(id) !== local.all.get(id))
    expect(missing, `${label}: ${d.name} acked decisions the server does not hold as they are`).toEqual([])
    const strangers = held.rows.filter((r) => r.device_id === deviceId && local.all.get(r.id) !== held.byId.get(r.id)).map((r) => r.id)
    expect(strangers, `${label}: the server holds decisions of ${d.name} that it does not hold (or not as they are)`).toEqual([])
    expect([...local.rejected], `${label}: ${d.name} decisions refused by the server`).toEqual([])
    if (opts.final) {
      expect([...local.pending], `${label}: ${d.name} decisions still unacknowledged`).toEqual([])
    }
  }
  if (opts.final) {
    expect([...held.byId.keys()].sort(), `${label}: the server's decisions are not the devices' decisions`).toEqual([...union.keys()].sort())
    for (const [id, c] of union) expect(held.byId.get(id), `${label}: decision ${id} on the server`).toBe(c)
  }
}

// ---- media hashes ---------------------------------------------------------------------

/** The frames any device's hasher gives a media file: a function of the file, as a real hasher's are. */
export function framesOf(sha256: string): FrameHash[] {
  const hash = (i: number, k: number) => createHash('sha256').update(`${sha256}/${i}/${k}`).digest('hex')
  return [0, 1].map((i) => ({ tMs: i * 1000, hashes: [0, 1, 2, 3].map((k) => ({ hash: hash(i, k), quality: 50 + i * 10 + k })) }))
}

/** framesOf as the service and the profile's lists pack them: all hashes in one hex string. */
export const packedHex = (sha256: string): string => framesOf(sha256).flatMap((f) => f.hashes.map((h) => h.hash)).join('')

/** The device's hasher works through everything waiting; returns how many it hashed. */
export function hashWaiting(t: Tinjau): number {
  t.hashes.clipsChanged()
  let n = 0
  for (let job = t.hashes.next(); job; job = t.hashes.next()) {
    t.hashes.record({ outcome: 'hashed', sha256: job.sha256, hasher: HASHER_ID, frames: framesOf(job.sha256) })
    n++
  }
  return n
}

/** The service's media hashes of these clips' media: sha256 → hex. */
export async function serverMediaHashes(server: TestServer, clipIds: readonly string[]): Promise<Map<string, string>> {
  const list = await rows<{ sha256: string; hashes: string }>(
    server.db(),
    sql`SELECT sha256, encode(hashes, 'hex') AS hashes FROM media_hashes
        WHERE hasher = ${HASHER_ID} AND sha256 IN (SELECT media_sha256 FROM clips WHERE id = ANY(${textArray(clipIds)}))`,
  )
  return new Map(list.map((r) => [r.sha256, r.hashes]))
}

/** Media of the team's list a device holds (entries and frames waiting for a decision): sha256 → hex. */
export function teamMedia(t: Tinjau): Map<string, string> {
  const out = new Map<string, string>()
  const rows = t.store.sqlite
    .prepare(`SELECT media_sha256 AS sha256, hashes FROM hash_list_entries WHERE list_id = ? UNION ALL SELECT sha256, hashes FROM team_hashes_waiting`)
    .all(TEAM_LIST_ID) as { sha256: string; hashes: Buffer }[]
  for (const r of rows) out.set(r.sha256, r.hashes.toString('hex'))
  return out
}

/** Seeds from an environment variable: "1-50" or "3,8,13"; undefined when unset. */
export function seedsFrom(value: string | undefined): number[] | undefined {
  if (!value) return undefined
  const range = /^(\d+)-(\d+)$/.exec(value.trim())
  if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
  return value.split(',').map((s) => Number(s.trim()))
}
