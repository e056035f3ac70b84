import { describe, expect, test } from 'vitest'
import type { MatchedFromHashList } from '../shared/matched-from'
import { DecisionDraft } from '../shared/policy'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from './hash-lists/testing/make-hash-list'
import { expectMalformedMatchesRefused, recordDraft as record, removalOf, useProfilesWithClips } from './testing/decision-profile'
import { refusedWithoutChange } from './testing/expect-refused'

/** Issue 14: a decision applied from a hash list entry records the list, its version and the entry, and core checks them against the profile's lists. */

const profileWithClips = useProfilesWithClips()
const key = makeIssuerKey()
const V1 = '2025-09-05T10:00:00.000Z'
const V2 = '2025-09-06T10:00:00.000Z'

async function profileWithList() {
  const t = await profileWithClips(3)
  await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('e1'), makeEntry('e2', {}, 2)], { created_at: V1 }), key) })
  return t
}

const removal = (clipId: string) => removalOf(clipId, 'matches known riot footage e1')
const listMatch = (over: Partial<MatchedFromHashList> = {}): MatchedFromHashList => ({
  source: 'hashlist',
  listId: 'hl-jkt-riots',
  listSource: 'hashlist',
  listVersion: V1,
  entryId: 'e1',
  label: 'known riot footage e1',
  queryMatchPercent: 96.4,
  comparedMatchPercent: 100,
  sameFile: false,
  ...over,
})

describe('a decision applied from a hash list entry', () => {
  test('is stored with the list, its version and the entry, returned, listed and audited with them', async () => {
    const t = await profileWithList()
    const m = listMatch()
    const d = record(t, { ...removal('clip-000001'), matchedFrom: m })
    expect(d.matchedFrom).toEqual(m)
    expect(t.handlers['clip.get']({ clipId: 'clip-000001' }).decisions.map((x) => x.matchedFrom)).toEqual([m])
    expect(t.handlers['decision.list']({ clipId: 'clip-000001', limit: 10, offset: 0 }).items[0]!.matchedFrom).toEqual(m)
    // Stored as the pack writes it: snake_case, in the documented order.
    expect(t.store.sqlite.prepare('SELECT matched_from FROM decisions WHERE id = ?').pluck().get(d.id)).toBe(
      `{"source":"hashlist","list_id":"hl-jkt-riots","list_source":"hashlist","list_version":"${V1}","entry_id":"e1","label":"known riot footage e1","query_match_percent":96.4,"compared_match_percent":100,"same_file":false}`,
    )
    const payload = JSON.parse(t.store.sqlite.prepare("SELECT payload FROM audit_log WHERE kind = 'decision.recorded'").pluck().get() as string) as Record<string, unknown>
    expect(payload).toEqual({ decisionId: d.id, revisesId: null, action: 'remove', categories: ['violence.arson'], matchedFrom: m })
    expect(t.handlers['audit.verify']({})).toMatchObject({ ok: true })
  })

  test('a clip and a list match side by side in one recordMany, each recorded as given', async () => {
    const t = await profileWithList()
    const original = record(t, removal('clip-000000'))
    const fromClip = { source: 'clip' as const, clipId: 'clip-000000', decisionId: original.id, queryMatchPercent: 90, comparedMatchPercent: 90, sameFile: false }
    const [a, b] = t.handlers['decision.recordMany']({
      decisions: [DecisionDraft.parse({ ...removal('clip-000001'), matchedFrom: fromClip }), DecisionDraft.parse({ ...removal('clip-000002'), matchedFrom: listMatch({ entryId: 'e2', label: 'known riot footage e2', sameFile: true }) })],
    }).items
    expect(a!.matchedFrom).toEqual(fromClip)
    expect(b!.matchedFrom).toMatchObject({ source: 'hashlist', entryId: 'e2', sameFile: true })
  })
})

