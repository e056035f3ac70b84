import { afterEach, describe, expect, test } from 'vitest'
import type { QueueQueryInput } from '../../shared/domain'
import { HASHER_ID, type FrameHash } from '../../shared/frame-hashes'
import { MATCHING_DEFAULTS } from '../../shared/known-content'
import { formatHash256 } from '../../shared/pdq/hash256'
import { DecisionDraft } from '../../shared/policy'
import { dispatch } from '../../shared/dispatch'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { refusedWithoutChange } from '../testing/expect-refused'
import type { Tinjau } from '../tinjau'
import { copyWithFlips, fillRandomHashes, seededRandom } from './synthetic'
import { groupTogether } from '../queue-facets'
import { VPDQ_COMPARED_MATCH_PERCENT, VPDQ_DISTANCE_TOLERANCE, VPDQ_QUALITY_TOLERANCE, VPDQ_QUERY_MATCH_PERCENT } from './video-match'

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

const rand = seededRandom(1414)
const FRAMES = 10
/** A made-up video of ten frames; or a copy of the first `share` frames of another, each `flips` bits away, the rest new. */
function video(copyOf?: Uint32Array, flips = 12, share = FRAMES): Uint32Array {
  const h = new Uint32Array(FRAMES * 8)
  fillRandomHashes(h, 0, FRAMES, rand)
  if (copyOf) for (let f = 0; f < share; f++) copyWithFlips(copyOf, f, h, f, flips, rand)
  return h
}
const frames = (h: Uint32Array, quality = 90): FrameHash[] =>
  Array.from({ length: h.length / 8 }, (_, i) => ({ tMs: i * 1000, hashes: [{ hash: formatHash256(h, i * 8), quality }] }))

async function demo() {
  const t = openTestTinjau()
  open.push(t)
  await t.handlers['pack.importDemo']({})
  const sql = t.store.sqlite
  const mediaOf = (id: string) => sql.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(id) as string
  const record = (clipId: string, h: Uint32Array, quality?: number) =>
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: mediaOf(clipId), hasher: HASHER_ID, frames: frames(h, quality) })
  const pairRows = () =>
    sql.prepare('SELECT query_sha256 AS q, compared_sha256 AS c, query_match_percent AS qp, compared_match_percent AS cp FROM media_match_pairs ORDER BY q, c').all() as {
      q: string
      c: string
      qp: number
      cp: number
    }[]
  const list = (q: QueueQueryInput) => t.queue.page({ limit: 100, ...q })
  const ids = (q: QueueQueryInput) => list(q).items.map((i) => i.id)
  return { t, sql, mediaOf, record, pairRows, list, ids }
}

/** What `clip.matches` says, as the clip ids it lists (other files only: same-file clips need no pairs). */
const matchedIds = (t: Tinjau, clipId: string) =>
  t.handlers['clip.matches']({ clipId })
    .matches.flatMap((m) => (m.source === 'clip' && !m.sameFile ? [m.clipId] : []))
    .sort()

