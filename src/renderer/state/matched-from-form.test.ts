import { describe, expect, test } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import type { DecisionRecord } from '../../shared/domain'
import type { ClipMatch, HashListMatch } from '../../shared/known-content'
import { DecisionDraft, Policy } from '../../shared/policy'
import { copyDrafts, undecidedCopies } from './copies'
import { emptyForm, formReducer, initialForm, toDraft, type FormEvent } from './decision-form'
import { formFromMatch, matchedFromOf } from './known-content'

/** Issue 14: the form remembers the match it was filled from, and "apply to all copies" builds one draft per copy. */

const policy = Policy.parse(policyJson)

const decision = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  id: 'd1',
  clipId: 'demo-007',
  revisesId: null,
  policyId: policy.id,
  policyVersion: policy.version,
  categories: ['violence.arson'],
  action: 'remove',
  escalationTarget: null,
  ranges: [{ startMs: 1000, endMs: 2000, label: '', note: '' }],
  rationale: 'car set on fire',
  reviewerId: 'rina',
  deviceId: 'dev',
  decidedAt: '2026-12-06T10:00:00.000Z',
  matchedFrom: null,
  syncState: 'pending',
  ...over,
})

const match = (over: Partial<ClipMatch> = {}): ClipMatch => ({
  source: 'clip',
  clipId: 'demo-007',
  packId: 'p',
  status: 'decided',
  streamTitle: null,
  posterSha256: null,
  sameFile: false,
  queryMatchPercent: 92.5,
  comparedMatchPercent: 80,
  decision: decision(),
  outcome: null,
  ...over,
})

const fill = (m: ClipMatch) => formFromMatch(policy, emptyForm(), m, (r) => `Matches ${m.clipId}. ${r}`)

describe('the form and the match it was filled from', () => {
  test('D records which clip, its decision and how much matched; saving sends it', () => {
    const form = fill(match())
    const expected = { source: 'clip', clipId: 'demo-007', decisionId: 'd1', queryMatchPercent: 92.5, comparedMatchPercent: 80, sameFile: false }
    expect(form.matchedFrom).toEqual(expected)
    expect(toDraft(form, 'mirror-007').matchedFrom).toEqual(expected)
    expect(DecisionDraft.parse(toDraft(form, 'mirror-007')).matchedFrom).toEqual(expected)
  })

  test('an outcome-only match has no decision id', () => {
    const settled = match({
      decision: null,
      outcome: { kind: 'adjudicated', action: 'remove', categories: ['violence.arson'], rationale: 'x', leadName: 'Lina', upheld: null, yourDecisionId: null, settledAt: '2026-12-06T10:00:00.000Z' },
    })
    expect(fill(settled).matchedFrom).toMatchObject({ clipId: 'demo-007', decisionId: null })
  })

  test('editing keeps it; starting again drops it', () => {
    const events: FormEvent[] = [
      { type: 'toggleCategory', id: 'public_safety.provocation' },
      { type: 'setAction', id: 'limit' },
      { type: 'setRationale', text: 'edited' },
      { type: 'addRange', atMs: 500 },
      { type: 'mark', edge: 'in', atMs: 100 },
      { type: 'clearMarks' },
    ]
    const edited = events.reduce((s, e) => formReducer(policy, s, e), fill(match()))
    expect(edited.rationale).toBe('edited')
    expect(edited.matchedFrom).toMatchObject({ source: 'clip', clipId: 'demo-007' })
    expect(formReducer(policy, edited, { type: 'reset', state: initialForm(policy, []) }).matchedFrom).toBeNull()
    expect(initialForm(policy, [decision({ matchedFrom: edited.matchedFrom })]).matchedFrom).toBeNull()
    expect(toDraft(emptyForm(), 'c').matchedFrom).toBeNull()
  })
})

describe('a hash list entry’s match', () => {
  const listed = (over: Partial<HashListMatch> = {}): HashListMatch => ({
    source: 'hashlist',
    listId: 'team-hashes',
    listName: 'Team',
    listSource: 'team',
    listVersion: '2026-11-30T08:00:00.000+07:00',
    issuerName: 'Tinjau service',
    issuerPublicKey: 'ed25519:x',
    entryId: 'entry-42',
    label: 'Re-live of the Monas clash',
    sameFile: true,
    queryMatchPercent: 100,
    comparedMatchPercent: 97.5,
    decision: { action: 'remove', categories: ['violence.arson'], rationale: 'arson', policyId: null, policyVersion: null, decidedBy: null, decidedAt: null, sourceClipId: null },
    ...over,
  })

  test('D records the list, its version in force, the entry and its label, and how much matched; saving sends it', () => {
    const expected = {
      source: 'hashlist',
      listId: 'team-hashes',
      listSource: 'team',
      listVersion: '2026-11-30T08:00:00.000+07:00',
      entryId: 'entry-42',
      label: 'Re-live of the Monas clash',
      queryMatchPercent: 100,
      comparedMatchPercent: 97.5,
      sameFile: true,
    }
    expect(matchedFromOf(listed())).toEqual(expected)
    const form = formFromMatch(policy, emptyForm(), listed(), (r) => `Matches Re-live. ${r}`)
    expect(form.matchedFrom).toEqual(expected)
    expect(DecisionDraft.parse(toDraft(form, 'mirror-007')).matchedFrom).toEqual(expected)
  })

  test('starting again drops it', () => {
    const form = formFromMatch(policy, emptyForm(), listed({ listSource: 'hashlist', sameFile: false }), (r) => r)
    expect(form.matchedFrom).toMatchObject({ source: 'hashlist', listSource: 'hashlist', sameFile: false })
    expect(formReducer(policy, form, { type: 'reset', state: initialForm(policy, []) }).matchedFrom).toBeNull()
  })
})

describe('apply to all copies', () => {
  test('offers the undecided copies only, strongest first', () => {
    const copies = undecidedCopies([
      match({ clipId: 'decided-one' }),
      match({ clipId: 'weak', decision: null, queryMatchPercent: 70 }),
      match({ clipId: 'strong', decision: null, queryMatchPercent: 99 }),
    ])
    expect(copies.map((c) => c.clipId)).toEqual(['strong', 'weak'])
  })

  test('each copy gets its own draft pointing at the decided clip, percentages seen from the copy, no ranges', () => {
    const saved = decision({ id: 'd-saved', clipId: 'mirror-007' })
    const drafts = copyDrafts(saved, [match({ clipId: 'mirror-007b', decision: null, sameFile: true, queryMatchPercent: 100, comparedMatchPercent: 95 })], (c) => `Same video as mirror-007. ${c.clipId}`)
    expect(drafts).toEqual([
      {
        clipId: 'mirror-007b',
        categories: ['violence.arson'],
        action: 'remove',
        escalationTarget: null,
        ranges: [],
        rationale: 'Same video as mirror-007. mirror-007b',
        revisesId: null,
        matchedFrom: { source: 'clip', clipId: 'mirror-007', decisionId: 'd-saved', queryMatchPercent: 95, comparedMatchPercent: 100, sameFile: true },
      },
    ])
    expect(() => DecisionDraft.strict().parse(drafts[0])).not.toThrow()
  })
})
