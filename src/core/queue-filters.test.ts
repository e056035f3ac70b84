import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import type { QueueItem, QueueQueryInput } from '../shared/domain'
import { DecisionDraft } from '../shared/policy'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from './testing/make-pack'
import { forgetMigrationsFrom } from './store/testing/forget-migrations'
import { outboxBefore0012 } from './store/testing/outbox-before-0012'
import { openTestTinjau } from './testing/open-test-tinjau'
import type { Tinjau } from './tinjau'

/** Filters and orders of the queue, on a real profile with a fixed "now". */

const NOW = Date.parse('2025-08-29T12:00:00Z')
const HOUR = 3_600_000

let open: { close(): void }[] = []
afterEach(() => {
  for (const o of open) o.close()
  open = []
})

interface Spec {
  id: string
  /** Hours from NOW to the due time; null: no due time. */
  dueIn: number | null
  authority?: boolean
  region?: string
  commerce?: boolean
  labels?: string[]
  sources?: ('classifier' | 'user_report' | 'trusted_flagger' | 'keyword')[]
  priority?: number
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')

/** 60 clips: overdue and future, with and without authority flags and due times, ids out of due order. */
function specs(): Spec[] {
  const regions = ['ID-JK', 'ID-JB', 'ID-JT']
  const labelSets = [['violence.arson'], ['ok.commerce'], ['hate', 'misinformation'], ['unknown.vendor_label']]
  const sourceSets: Spec['sources'][] = [['classifier'], ['user_report'], ['keyword', 'classifier'], ['trusted_flagger']]
  return Array.from({ length: 60 }, (_, i) => ({
    id: `clip-${String((i * 37) % 60).padStart(3, '0')}`,
    dueIn: i % 9 === 4 ? null : ((i * 7) % 23) - 8 + (i % 2 === 0 ? 0.25 : 0),
    authority: i % 5 === 1,
    region: regions[i % 3]!,
    commerce: i % 2 === 0,
    labels: labelSets[i % 4]!,
    sources: sourceSets[(i >> 1) % 4]!,
    ...(i % 6 === 5 ? {} : { priority: (i * 13) % 101 }),
  }))
}

const ids = (t: Tinjau, q: QueueQueryInput) => t.queue.page({ ...q, limit: 500 }).items.map((i) => i.id)

async function reimport(t: Tinjau, list: Spec[]): Promise<void> {
  await t.handlers['pack.importDirectory']({ path: writePack(list) })
}

async function profile(list: Spec[]): Promise<Tinjau> {
  const t = openTestTinjau(undefined, { now: () => new Date(NOW) })
  open.push(t)
  await reimport(t, list)
  return t
}

function writePack(list: Spec[]): string {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('fake webm '.repeat(50)))
  const clips = list.map((s) => {
    const sources = s.sources ?? ['classifier']
    const labels = s.labels ?? ['violence.arson']
    // Every listed source and label appears, and no other.
    const flags: Record<string, unknown>[] = sources.map((source, k) => ({ source, label: labels[k % labels.length] }))
    for (const label of labels) if (!flags.some((f) => f.label === label)) flags.push({ source: sources[0], label })
    if (s.authority) flags.push({ source: 'authority_request', label: 'public_safety.provocation', reference: `REQ-${s.id}` })
    return makeClip(s.id, media, {
      due_at: s.dueIn === null ? undefined : iso(NOW + s.dueIn * HOUR),
      priority: s.priority,
      flags,
      stream: { id: `live-${s.id}`, title: `Stream ${s.id}`, region: s.region, commerce: s.commerce },
    })
  })
  writeManifest(root, makeManifest(clips))
  return root
}

const dueMs = (s: Spec) => (s.dueIn === null ? Infinity : NOW + s.dueIn * HOUR)
const byDueThenId = (a: Spec, b: Spec) => dueMs(a) - dueMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Urgency as the issue words it, computed the slow, obvious way. */
function urgencyOrder(list: Spec[]): string[] {
  const urgent = (s: Spec) => dueMs(s) < NOW || s.authority === true
  return [...list].sort((a, b) => Number(urgent(b)) - Number(urgent(a)) || byDueThenId(a, b)).map((s) => s.id)
}

function allPages(t: Tinjau, q: QueueQueryInput, limit: number): QueueItem[] {
  const out: QueueItem[] = []
  for (let offset = 0; ; offset += limit) {
    const page = t.queue.page({ ...q, limit, offset })
    out.push(...page.items)
    if (page.items.length < limit) return out
  }
}