describe('stored match pairs', () => {
  test('the settings defaults are the vPDQ constants the matcher names', () => {
    expect(MATCHING_DEFAULTS).toEqual({
      distanceTolerance: VPDQ_DISTANCE_TOLERANCE,
      qualityTolerance: VPDQ_QUALITY_TOLERANCE,
      queryMatchPercent: VPDQ_QUERY_MATCH_PERCENT,
      comparedMatchPercent: VPDQ_COMPARED_MATCH_PERCENT,
    })
  })

  test('a video recorded once the index is loaded has its pairs stored, both ways, with the percentages', async () => {
    const { t, mediaOf, record, pairRows } = await demo()
    t.knownContent.warm()
    const original = video()
    record('demo-007', original)
    expect(pairRows()).toEqual([])
    // Six of its ten frames are the original's: 60 % of each side.
    record('demo-004', video(original, 10, 6))
    const a = mediaOf('demo-007')
    const b = mediaOf('demo-004')
    expect(pairRows()).toEqual(
      [
        { q: a, c: b, qp: 60, cp: 60 },
        { q: b, c: a, qp: 60, cp: 60 },
      ].sort((x, y) => x.q.localeCompare(y.q)),
    )
    expect(t.knownContent.scanPending()).toBe(0)
  })

  test('videos hashed before the index loaded (or before this table) get their pairs when it warms; the answers are those of clip.matches', async () => {
    const { t, record, pairRows, sql, mediaOf } = await demo()
    const a = video()
    const b = video()
    record('demo-007', a)
    record('demo-004', video(a, 8))
    record('demo-001', video(a, 14, 9))
    record('demo-002', b)
    record('demo-003', video(b, 6, 5)) // half of b: a pair under the 80 % rule
    record('demo-005', video())
    expect(pairRows()).toEqual([])
    t.knownContent.warm()
    expect(t.knownContent.scanPending()).toBe(6)
    expect(sql.prepare('SELECT count(*) FROM media_match_scans').pluck().get()).toBe(6)
    expect(pairRows().length).toBe(8)
    // The stored pairs give exactly the clips clip.matches finds, clip by clip.
    const withMatch = t.knownContent.clipsWithMatch('any')
    const rowidOf = (id: string) => sql.prepare('SELECT rowid FROM clips WHERE id = ?').pluck().get(id) as number
    for (const id of ['demo-007', 'demo-004', 'demo-001', 'demo-002', 'demo-003', 'demo-005', 'demo-006']) {
      const fromPairs = t.knownContent.pairs
        .pairsOf(sql.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(id) as string)
        .filter((p) => p.queryMatchPercent >= 80)
        .flatMap((p) => sql.prepare('SELECT id FROM clips WHERE media_sha256 = ?').pluck().all(p.sha256) as string[])
        .sort()
      expect(fromPairs, id).toEqual(matchedIds(t, id))
      expect(withMatch.has(rowidOf(id)), id).toBe(matchedIds(t, id).length > 0)
    }
    expect(matchedIds(t, 'demo-007')).toEqual(['demo-001', 'demo-004'])
    expect(matchedIds(t, 'demo-003')).toEqual([])
    expect(t.knownContent.pairs.pairsOf(mediaOf('demo-003')).map((p) => p.queryMatchPercent)).toEqual([50])
  })

  test('new percentages apply to the stored pairs at once; a new distance or quality tolerance matches again', async () => {
    const { t, record, pairRows, ids } = await demo()
    t.knownContent.warm()
    const a = video()
    record('demo-007', a)
    record('demo-004', video(a, 10, 6))
    record('demo-001', video(a, 24))
    const stored = pairRows()
    expect(ids({ hasMatch: 'any' })).toEqual(['demo-007', 'demo-015', 'demo-008', 'demo-001']) // urgency order
    // 60 % is enough now: no matching again, the same rows.
    t.handlers['settings.setMatching']({ ...MATCHING_DEFAULTS, queryMatchPercent: 60 })
    expect(pairRows()).toEqual(stored)
    expect(t.knownContent.scanPending()).toBe(0)
    expect(ids({ hasMatch: 'any' })).toEqual(['demo-007', 'demo-015', 'demo-008', 'demo-001', 'demo-004'])
    expect(matchedIds(t, 'demo-004')).toEqual(['demo-007'])
    // 20 bits: the 24-bit copy is no longer within reach. The pairs are dropped and made again.
    t.handlers['settings.setMatching']({ ...MATCHING_DEFAULTS, queryMatchPercent: 60, distanceTolerance: 20 })
    expect(pairRows()).toEqual([])
    expect(t.knownContent.scanPending()).toBe(3)
    expect(matchedIds(t, 'demo-001')).toEqual([])
    expect(matchedIds(t, 'demo-007')).toEqual(['demo-004'])
    expect(ids({ hasMatch: 'any' })).toEqual(['demo-007', 'demo-015', 'demo-008', 'demo-004'])
    // A quality floor over the frames' 90: nothing is considered, nothing matches.
    t.handlers['settings.setMatching']({ ...MATCHING_DEFAULTS, qualityTolerance: 95 })
    t.knownContent.scanPending()
    expect(pairRows()).toEqual([])
    expect(matchedIds(t, 'demo-007')).toEqual([])
    expect(t.handlers['settings.get']({}).matching).toEqual({ ...MATCHING_DEFAULTS, qualityTolerance: 95 })
  })

  test('a host matches again in the background after a new distance, and says so when it is done', async () => {
    const { t, record, pairRows } = await demo()
    t.knownContent.warm()
    const a = video()
    record('demo-007', a)
    record('demo-004', video(a, 8))
    expect(pairRows()).toHaveLength(2)
    t.handlers['settings.setMatching']({ ...MATCHING_DEFAULTS, distanceTolerance: 20 })
    // Dropped in the call; made again after it returns, by the host's own background step.
    expect(pairRows()).toEqual([])
    await new Promise<void>((resolve) => {
      const off = t.onEvent((event) => {
        if (event !== 'queue.changed') return
        off()
        resolve()
      })
    })
    expect(pairRows()).toHaveLength(2)
    expect(t.knownContent.scanPending()).toBe(0)
  })

  test('out-of-bounds settings are refused with where and why, and change nothing', async () => {
    const { t } = await demo()
    for (const bad of [
      { ...MATCHING_DEFAULTS, distanceTolerance: 64 },
      { ...MATCHING_DEFAULTS, distanceTolerance: 3.5 },
      { ...MATCHING_DEFAULTS, qualityTolerance: -1 },
      { ...MATCHING_DEFAULTS, queryMatchPercent: 101 },
      { ...MATCHING_DEFAULTS, comparedMatchPercent: Number.NaN },
    ]) {
      const err = refusedWithoutChange(t, () => t.handlers['settings.setMatching'](bad))
      expect(err.code).toBe('invalid_input')
      expect(err.details?.length).toBeGreaterThan(0)
    }
    const viaHost = await dispatch(t.handlers, 'settings.setMatching', { ...MATCHING_DEFAULTS, queryMatchPercent: 'eighty' })
    expect(viaHost).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [{ path: 'queryMatchPercent' }] } })
    expect(t.handlers['settings.get']({}).matching).toEqual(MATCHING_DEFAULTS)
  })
})

