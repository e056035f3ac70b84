import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { CLIP_STATUSES, type ClipStatus } from '../shared/domain'
import { DecisionDraft } from '../shared/policy'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from './testing/make-pack'
import { openTestTinjau } from './testing/open-test-tinjau'
import type { Tinjau } from './tinjau'

let open: { close(): void }[] = []
afterEach(() => {
  for (const o of open) o.close()
  open = []
})

/** 40 clips with due times out of id order, ties, and some with no due time at all. */
async function profile(): Promise<Tinjau & { dataDir: string }> {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('fake webm '.repeat(50)))
  const clips = Array.from({ length: 40 }, (_, i) => {
    const id = `clip-${String(i).padStart(6, '0')}`
    if (i % 7 === 3) return makeClip(id, media, { due_at: undefined })
    const hour = String(10 + ((i * 11) % 5)).padStart(2, '0')
    return makeClip(id, media, { due_at: `2025-08-29T${hour}:00:00+07:00` })
  })
  writeManifest(root, makeManifest(clips))
  const t = openTestTinjau()
  open.push(t)
  await t.handlers['pack.importDirectory']({ path: root })
  return t
}

function decide(t: Tinjau, clipId: string, escalate = false) {
  const draft = escalate
    ? { clipId, categories: ['violence.arson'], action: 'escalate', escalationTarget: 'senior_review', rationale: 'imminent' }
    : { clipId, categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn the market' }
  return t.handlers['decision.record'](DecisionDraft.parse(draft))
}

/** The straightforward query, as the page is defined: filter, order by due time then id, slice. */
function reference(t: Tinjau, statuses: ClipStatus[] | null, limit: number, offset: number): string[] {
  const where = statuses ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : ''
  const rows = t.store.sqlite.prepare(`SELECT id FROM clips ${where} ORDER BY due_sort, id LIMIT ? OFFSET ?`).pluck()
  return rows.all(...(statuses ?? []), limit, offset) as string[]
}

function countByHand(t: Tinjau): Record<ClipStatus, number> {
  const counts = Object.fromEntries(CLIP_STATUSES.map((s) => [s, 0])) as Record<ClipStatus, number>
  for (const s of t.store.sqlite.prepare('SELECT status FROM clips').pluck().all() as ClipStatus[]) counts[s]++
  return counts
}

describe('queue pages', () => {
  test('every filter and offset gives the rows of the plain ordered query, in its order', async () => {
    const t = await profile()
    for (const i of [0, 5, 9, 13, 22]) decide(t, `clip-${String(i).padStart(6, '0')}`)
    for (const i of [2, 17]) decide(t, `clip-${String(i).padStart(6, '0')}`, true)
    const filters: (ClipStatus[] | null)[] = [null, ['pending'], ['decided'], ['pending', 'escalated'], ['escalated', 'decided', 'pending'], ['skipped']]
    for (const status of filters) {
      for (const [limit, offset] of [[10, 0], [10, 10], [7, 30], [100, 0], [5, 38], [5, 60]] as const) {
        const page = t.queue.page({ ...(status ? { status } : {}), limit, offset })
        expect(page.items.map((i) => i.id), `${status?.join('+') ?? 'all'} ${limit}@${offset}`).toEqual(reference(t, status, limit, offset))
      }
    }
    // Clips with no due time come last.
    const all = t.queue.page({ limit: 100, offset: 0 }).items
    expect(all.slice(-6).every((i) => i.dueAt === null)).toBe(true)
  })
})

describe('status counts', () => {
  test('follow decisions made through this profile', async () => {
    const t = await profile()
    const before = t.queue.page({ status: ['pending'], limit: 5, offset: 0 })
    expect(before.counts).toEqual({ ...countByHand(t), pending: 40 })
    decide(t, 'clip-000001')
    decide(t, 'clip-000002', true)
    const after = t.queue.page({ status: ['pending'], limit: 5, offset: 0 })
    expect(after.counts).toEqual({ pending: 38, decided: 1, escalated: 1, skipped: 0, synced: 0 })
    expect(after.total).toBe(38)
    expect(t.queue.page({ limit: 5, offset: 0 }).total).toBe(40)
  })

  test('follow changes committed by another connection to the same database', async () => {
    const t = await profile()
    expect(t.queue.counts().pending).toBe(40)
    const other = new Database(t.store.paths.database)
    open.push(other)
    other.prepare("UPDATE clips SET status = 'skipped' WHERE id IN ('clip-000003', 'clip-000004')").run()
    expect(t.queue.counts()).toEqual(countByHand(t))
    expect(t.queue.counts().skipped).toBe(2)
  })

  test('are never left stale by a rolled-back transaction', async () => {
    const t = await profile()
    expect(t.queue.counts().pending).toBe(40)
    const { sqlite } = t.store
    const inside = sqlite.transaction(() => {
      sqlite.prepare("UPDATE clips SET status = 'synced' WHERE id = 'clip-000007'").run()
      expect(t.queue.counts().synced).toBe(1)
      throw new Error('roll back')
    })
    expect(() => inside()).toThrow('roll back')
    expect(t.queue.counts()).toEqual(countByHand(t))
    expect(t.queue.counts().synced).toBe(0)
  })

  test('handed out are copies', async () => {
    const t = await profile()
    const c = t.queue.counts()
    c.pending = -1
    expect(t.queue.counts().pending).toBe(40)
  })
})