describe('urgency order (the default)', () => {
  test('overdue and authority-request clips first, then by due time (none last), then id; the same across any paging', async () => {
    const list = specs()
    const t = await profile(list)
    const expected = urgencyOrder(list)
    // The data covers every run: overdue, authority not yet due, authority with no due time, the rest.
    expect(list.some((s) => s.authority && s.dueIn !== null && s.dueIn > 0)).toBe(true)
    expect(list.some((s) => s.authority && s.dueIn === null)).toBe(true)
    expect(list.some((s) => !s.authority && s.dueIn === null)).toBe(true)
    for (const limit of [1, 7, 13, 60, 100]) {
      expect(allPages(t, {}, limit).map((i) => i.id), `limit ${limit}`).toEqual(expected)
    }
    // Pages that start deep inside a later run (the earlier runs are counted, not read).
    for (const offset of [0, 5, 21, 30, 44, 59, 60, 75]) {
      expect(t.queue.page({ limit: 4, offset }).items.map((i) => i.id), `offset ${offset}`).toEqual(expected.slice(offset, offset + 4))
    }
    const first = t.queue.page({ limit: 100 }).items
    const urgentCount = list.filter((s) => dueMs(s) < NOW || s.authority).length
    expect(first.slice(0, urgentCount).every((i) => i.authority || (i.dueAt !== null && Date.parse(i.dueAt) < NOW))).toBe(true)
    expect(first.filter((i) => i.authority).map((i) => i.id).sort()).toEqual(list.filter((s) => s.authority).map((s) => s.id).sort())
  })

  test('follows the clock: a clip moves up when its due time passes', async () => {
    const list: Spec[] = [
      { id: 'a-later', dueIn: 1 },
      { id: 'b-soon', dueIn: 0.5 },
      { id: 'c-authority', dueIn: 3, authority: true },
    ]
    let now = NOW
    const root = tempDir('tinjau-pack-')
    const media = writeMedia(root, 'media/a.webm', Buffer.from('x'.repeat(100)))
    const clips = list.map((s) =>
      makeClip(s.id, media, {
        due_at: iso(NOW + s.dueIn! * HOUR),
        flags: s.authority ? [{ source: 'authority_request', label: 'hate' }] : [{ source: 'classifier', label: 'hate' }],
      }),
    )
    writeManifest(root, makeManifest(clips))
    const t = openTestTinjau(undefined, { now: () => new Date(now) })
    open.push(t)
    await t.handlers['pack.importDirectory']({ path: root })
    expect(t.queue.page({}).items.map((i) => i.id)).toEqual(['c-authority', 'b-soon', 'a-later'])
    now = NOW + 2 * HOUR
    expect(t.queue.page({}).items.map((i) => i.id)).toEqual(['b-soon', 'a-later', 'c-authority'])
  })

  test('sort "due" and "priority"', async () => {
    const list = specs()
    const t = await profile(list)
    expect(allPages(t, { sort: 'due' }, 9).map((i) => i.id)).toEqual([...list].sort(byDueThenId).map((s) => s.id))
    const pri = (s: Spec) => (s.priority === undefined ? -1 : s.priority)
    const byPriority = [...list].sort((a, b) => pri(b) - pri(a) || byDueThenId(a, b)).map((s) => s.id)
    expect(allPages(t, { sort: 'priority' }, 11).map((i) => i.id)).toEqual(byPriority)
  })
})

