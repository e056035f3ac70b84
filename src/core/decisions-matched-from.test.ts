import { describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import type { DecisionRecord } from '../shared/domain'
import type { MatchedFromClip } from '../shared/matched-from'
import { DecisionDraft } from '../shared/policy'
import { expectMalformedMatchesRefused, recordDraft as record, removalOf, useProfilesWithClips } from './testing/decision-profile'
import { refusedWithoutChange } from './testing/expect-refused'
import type { Tinjau } from './tinjau'

/** Issue 14: a decision applied from a known-content match says which, and core checks the claim. */

const openProfile = useProfilesWithClips()
const profileWithClips = () => openProfile(4)
const removal = (clipId: string) => removalOf(clipId, 'calls to burn the market')
const match = (over: Partial<MatchedFromClip> = {}): MatchedFromClip => ({
  source: 'clip',
  clipId: 'clip-000000',
  decisionId: null,
  queryMatchPercent: 92.5,
  comparedMatchPercent: 88,
  sameFile: false,
  ...over,
})
const auditPayloads = (t: Tinjau) =>
  (t.store.sqlite.prepare("SELECT payload FROM audit_log WHERE kind LIKE 'decision.%' ORDER BY seq").pluck().all() as string[]).map((p) => JSON.parse(p) as Record<string, unknown>)

describe('a decision applied from a match', () => {
  test('is stored with the match, returned with the clip and in the list, and audited with it', async () => {
    const t = await profileWithClips()
    const original = record(t, removal('clip-000000'))
    const m = match({ decisionId: original.id })
    const copy = record(t, { ...removal('clip-000001'), rationale: 'matches clip-000000: calls to burn the market', matchedFrom: m })
    expect(copy.matchedFrom).toEqual(m)
    expect(t.handlers['clip.get']({ clipId: 'clip-000001' }).decisions.map((d) => d.matchedFrom)).toEqual([m])
    expect(t.handlers['decision.list']({ clipId: 'clip-000001', limit: 10, offset: 0 }).items[0]!.matchedFrom).toEqual(m)
    // Stored as the pack writes it: snake_case, in the documented order.
    expect(t.store.sqlite.prepare('SELECT matched_from FROM decisions WHERE id = ?').pluck().get(copy.id)).toBe(
      `{"source":"clip","clip_id":"clip-000000","decision_id":"${original.id}","query_match_percent":92.5,"compared_match_percent":88,"same_file":false}`,
    )
    const [first, second] = auditPayloads(t)
    expect(first).not.toHaveProperty('matchedFrom')
    expect(second).toEqual({ decisionId: copy.id, revisesId: null, action: 'remove', categories: ['violence.arson'], matchedFrom: m })
    expect(t.handlers['audit.verify']({})).toMatchObject({ ok: true })
  })

  test('decided from scratch, matchedFrom is null', async () => {
    const t = await profileWithClips()
    expect(record(t, removal('clip-000002')).matchedFrom).toBeNull()
    expect(t.store.sqlite.prepare('SELECT matched_from FROM decisions').pluck().all()).toEqual([null])
  })

  test('an outcome-only match has no decision id; a revision may carry a match too', async () => {
    const t = await profileWithClips()
    const first = record(t, removal('clip-000001'))
    const revised = record(t, { ...removal('clip-000001'), action: 'limit', revisesId: first.id, matchedFrom: match({ sameFile: true }) })
    expect(revised.matchedFrom).toMatchObject({ decisionId: null, sameFile: true })
    expect(auditPayloads(t)[1]).toMatchObject({ revisesId: first.id, matchedFrom: { clipId: 'clip-000000' } })
  })
})

describe('a match core cannot confirm is refused and changes nothing', () => {
  test('a clip that is not in the profile', async () => {
    const t = await profileWithClips()
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: match({ clipId: 'clip-999999' }) }))
    expect(err.code).toBe('not_found')
    expect(err.message).toBe('the matched clip "clip-999999" is not in this profile')
    expect(err.details).toEqual([{ path: 'matchedFrom.clipId', message: 'unknown clip' }])
  })

  test('the clip itself', async () => {
    const t = await profileWithClips()
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: match({ clipId: 'clip-000001' }) }))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toBe('a decision on clip "clip-000001" cannot come from a match with the same clip')
  })

  test('a decision id that is not a decision on the matched clip', async () => {
    const t = await profileWithClips()
    const other = record(t, removal('clip-000002'))
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: match({ decisionId: other.id }) }))
    expect(err.code).toBe('not_found')
    expect(err.message).toBe(`decision ${other.id} is not a decision on the matched clip "clip-000000"`)
    expect(err.details).toEqual([{ path: 'matchedFrom.decisionId', message: 'not a decision on the matched clip' }])
  })

  test('the contract refuses a malformed match before core sees it', async () => {
    const t = await profileWithClips()
    const cases: [unknown, string][] = [
      [{ ...match(), queryMatchPercent: 100.5 }, 'matchedFrom.queryMatchPercent'],
      [{ ...match(), comparedMatchPercent: -1 }, 'matchedFrom.comparedMatchPercent'],
      [{ ...match(), clipId: 'x'.repeat(129) }, 'matchedFrom.clipId'],
      [{ ...match(), clipId: '' }, 'matchedFrom.clipId'],
      [{ ...match(), decisionId: 'd'.repeat(201) }, 'matchedFrom.decisionId'],
      [{ ...match(), source: 'team' }, 'matchedFrom.source'],
      // A clip match's fields under the hash list source: that variant's fields are missing.
      [{ ...match(), source: 'hashlist' }, 'matchedFrom.listId'],
      [{ ...match(), sameFile: 'yes' }, 'matchedFrom.sameFile'],
      [{ ...match(), extra: 1 }, 'matchedFrom'],
      [{ source: 'clip', clipId: 'clip-000000' }, 'matchedFrom.decisionId'],
    ]
    await expectMalformedMatchesRefused(t, removal('clip-000001'), cases)
  })
})

