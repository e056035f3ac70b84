import { describe, expect, test } from 'vitest'
import type { ReviewerDecision } from '../../../shared/lead-api'
import { Policy } from '../../../shared/policy'
import policyJson from '../../../../resources/policy/live-safety.json'
import { adjudicationCommand } from './adjudication-keys'
import { adoptedDecision, chooseAction, draftFrom, draftProblems, EMPTY_DRAFT, toBody, toggleCategory } from './outcome-form'
import { plainPress } from '../../../ui/keys'
import { moveSelection } from '../disputes/list-keys'

const policy = Policy.parse(policyJson)
const decision = (over: Partial<ReviewerDecision>): ReviewerDecision => ({
  id: 'd-rina',
  reviewer_id: 'rina',
  reviewer_name: 'Rina',
  action: 'remove',
  categories: ['violence.arson'],
  escalation_target: null,
  ranges: [{ start_ms: 1500, end_ms: 2500, label: 'call', note: '' }],
  rationale: 'Urges arson at 0:02.',
  decided_at: '2026-12-06T10:00:00.000Z',
  matched_from: null,
  qa: false,
  ...over,
})
const rina = decision({})
const budi = decision({ id: 'd-budi', reviewer_id: 'budi', reviewer_name: 'Budi', action: 'allow', categories: ['ok.news'], ranges: [], rationale: '' })

describe("the lead's outcome", () => {
  test("taken from a reviewer's decision as it is, it adopts that decision", () => {
    const draft = draftFrom(rina)
    expect(draftProblems(policy, draft, 7000)).toEqual([])
    expect(toBody(draft, 'o-1', [rina, budi])).toEqual({
      expected_outcome_id: 'o-1',
      action: 'remove',
      categories: ['violence.arson'],
      escalation_target: null,
      ranges: [{ start_ms: 1500, end_ms: 2500, label: 'call', note: '' }],
      rationale: 'Urges arson at 0:02.',
      adopted_decision_id: 'd-rina',
    })
  })

  test('changed after it was taken, it is the lead’s own: no decision adopted', () => {
    const draft = chooseAction(draftFrom(rina), 'limit')
    expect(adoptedDecision(draft, [rina, budi])).toBeNull()
    expect(toBody(draft, 'o-1', [rina, budi]).adopted_decision_id).toBeNull()
    // The rationale alone may change: the same decision is still adopted.
    expect(adoptedDecision({ ...draftFrom(rina), rationale: 'Clearer reason.' }, [rina])?.id).toBe('d-rina')
  })

  test('is checked by the policy’s own rules before it is sent', () => {
    expect(draftProblems(policy, EMPTY_DRAFT, null).map((p) => p.code)).toEqual(['categories_missing', 'action_missing'])
    const noReason = { ...draftFrom(rina), rationale: '  ' }
    expect(draftProblems(policy, noReason, 7000).map((p) => p.code)).toEqual(['rationale_required'])
    const tooLong = draftFrom(decision({ ranges: [{ start_ms: 0, end_ms: 9000, label: '', note: '' }] }))
    expect(draftProblems(policy, tooLong, 7000).map((p) => p.code)).toEqual(['range_outside_clip'])
    const escalate = chooseAction(draftFrom(rina), 'escalate')
    expect(draftProblems(policy, escalate, null).map((p) => p.code)).toEqual(['escalation_target_required'])
  })

  test('never mixes violations and no-violation labels, and drops an action the new kind refuses', () => {
    const start = draftFrom(rina)
    const switched = toggleCategory(policy, start, 'ok.news')
    expect(switched.categories).toEqual(['ok.news'])
    expect(switched.action).toBeNull()
    expect(toggleCategory(policy, switched, 'ok.news').categories).toEqual([])
    const both = toggleCategory(policy, start, 'public_safety.provocation')
    expect(both.categories).toEqual(['violence.arson', 'public_safety.provocation'])
    expect(both.action).toBe('remove')
  })
})

describe('keys', () => {
  test('1–9 take a decision, W writes, N/P/L move, Ctrl+Enter saves anywhere', () => {
    expect(adjudicationCommand(plainPress('2'))).toEqual({ type: 'take', index: 1 })
    expect(adjudicationCommand(plainPress('w'))).toEqual({ type: 'write' })
    expect(adjudicationCommand(plainPress('n'))).toEqual({ type: 'next' })
    expect(adjudicationCommand(plainPress('p'))).toEqual({ type: 'prev' })
    expect(adjudicationCommand(plainPress('l'))).toEqual({ type: 'list' })
    expect(adjudicationCommand(plainPress('Enter', { ctrlKey: true, target: { tag: 'TEXTAREA' } }))).toEqual({ type: 'save' })
    expect(adjudicationCommand(plainPress('Enter', { metaKey: true }))).toEqual({ type: 'save' })
  })

  test('single keys stay out of text fields and away from modifiers', () => {
    expect(adjudicationCommand(plainPress('1', { target: { tag: 'TEXTAREA' } }))).toBeNull()
    expect(adjudicationCommand(plainPress('n', { target: { tag: 'INPUT', type: 'text' } }))).toBeNull()
    expect(adjudicationCommand(plainPress('n', { ctrlKey: true }))).toBeNull()
    expect(adjudicationCommand(plainPress('1', { shiftKey: true }))).toBeNull()
    expect(adjudicationCommand(plainPress('Enter'))).toBeNull()
  })

  test('the disputed list moves within its rows', () => {
    expect(moveSelection('ArrowDown', 0, 3)).toBe(1)
    expect(moveSelection('j', 2, 3)).toBe(2)
    expect(moveSelection('k', 0, 3)).toBe(0)
    expect(moveSelection('End', 0, 3)).toBe(2)
    expect(moveSelection('Home', 2, 3)).toBe(0)
    expect(moveSelection('x', 0, 3)).toBeNull()
    expect(moveSelection('j', 0, 0)).toBeNull()
  })
})