describe('filters', () => {
  test('each filter, and combinations, keep exactly the matching clips, in urgency order, with the right total', async () => {
    const list = specs()
    const t = await profile(list)
    decide(t, list[0]!.id)
    decide(t, list[3]!.id)
    const status = new Map([list[0]!.id, list[3]!.id].map((id) => [id, 'decided']))
    const statusOf = (s: Spec) => status.get(s.id) ?? 'pending'
    const cases: [QueueQueryInput, (s: Spec) => boolean][] = [
      [{ categories: ['hate'] }, (s) => s.labels!.includes('hate')],
      [{ categories: ['violence.arson', 'unknown.vendor_label'] }, (s) => s.labels!.some((l) => l === 'violence.arson' || l === 'unknown.vendor_label')],
      [{ categories: ['violence'] }, () => false],
      [{ sources: ['keyword'] }, (s) => s.sources!.includes('keyword')],
      [{ sources: ['authority_request'] }, (s) => s.authority === true],
      [{ sources: ['trusted_flagger', 'user_report'] }, (s) => s.sources!.some((x) => x === 'trusted_flagger' || x === 'user_report')],
      [{ region: 'ID-JB' }, (s) => s.region === 'ID-JB'],
      [{ region: 'ID' }, () => false],
      [{ commerce: true }, (s) => s.commerce === true],
      [{ commerce: false }, (s) => s.commerce === false],
      [{ dueWithinHours: 0 }, (s) => dueMs(s) <= NOW],
      [{ dueWithinHours: 4 }, (s) => dueMs(s) <= NOW + 4 * HOUR],
      [{ status: ['decided'] }, (s) => statusOf(s) === 'decided'],
      [
        { status: ['pending'], commerce: true, sources: ['classifier'], dueWithinHours: 10 },
        (s) => statusOf(s) === 'pending' && s.commerce === true && s.sources!.includes('classifier') && dueMs(s) <= NOW + 10 * HOUR,
      ],
      [{ region: 'ID-JK', categories: ['ok.commerce', 'hate'] }, (s) => s.region === 'ID-JK' && s.labels!.some((l) => l === 'ok.commerce' || l === 'hate')],
    ]
    for (const [q, keep] of cases) {
      const expected = urgencyOrder(list.filter(keep))
      const label = JSON.stringify(q)
      expect(allPages(t, q, 5).map((i) => i.id), label).toEqual(expected)
      const page = t.queue.page({ ...q, limit: 3, offset: 0 })
      expect(page.total, label).toBe(expected.length)
      expect(page.counts, label).toEqual({ pending: 58, decided: 2, escalated: 0, skipped: 0, synced: 0 })
      expect(t.queue.page({ ...q, sort: 'due', limit: 100 }).items.map((i) => i.id), label).toEqual(list.filter(keep).sort(byDueThenId).map((s) => s.id))
    }
  })

  test('filters see what changed since the last query: a newer pack, a decision, another connection', async () => {
    const list = specs().slice(0, 12)
    const t = await profile(list)
    const target = list[0]!
    expect(ids(t, { region: 'ID-PA' })).toEqual([])
    expect(ids(t, { status: ['pending'], region: target.region! })).toContain(target.id)
    // A newer pack moves the clip to another region and gives it an authority request.
    await reimport(t, list.map((s) => (s.id === target.id ? { ...s, region: 'ID-PA', authority: true } : s)))
    expect(ids(t, { region: 'ID-PA' })).toEqual([target.id])
    expect(ids(t, { sources: ['authority_request'] })).toContain(target.id)
    // A decision through this profile, then a status changed by another connection.
    decide(t, target.id)
    expect(ids(t, { status: ['pending'], region: 'ID-PA' })).toEqual([])
    expect(ids(t, { status: ['decided'], region: 'ID-PA' })).toEqual([target.id])
    const other = new Database(t.store.paths.database)
    open.push(other)
    other.prepare("UPDATE clips SET status = 'synced' WHERE id = ?").run(target.id)
    expect(ids(t, { status: ['synced'], region: 'ID-PA' })).toEqual([target.id])
  })

  test('an older profile, upgraded, learns which clips carry an authority request from their flags', async () => {
    const list: Spec[] = [
      { id: 'a-plain', dueIn: 2 },
      { id: 'b-authority', dueIn: 5, authority: true },
    ]
    const t = await profile(list)
    const dataDir = (t as Tinjau & { dataDir: string }).dataDir
    t.close()
    open = open.filter((o) => o !== t)
    // Back to the schema before migration 0003, as a profile from the previous release has it
    // (the later migrations undone first: what sync keeps of media hashes, where a decision came from,
    // the match pairs, the hash lists, 0006, the media's hashes, 0005, the outcomes pulled, and the
    // outbox as 0000 made it: without 0004's rejection columns, 0011's index and 0012's plain rowid).
    const raw = new Database(path.join(dataDir, 'tinjau.sqlite'))
    raw.exec('DROP TABLE media_hash_pushes; DROP TABLE team_hashes_waiting')
    raw.exec('ALTER TABLE decisions DROP COLUMN matched_from')
    raw.exec('DROP TABLE media_match_pairs; DROP TABLE media_match_scans')
    raw.exec('DROP TABLE hash_list_entries; DROP TABLE hash_lists')
    raw.exec('DROP TABLE media_hashes; DROP INDEX clips_media; DROP TABLE clip_outcomes')
    outboxBefore0012(raw, false)
    raw.exec('DROP TABLE clip_search_state; DROP TABLE clip_search; DROP INDEX clips_status_due; DROP INDEX clips_due; ALTER TABLE clips DROP COLUMN authority')
    raw.exec('CREATE INDEX clips_status_due ON clips (status, due_sort, id); CREATE INDEX clips_due ON clips (due_sort, id)')
    forgetMigrationsFrom(raw, path.resolve('resources/migrations'), '0003_')
    raw.close()
    const upgraded = openTestTinjau(dataDir, { now: () => new Date(NOW) })
    open.push(upgraded)
    const page = upgraded.queue.page({})
    expect(page.items.map((i) => [i.id, i.authority])).toEqual([
      ['b-authority', true],
      ['a-plain', false],
    ])
    await upgraded.search.whenIdle()
    expect(upgraded.queue.page({ search: 'Stream' }).total).toBe(2)
  })

  test('bad filter values are refused by the contract with a structured error, and change nothing', async () => {
    const t = await profile(specs().slice(0, 5))
    const before = t.queue.page({ limit: 100 })
    const bad: unknown[] = [
      { sources: ['rumour'] },
      { sort: 'random' },
      { dueWithinHours: -1 },
      { commerce: 'yes' },
      { region: '' },
      { categories: [''] },
      { search: 'x'.repeat(501) },
      { statuses: ['pending'] },
    ]
    for (const input of bad) {
      const res = await dispatch(t.handlers, 'queue.list', input)
      expect(res.ok, JSON.stringify(input)).toBe(false)
      if (!res.ok) {
        expect(res.error.code).toBe('invalid_input')
        expect(res.error.details?.length).toBeGreaterThan(0)
      }
    }
    expect(t.queue.page({ limit: 100 })).toEqual(before)
  })
})

function decide(t: Tinjau, clipId: string) {
  return t.handlers['decision.record'](DecisionDraft.parse({ clipId, categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn the market' }))
}
