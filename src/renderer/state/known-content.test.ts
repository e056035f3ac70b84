import { describe, expect, test } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import type { ClipMatch, HashListMatch } from '../../shared/known-content'
import { Policy } from '../../shared/policy'
import { emptyForm } from './decision-form'
import { applicableMatch, formFromMatch, matchedDecision, matchIsSensitive, matchKey } from './known-content'

const policy = Policy.parse(policyJson)

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
  decision: {
    id: 'd1',
    clipId: 'demo-007',
    revisesId: null,
    policyId: policy.id,
    policyVersion: policy.version,
    categories: ['violence.arson', 'gone.from.policy'],
    action: 'remove',
    escalationTarget: null,
    ranges: [{ startMs: 1000, endMs: 2000, label: '', note: '' }],
    rationale: 'car set on fire',
    reviewerId: 'rina',
    deviceId: 'dev',
    decidedAt: '2026-12-06T10:00:00.000Z',
    matchedFrom: null,
    syncState: 'pending',
  },
  outcome: null,
  ...over,
})

describe('applying known footage’s decision', () => {
  test('fills categories, action and a rationale naming the match; no ranges; keeps what it revises', () => {
    const current = { ...emptyForm(), revisesId: 'mine-1', ranges: [{ key: 1, startMs: 0, endMs: 500, label: '', note: '' }] }
    const next = formFromMatch(policy, current, match(), (r) => `Matches demo-007. ${r}`)
    expect(next.categories).toEqual(['violence.arson'])
    expect(next.action).toBe('remove')
    expect(next.ranges).toEqual([])
    expect(next.rationale).toBe('Matches demo-007. car set on fire')
    expect(next.revisesId).toBe('mine-1')
    expect(next.activeKind).toBe('violation')
  })

  test('takes the organisation’s outcome where this profile has no decision, and skips undecided copies', () => {
    const undecided = match({ clipId: 'demo-001', decision: null })
    const settled = match({
      clipId: 'demo-009',
      decision: null,
      outcome: { kind: 'adjudicated', action: 'allow', categories: ['ok.news'], rationale: 'news report', leadName: 'Lina', upheld: null, yourDecisionId: null, settledAt: '2026-12-06T10:00:00.000Z' },
    })
    expect(applicableMatch([undecided, settled])).toBe(settled)
    expect(applicableMatch([undecided])).toBeNull()
    const next = formFromMatch(policy, emptyForm(), settled, (r) => r)
    expect([next.categories, next.action, next.rationale, next.activeKind]).toEqual([['ok.news'], 'allow', 'news report', 'no_violation'])
  })

  test('an action the policy no longer has is left for the reviewer; protected categories are flagged', () => {
    const old = match()
    old.decision!.action = 'retired_action'
    expect(formFromMatch(policy, emptyForm(), old, (r) => r).action).toBeNull()
    const graphic = match()
    graphic.decision!.categories = ['violence.graphic']
    expect(matchIsSensitive(policy, graphic)).toBe(policy.categories.find((c) => c.id === 'violence.graphic')!.blurByDefault)
    expect(matchIsSensitive(policy, match({ decision: null }))).toBe(false)
  })

  test('a hash list entry carries its decision: applied like a clip’s, named by its own key', () => {
    const listed: HashListMatch = {
      source: 'hashlist',
      listId: 'hl-1',
      listName: 'Known riots',
      listSource: 'hashlist',
      listVersion: '2026-11-30T01:00:00.000Z',
      issuerName: 'Lead',
      issuerPublicKey: 'ed25519:x',
      entryId: 'e1',
      label: 'Car fire',
      sameFile: false,
      queryMatchPercent: 90,
      comparedMatchPercent: 50,
      decision: { action: 'remove', categories: ['violence.arson'], rationale: 'arson', policyId: null, policyVersion: null, decidedBy: null, decidedAt: null, sourceClipId: null },
    }
    const undecided = match({ decision: null })
    expect(applicableMatch([undecided, listed])).toBe(listed)
    expect(matchedDecision(listed)).toEqual({ action: 'remove', categories: ['violence.arson'], escalationTarget: null, rationale: 'arson' })
    const next = formFromMatch(policy, emptyForm(), listed, (r) => `Matches Car fire. ${r}`)
    expect([next.categories, next.action, next.rationale]).toEqual([['violence.arson'], 'remove', 'Matches Car fire. arson'])
    expect(matchKey(listed)).toBe('list:hl-1/e1')
    expect(matchKey(undecided)).toBe('clip:demo-007')
  })
})