describe('decision.recordMany: one decision applied to every copy', () => {
  test('each copy gets its own decision and audit entry, all in one call', async () => {
    const t = await profileWithClips()
    const original = record(t, removal('clip-000000'))
    const m = match({ decisionId: original.id })
    const res = await dispatch(t.handlers, 'decision.recordMany', {
      decisions: ['clip-000001', 'clip-000002', 'clip-000003'].map((clipId) => ({ ...removal(clipId), matchedFrom: m })),
    })
    expect(res.ok).toBe(true)
    if (!res.ok) return
    const items = (res.value as { items: DecisionRecord[] }).items
    expect(items.map((d) => d.clipId)).toEqual(['clip-000001', 'clip-000002', 'clip-000003'])
    expect(new Set(items.map((d) => d.id)).size).toBe(3)
    expect(items.every((d) => d.matchedFrom?.source === 'clip' && d.matchedFrom.decisionId === original.id)).toBe(true)
    expect(auditPayloads(t).map((p) => p.decisionId)).toEqual([original.id, ...items.map((d) => d.id)])
    expect(t.store.sqlite.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(4)
    expect(t.handlers['queue.list']({ status: ['decided'], limit: 10, offset: 0 }).total).toBe(4)
  })

  test('one bad draft refuses the whole batch, naming it by its place', async () => {
    const t = await profileWithClips()
    const original = record(t, removal('clip-000000'))
    const m = match({ decisionId: original.id })
    record(t, removal('clip-000002'))
    const drafts = ['clip-000001', 'clip-000002', 'clip-000003'].map((clipId) => DecisionDraft.parse({ ...removal(clipId), matchedFrom: m }))
    const err = refusedWithoutChange(t, () => t.handlers['decision.recordMany']({ decisions: drafts }))
    expect(err.code).toBe('conflict')
    expect(err.details).toEqual([{ path: 'decisions.1.revisesId', message: expect.stringMatching(/^must be /) }])

    const self = drafts.map((d, i) => (i === 2 ? { ...d, matchedFrom: { ...m, clipId: 'clip-000003' } } : d)).filter((_, i) => i !== 1)
    const selfErr = refusedWithoutChange(t, () => t.handlers['decision.recordMany']({ decisions: self }))
    expect(selfErr.details).toEqual([{ path: 'decisions.1.matchedFrom.clipId', message: 'the clip itself' }])
  })

  test('the same clip twice in one batch is refused like a second decision', async () => {
    const t = await profileWithClips()
    const draft = DecisionDraft.parse(removal('clip-000001'))
    const err = refusedWithoutChange(t, () => t.handlers['decision.recordMany']({ decisions: [draft, draft] }))
    expect(err.code).toBe('conflict')
    expect(err.details?.[0]?.path).toBe('decisions.1.revisesId')
  })

  test('the contract bounds the batch', async () => {
    const t = await profileWithClips()
    const empty = await dispatch(t.handlers, 'decision.recordMany', { decisions: [] })
    expect(empty.ok || empty.error.details?.[0]?.path).toBe('decisions')
    const tooMany = await dispatch(t.handlers, 'decision.recordMany', { decisions: Array.from({ length: 201 }, () => removal('clip-000001')) })
    expect(tooMany.ok || tooMany.error.details?.[0]?.path).toBe('decisions')
  })
})