describe('the queue: "has a match" and copies listed together', () => {
  test('has a match, and matches a decided clip', async () => {
    const { t, record, ids } = await demo()
    t.knownContent.warm()
    const a = video()
    record('demo-007', a)
    record('demo-004', video(a))
    expect(ids({ hasMatch: 'any' })).toEqual(['demo-007', 'demo-015', 'demo-008', 'demo-004'])
    expect(ids({ hasMatch: 'decided' })).toEqual([])
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-007', categories: ['violence.arson'], action: 'remove', rationale: 'arson' }))
    // The decided clip itself has no decided match; its copy has.
    expect(ids({ hasMatch: 'decided', status: ['pending'] })).toEqual(['demo-004'])
    expect(ids({ hasMatch: 'decided' })).toEqual(['demo-004'])
    // Combined with the other filters as any filter is.
    expect(ids({ hasMatch: 'any', status: ['pending'] })).toEqual(['demo-015', 'demo-008', 'demo-004'])
  })

  test('copies are listed together where the first of them falls, each row saying how many', async () => {
    const { t, record, ids, list } = await demo()
    t.knownContent.warm()
    const a = video()
    const mirror = video(a, 12)
    record('demo-007', a)
    record('demo-004', mirror)
    // A mirror of the mirror, 26 bits from it: up to 38 from the original, out of its reach.
    record('demo-001', video(mirror, 26))
    expect(matchedIds(t, 'demo-001')).toEqual(['demo-004'])
    const plain = ids({})
    expect(plain.slice(0, 7)).toEqual(['demo-002', 'demo-007', 'demo-006', 'demo-009', 'demo-015', 'demo-008', 'demo-001'])
    const grouped = ids({ groupCopies: true })
    expect(grouped.slice(0, 8)).toEqual(['demo-002', 'demo-007', 'demo-001', 'demo-004', 'demo-006', 'demo-009', 'demo-015', 'demo-008'])
    expect(grouped.slice().sort()).toEqual(plain.slice().sort())
    const items = list({ groupCopies: true }).items
    const copies = Object.fromEntries(items.map((i) => [i.id, i.copies]))
    expect(copies['demo-007']).toEqual({ group: 'demo-001', count: 3 })
    expect(copies['demo-004']).toEqual({ group: 'demo-001', count: 3 })
    expect(copies['demo-015']).toEqual({ group: 'demo-008', count: 2 })
    expect(copies['demo-002']).toBeNull()
    // A page's marks (read for its rows alone) are the groups the whole list is gathered by.
    const whole = t.knownContent.copyGroups()
    const rowidOf = (id: string) => t.store.sqlite.prepare('SELECT rowid FROM clips WHERE id = ?').pluck().get(id) as number
    for (const i of list({}).items) expect(i.copies, i.id).toEqual(whole.get(rowidOf(i.id)) ?? null)
    expect([...whole.keys()].length).toBe(5)
    // Every page marks copies, grouped or not; paging a grouped list gives the same rows.
    expect(list({}).items.find((i) => i.id === 'demo-004')?.copies).toEqual({ group: 'demo-001', count: 3 })
    const paged = [...list({ groupCopies: true, limit: 3 }).items, ...list({ groupCopies: true, limit: 3, offset: 3 }).items].map((i) => i.id)
    expect(paged).toEqual(grouped.slice(0, 6))
    // With the filter, the groups come whole.
    expect(ids({ hasMatch: 'any', groupCopies: true })).toEqual(['demo-007', 'demo-001', 'demo-004', 'demo-015', 'demo-008'])
  })

  test('groupTogether keeps the order and moves each group to its first member', () => {
    const g = (group: string) => ({ group })
    const groupOf = new Map([
      [5, g('x')],
      [2, g('x')],
      [9, g('y')],
      [4, g('y')],
    ])
    expect(groupTogether([1, 2, 3, 4, 5, 6, 9], groupOf)).toEqual([1, 2, 5, 3, 4, 9, 6])
    expect(groupTogether([], groupOf)).toEqual([])
  })
})
