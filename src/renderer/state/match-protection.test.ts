import { describe, expect, test } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import type { ClipMatch, ClipMatches } from '../../shared/known-content'
import { Policy } from '../../shared/policy'
import { sensitiveCategories } from '../../ui/wellness'
import { protectedMatchLabels, protectionLabels } from './match-protection'

const policy = Policy.parse(policyJson)
const blurred = policy.categories.filter((c) => c.blurByDefault).map((c) => c.id)
const plain = policy.categories.filter((c) => !c.blurByDefault).map((c) => c.id)

const match = (categories: string[] | null, outcome: string[] | null = null): ClipMatch => ({
  source: 'clip',
  clipId: 'demo-007',
  packId: 'p',
  status: categories ? 'decided' : 'pending',
  streamTitle: null,
  posterSha256: null,
  sameFile: false,
  queryMatchPercent: 100,
  comparedMatchPercent: 100,
  decision: categories
    ? {
        id: 'd1',
        clipId: 'demo-007',
        revisesId: null,
        policyId: policy.id,
        policyVersion: policy.version,
        categories,
        action: 'remove',
        escalationTarget: null,
        ranges: [],
        rationale: '',
        matchedFrom: null,
        reviewerId: 'rina',
        deviceId: 'dev',
        decidedAt: '2026-01-01T00:00:00.000Z',
        syncState: 'pending',
      }
    : null,
  outcome: outcome
    ? { kind: 'adjudicated', action: 'remove', categories: outcome, rationale: null, leadName: 'lead', upheld: null, yourDecisionId: null, settledAt: '2026-01-01T00:00:00.000Z' }
    : null,
})
const result = (...matches: ClipMatch[]): ClipMatches => ({ hashing: 'hashed', matches })

describe('a match to a protected decision protects the clip', () => {
  test('the protected categories of every decided match, once, and only those', () => {
    expect(blurred.length).toBeGreaterThan(0)
    expect(plain.length).toBeGreaterThan(0)
    expect(protectedMatchLabels(policy, result(match([blurred[0]!, plain[0]!]), match([blurred[0]!])))).toEqual([{ label: blurred[0]! }])
    expect(protectedMatchLabels(policy, result(match([plain[0]!])))).toEqual([])
    expect(protectedMatchLabels(policy, result(match(null)))).toEqual([])
    expect(protectedMatchLabels(policy, null)).toEqual([])
  })

  test("the organisation's outcome counts as the decision when this profile has none", () => {
    expect(protectedMatchLabels(policy, result(match(null, [blurred[0]!])))).toEqual([{ label: blurred[0]! }])
  })

  test('with the clip’s own flags, the clip is sensitive as the protection decides it', () => {
    const flags = [{ label: plain[0]! }]
    expect(sensitiveCategories(policy, protectionLabels(flags, []))).toEqual([])
    const labels = protectionLabels(flags, protectedMatchLabels(policy, result(match([blurred[0]!]))))
    expect(sensitiveCategories(policy, labels)).toEqual([blurred[0]!])
    // Unchanged (the same array) without a protected match, so the protection keeps its state.
    expect(protectionLabels(flags, [])).toBe(flags)
    expect(protectionLabels([{ label: blurred[0]! }], [{ label: blurred[0]! }])).toEqual([{ label: blurred[0]! }])
  })
})