describe('a list match core cannot confirm is refused and changes nothing', () => {
  test('a list not in the profile', async () => {
    const t = await profileWithList()
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: listMatch({ listId: 'hl-elsewhere' }) }))
    expect(err.code).toBe('not_found')
    expect(err.message).toBe('the matched hash list "hl-elsewhere" is not in this profile')
    expect(err.details).toEqual([{ path: 'matchedFrom.listId', message: 'unknown hash list' }])
  })

  test('a list of another source', async () => {
    const t = await profileWithList()
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: listMatch({ listSource: 'team' }) }))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toBe('hash list "hl-jkt-riots" in this profile comes from hashlist, not team')
    expect(err.details).toEqual([{ path: 'matchedFrom.listSource', message: 'must be hashlist' }])
  })

  test('a version that is no longer (or not yet) the one in force', async () => {
    const t = await profileWithList()
    await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('e1')], { created_at: V2 }), key) })
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: listMatch() }))
    expect(err.code).toBe('conflict')
    expect(err.message).toBe(`hash list "hl-jkt-riots" in this profile is version ${V2}, not ${V1}; open the match again`)
    expect(err.details).toEqual([{ path: 'matchedFrom.listVersion', message: `the version in force is ${V2}` }])
    expect(record(t, { ...removal('clip-000001'), matchedFrom: listMatch({ listVersion: V2 }) }).matchedFrom).toMatchObject({ listVersion: V2 })
  })

  test('an entry the list does not hold (in the version in force)', async () => {
    const t = await profileWithList()
    await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('e1')], { created_at: V2 }), key) })
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: listMatch({ listVersion: V2, entryId: 'e2', label: 'known riot footage e2' }) }))
    expect(err.code).toBe('not_found')
    expect(err.message).toBe('hash list "hl-jkt-riots" has no entry "e2"')
    expect(err.details).toEqual([{ path: 'matchedFrom.entryId', message: 'unknown entry' }])
  })

  test('a label that is not the entry’s', async () => {
    const t = await profileWithList()
    const err = refusedWithoutChange(t, () => record(t, { ...removal('clip-000001'), matchedFrom: listMatch({ label: 'something else' }) }))
    expect(err.code).toBe('invalid_input')
    expect(err.message).toBe('entry "e1" of hash list "hl-jkt-riots" is labelled "known riot footage e1", not "something else"')
    expect(err.details).toEqual([{ path: 'matchedFrom.label', message: "not the entry's label" }])
  })

  test('in recordMany, one bad list match refuses them all, named by its place', async () => {
    const t = await profileWithList()
    const err = refusedWithoutChange(t, () =>
      t.handlers['decision.recordMany']({
        decisions: [DecisionDraft.parse({ ...removal('clip-000001'), matchedFrom: listMatch() }), DecisionDraft.parse({ ...removal('clip-000002'), matchedFrom: listMatch({ entryId: 'e9' }) })],
      }),
    )
    expect(err.details).toEqual([{ path: 'decisions.1.matchedFrom.entryId', message: 'unknown entry' }])
  })

  test('the contract refuses a malformed list match before core sees it', async () => {
    const t = await profileWithList()
    const cases: [unknown, string][] = [
      [{ ...listMatch(), label: 'x'.repeat(201) }, 'matchedFrom.label'],
      [{ ...listMatch(), listId: '' }, 'matchedFrom.listId'],
      [{ ...listMatch(), entryId: 'e'.repeat(201) }, 'matchedFrom.entryId'],
      [{ ...listMatch(), listVersion: 'last week' }, 'matchedFrom.listVersion'],
      [{ ...listMatch(), listSource: 'industry' }, 'matchedFrom.listSource'],
      [{ ...listMatch(), queryMatchPercent: 101 }, 'matchedFrom.queryMatchPercent'],
      [{ ...listMatch(), clipId: 'clip-000000' }, 'matchedFrom'],
      [{ source: 'hashlist', listId: 'hl-jkt-riots', entryId: 'e1' }, 'matchedFrom.listVersion'],
    ]
    await expectMalformedMatchesRefused(t, removal('clip-000001'), cases)
  })
})
