import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgreementReport } from '../shared/lead-api'
import type { PackedDecision } from '../shared/decision-pack-format'
import { tempDir } from '../core/testing/make-pack'
import { migrationsFolder, rows, sql, type Db } from './db/open'
import * as schema from './db/schema'
import { cohensKappa, confusionMatrix, fleissKappa, percentAgreement, perCategoryKappa, perLabelKappa, type LabelPair } from './ops/agreement-stats'
import { refreshDecisionPairs } from './ops/decision-pairs'
import { agreementReport, type ReportWindow } from './ops/qa'
import type { TestPack } from './testing/fixtures'
import { createTestDatabase } from './testing/pg-template'
import { startReviewTeam } from './testing/review-team'
import type { TestDevice } from './testing/test-device'
import { realPostgresUrl, type TestServer } from './testing/test-server'

/**
 * decision_pairs and the agreement report that reads it, against what this file derives
 * itself from decision_heads, after random pushes, revisions and decision packs by five
 * reviewers (ties on decided_at, three and four reviewers on a clip, decisions naming another
 * pack); and migration 0005 filling the table for a service that held heads before it.
 */

const REVIEWERS = ['ana', 'budi', 'cita', 'dedi', 'eka']
const ACTIONS = ['allow', 'remove', 'label', 'limit']
const CATEGORIES = ['violence.arson', 'ok.news', 'hate', 'misinformation', 'ok.commerce']
const BASE = Date.parse('2026-11-02T08:00:00.000Z')
/** decided_at falls on one of 13 slots five minutes apart, so reviewers often tie. */
const slot = (i: number) => new Date(BASE + i * 300_000).toISOString()

/** Deterministic, so a failure can be replayed (mulberry32). */
function random(seed: number) {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! }
}

interface Head {
  clip_id: string
  reviewer_id: string
  decision_id: string
  pack_id: string
  action: string
  categories: string[]
  escalation_target: string | null
  decided_at: string
}

interface Pair {
  clip_id: string
  pack_id: string | null
  clip_heads: number
  first_reviewer: string
  second_reviewer: string
  first_action: string
  second_action: string
  both: string[]
  first_only: string[]
  second_only: string[]
  first_at: string
  second_at: string
}

const utc = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`)

async function readHeads(db: Db): Promise<Head[]> {
  return rows<Head>(
    db,
    sql`SELECT clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, ${utc('decided_at')} AS decided_at
          FROM decision_heads ORDER BY clip_id, reviewer_id`,
  )
}

async function readPairs(db: Db): Promise<Pair[]> {
  const stored = await rows<Pair>(
    db,
    sql`SELECT clip_id, pack_id, clip_heads, first_reviewer, second_reviewer, first_action, second_action,
               to_jsonb(both_categories) AS both, to_jsonb(first_categories) AS first_only, to_jsonb(second_categories) AS second_only,
               ${utc('first_at')} AS first_at, ${utc('second_at')} AS second_at
          FROM decision_pairs`,
  )
  return sortPairs(stored.map((p) => ({ ...p, both: [...p.both].sort(), first_only: [...p.first_only].sort(), second_only: [...p.second_only].sort() })))
}

interface StoredDecision {
  id: string
  clip_id: string
  reviewer_id: string
  revises_id: string | null
  pack_id: string
  action: string
  categories: string[]
  escalation_target: string | null
  decided_at: string
}

/**
 * Each reviewer's decision in force per clip, from every stored decision, as docs/outcomes.md
 * defines it: of the decisions no other revises, the latest by decided_at (as an instant),
 * then by id. What pushes keep in decision_heads must equal it.
 */
async function deriveHeads(db: Db): Promise<Head[]> {
  const all = await rows<StoredDecision>(
    db,
    sql`SELECT id, clip_id, reviewer_id, revises_id, pack_id, action, categories, escalation_target, decided_at FROM decisions`,
  )
  const revised = new Set(all.flatMap((d) => (d.revises_id === null ? [] : [d.revises_id])))
  const best = new Map<string, StoredDecision>()
  for (const d of all) {
    if (revised.has(d.id)) continue
    const key = `${d.clip_id}\u0000${d.reviewer_id}`
    const held = best.get(key)
    const t = Date.parse(d.decided_at)
    if (!held || t > Date.parse(held.decided_at) || (t === Date.parse(held.decided_at) && d.id > held.id)) best.set(key, d)
  }
  const heads = [...best.values()].map((d) => ({
    clip_id: d.clip_id,
    reviewer_id: d.reviewer_id,
    decision_id: d.id,
    pack_id: d.pack_id,
    action: d.action,
    categories: d.categories,
    escalation_target: d.escalation_target,
    // As readHeads prints it: microseconds, UTC.
    decided_at: new Date(Date.parse(d.decided_at)).toISOString().replace('Z', '000Z'),
  }))
  return heads.sort((a, b) => (a.clip_id < b.clip_id ? -1 : a.clip_id > b.clip_id ? 1 : a.reviewer_id < b.reviewer_id ? -1 : 1))
}

function sortPairs(pairs: Pair[]): Pair[] {
  const key = (p: Pair) => `${p.clip_id}\u0000${p.first_reviewer}\u0000${p.second_reviewer}`
  return pairs.sort((x, y) => (key(x) < key(y) ? -1 : 1))
}

/** Earlier → later by decided_at, then reviewer id (the ids here order the same in every collation). */
function byTime(a: Head, b: Head): number {
  return a.decided_at < b.decided_at ? -1 : a.decided_at > b.decided_at ? 1 : a.reviewer_id < b.reviewer_id ? -1 : 1
}

function headsByClip(heads: readonly Head[]): Map<string, Head[]> {
  const byClip = new Map<string, Head[]>()
  for (const h of heads) byClip.set(h.clip_id, [...(byClip.get(h.clip_id) ?? []), h])
  for (const list of byClip.values()) list.sort(byTime)
  return byClip
}

function derivePairs(heads: readonly Head[]): Pair[] {
  const pairs: Pair[] = []
  for (const [clip, list] of headsByClip(heads)) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i]!
        const y = list[j]!
        const cx = new Set(x.categories)
        const cy = new Set(y.categories)
        pairs.push({
          clip_id: clip,
          pack_id: x.pack_id === y.pack_id ? x.pack_id : null,
          clip_heads: list.length,
          first_reviewer: x.reviewer_id,
          second_reviewer: y.reviewer_id,
          first_action: x.action,
          second_action: y.action,
          both: [...cx].filter((c) => cy.has(c)).sort(),
          first_only: [...cx].filter((c) => !cy.has(c)).sort(),
          second_only: [...cy].filter((c) => !cx.has(c)).sort(),
          first_at: x.decided_at,
          second_at: y.decided_at,
        })
      }
    }
  }
  return sortPairs(pairs)
}

/** The report as docs/outcomes.md defines it, from the heads, with the pure functions of agreement-stats.ts. */
function deriveReport(heads: readonly Head[], w: ReportWindow): Omit<AgreementReport, 'from' | 'to' | 'pack_id'> {
  const from = w.from === undefined ? null : new Date(w.from).getTime()
  const to = w.to === undefined ? null : new Date(w.to).getTime()
  const inWindow = heads.filter((h) => {
    const t = Date.parse(h.decided_at)
    return (from === null || t >= from) && (to === null || t < to) && (w.packId === undefined || h.pack_id === w.packId)
  })
  const clips = [...headsByClip(inWindow).values()].filter((list) => list.length >= 2)
  const ordered: [Head, Head][] = clips.flatMap((list) => list.flatMap((x, i) => list.slice(i + 1).map((y) => [x, y] as [Head, Head])))
  const actions: LabelPair[] = ordered.map(([x, y]) => [x.action, y.action])
  const byReviewers = new Map<string, LabelPair[]>()
  for (const [x, y] of ordered) {
    const [a, b] = x.reviewer_id < y.reviewer_id ? [x, y] : [y, x]
    const key = `${a.reviewer_id}\u0000${b.reviewer_id}`
    byReviewers.set(key, [...(byReviewers.get(key) ?? []), [a.action, b.action]])
  }
  return {
    clips: clips.length,
    percent_agreement: percentAgreement(actions),
    fleiss_kappa: fleissKappa(clips.map((list) => list.map((h) => h.action))).kappa,
    pairs: [...byReviewers]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([key, cells]) => {
        const [a, b] = key.split('\u0000') as [string, string]
        const k = cohensKappa(cells)
        return { a, b, n: k.n, agreement: k.observed, kappa: k.kappa }
      }),
    per_action: perLabelKappa(actions),
    per_category: perCategoryKappa(ordered.map(([x, y]) => [x.categories, y.categories])),
    confusion: confusionMatrix(actions),
  }
}

/** Floats as the sums they came from allow: equal to 12 places. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Math.round(value * 1e12) / 1e12
  if (Array.isArray(value)) return value.map(rounded)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]))
  return value
}

let server: TestServer
let pack: TestPack
let devices: Record<string, TestDevice>

beforeAll(async () => {
  ;({ server, pack, devices } = await startReviewTeam({
    pack: { clips: 24, packId: 'pk-pairs', clipPrefix: 'pr' },
    reviewers: Object.fromEntries(REVIEWERS.map((id) => [id, {}])),
  }))
}, 120_000)
afterAll(() => server?.stop())

describe('decision_pairs after pushes', () => {
  it('equals the pairs derived from decision_heads after every round, and the report equals the one derived from them', async () => {
    const rnd = random(13)
    // Each clip to one to four reviewers (the last clips to four, so crowded clips surely exist).
    const assigned = new Map<string, string[]>(REVIEWERS.map((r) => [r, []]))
    pack.clipIds.forEach((clip, i) => {
      const n = i >= 20 ? 4 : 1 + rnd.int(4)
      const who = [...REVIEWERS].sort(() => rnd.next() - 0.5).slice(0, n)
      for (const r of who) assigned.get(r)!.push(clip)
    })
    for (const [r, clips] of assigned) if (clips.length > 0) await server.ops.assign(pack.packId, r, clips)

    // The tips of each reviewer's revision chains per clip: a push revises one or starts another.
    const tips = new Map<string, string[]>()
    for (let round = 0; round < 6; round++) {
      // Every third round goes in as decision packs, which take the same path as pushes.
      const asPack = round % 3 === 2
      for (const r of REVIEWERS) {
        const device = devices[r]!
        const mine = assigned.get(r)!
        const batch: PackedDecision[] = []
        const touched = new Set<string>()
        for (let k = 0; k < 5 && mine.length > 0; k++) {
          const clip = rnd.pick(mine)
          if (touched.has(clip)) continue
          touched.add(clip)
          const key = `${r}\u0000${clip}`
          const chains = tips.get(key) ?? []
          // A decision pack carries whole chains: its rounds start new ones (a reviewer's latest chain is in force).
          const revises = !asPack && chains.length > 0 && rnd.next() < 0.7 ? rnd.pick(chains) : null
          const at = slot(rnd.int(13))
          const d = device.decision(clip, {
            pack_id: rnd.next() < 0.1 ? 'pk-elsewhere' : pack.packId,
            revises_id: revises,
            // The same instant in another offset now and then: order is by time, not by text.
            decided_at: rnd.next() < 0.2 ? new Date(Date.parse(at) + 7 * 3600_000).toISOString().replace('Z', '+07:00') : at,
            action: rnd.pick(ACTIONS),
            categories: Array.from({ length: 1 + rnd.int(3) }, () => rnd.pick(CATEGORIES)),
          })
          batch.push(d)
          tips.set(key, [...chains.filter((id) => id !== revises), d.id])
        }
        if (batch.length === 0) continue
        const res = asPack
          ? await device.request('POST', '/v1/decision-packs', { body: device.decisionPack(batch), headers: { 'content-type': 'application/zip' } })
          : await device.push(batch)
        const body = (await res.json()) as { results: { outcome: string }[] }
        expect(res.status, JSON.stringify(body)).toBe(200)
        expect(body.results.map((x) => x.outcome)).toEqual(batch.map(() => 'stored'))
      }
      // The heads each push wrote beside its decisions (decisions.ts), then the pairs from them.
      expect(await readHeads(server.db())).toEqual(await deriveHeads(server.db()))
      expect(await readPairs(server.db())).toEqual(derivePairs(await readHeads(server.db())))
    }

    const heads = await readHeads(server.db())
    const pairs = derivePairs(heads)
    // The workload did what it is for.
    expect(pairs.some((p) => p.clip_heads >= 3)).toBe(true)
    expect(pairs.some((p) => p.pack_id === null)).toBe(true)
    expect(pairs.some((p) => p.first_at === p.second_at)).toBe(true)
    expect(pairs.some((p) => p.first_reviewer > p.second_reviewer)).toBe(true)

    const windows: ReportWindow[] = [
      {},
      { packId: pack.packId },
      { packId: 'pk-elsewhere' },
      { from: slot(4) },
      { to: slot(9) },
      { from: slot(3), to: slot(10), packId: pack.packId },
      { from: slot(6), to: slot(7) },
      { from: '2026-11-02T08:12:30+07:00', to: '2026-11-02T08:48:00Z' },
    ]
    for (const w of windows) {
      const { clips, percent_agreement, fleiss_kappa, pairs, per_action, per_category, confusion } = await agreementReport(server.db(), w)
      const report = { clips, percent_agreement, fleiss_kappa, pairs, per_action, per_category, confusion }
      expect(rounded(report), JSON.stringify(w)).toEqual(rounded(deriveReport(heads, w)))
    }
  }, 180_000)
})

/** A database migrated up to and including migration `last`, on PGlite or on the tests' PostgreSQL server. */
async function databaseAt(last: number): Promise<{ db: Db; migrate(): Promise<void>; close(): Promise<void> }> {
  const root = tempDir('tinjau-server-migrations-')
  const folder = path.join(root, 'm')
  cpSync(migrationsFolder(), folder, { recursive: true })
  const journalFile = path.join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number }[] }
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= last) }))
  const base = realPostgresUrl()
  if (base) {
    const database = await createTestDatabase(base)
    const pool = new pg.Pool({ connectionString: database.url, max: 2 })
    const db = drizzlePg(pool, { schema }) as unknown as Db
    await migratePg(db as never, { migrationsFolder: folder })
    return {
      db,
      migrate: () => migratePg(db as never, { migrationsFolder: migrationsFolder() }),
      close: async () => {
        await pool.end()
        await database.drop()
        rmSync(root, { recursive: true, force: true })
      },
    }
  }
  const client = await PGlite.create()
  const db = drizzlePglite(client, { schema }) as unknown as Db
  await migratePglite(db as never, { migrationsFolder: folder })
  return {
    db,
    migrate: () => migratePglite(db as never, { migrationsFolder: migrationsFolder() }),
    close: async () => {
      await client.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

describe('migration 0005', () => {
  it('fills decision_pairs for a service that held decision heads before it, as pushes would have, and the report reads them', async () => {
    // The heads the pushes above left, in a database as migration 0003 left it.
    const heads = await readHeads(server.db())
    expect(heads.length).toBeGreaterThan(40)
    const old = await databaseAt(3)
    try {
      await old.db.execute(sql`
        INSERT INTO decision_heads (clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at)
        SELECT clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at::timestamptz
          FROM jsonb_to_recordset(${JSON.stringify(heads)}::jsonb) AS x(clip_id text, reviewer_id text, decision_id text, pack_id text,
            action text, categories jsonb, escalation_target text, decided_at text)`)
      await old.migrate()
      expect(await readPairs(old.db)).toEqual(derivePairs(heads))
      // What the service writes after a push is what the migration wrote: refreshing every clip changes no row.
      expect(await refreshDecisionPairs(old.db, [...new Set(heads.map((h) => h.clip_id))])).toBe(0)
      expect(rounded(await agreementReport(old.db))).toEqual(rounded(await agreementReport(server.db())))
      // And that 0 means something: a pair gone wrong and one that should not be are found and put right.
      await old.db.execute(sql`UPDATE decision_pairs SET first_action = 'escalate' WHERE (clip_id, first_reviewer) IN (SELECT clip_id, first_reviewer FROM decision_pairs LIMIT 1)`)
      await old.db.execute(sql`INSERT INTO decision_pairs SELECT clip_heads, first_at, second_at, first_action, second_action, 'zed', second_reviewer,
        both_categories, first_categories, second_categories, clip_id, pack_id FROM decision_pairs LIMIT 1`)
      expect(await refreshDecisionPairs(old.db, [...new Set(heads.map((h) => h.clip_id))])).toBe(2)
      expect(await readPairs(old.db)).toEqual(derivePairs(heads))
    } finally {
      await old.close()
    }
  }, 120_000)
})
