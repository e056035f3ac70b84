import { describe, expect, it } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import type { DecisionRecord } from '../../shared/domain'
import { DecisionDraft, Policy } from '../../shared/policy'
import {
  categoriesOfKind,
  emptyForm,
  formProblems,
  formReducer,
  initialForm,
  isDirty,
  offeredActions,
  toDraft,
  type FormEvent,
  type FormState,
} from './decision-form'

const policy = Policy.parse(policyJson)
const run = (events: FormEvent[], from: FormState = emptyForm()) => events.reduce((s, e) => formReducer(policy, s, e), from)
const codes = (s: FormState, duration?: number) => formProblems(policy, s, duration).map((p) => p.code)

function decision(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    clipId: 'demo-001',
    revisesId: null,
    policyId: 'live-safety',
    policyVersion: '2025.09',
    categories: ['violence.arson'],
    action: 'escalate',
    escalationTarget: 'imminent_harm',
    ranges: [{ startMs: 1000, endMs: 2500, label: 'call to burn', note: 'names the building' }],
    rationale: 'Urges viewers to set fire to a building.',
    reviewerId: 'rina',
    deviceId: 'dev-1',
    decidedAt: '2025-08-30T10:00:00Z',
    matchedFrom: null,
    syncState: 'pending',
    ...over,
  }
}

describe('categories', () => {
  it('picking a category of the other kind clears the first kind', () => {
    const s = run([
      { type: 'toggleCategory', id: 'hate' },
      { type: 'toggleCategory', id: 'violence.incitement' },
    ])
    expect(s.categories).toEqual(['hate', 'violence.incitement'])
    const switched = run([{ type: 'toggleCategory', id: 'ok.news' }], s)
    expect(switched.categories).toEqual(['ok.news'])
    expect(switched.activeKind).toBe('no_violation')
    expect(run([{ type: 'toggleCategory', id: 'minors' }], switched).categories).toEqual(['minors'])
  })

  it('toggling twice removes', () => {
    expect(run([{ type: 'toggleCategory', id: 'hate' }, { type: 'toggleCategory', id: 'hate' }]).categories).toEqual([])
  })

  it('ignores ids the policy does not know, but keeps and removes them when prefilled', () => {
    expect(run([{ type: 'toggleCategory', id: 'spam.engagement_bait' }]).categories).toEqual([])
    const prefilled = { ...emptyForm(), categories: ['spam.engagement_bait'] }
    const withKnown = run([{ type: 'toggleCategory', id: 'ok.other' }], prefilled)
    expect(withKnown.categories).toEqual(['spam.engagement_bait', 'ok.other'])
    expect(codes(withKnown)).toContain('category_unknown')
    expect(run([{ type: 'toggleCategory', id: 'spam.engagement_bait' }], withKnown).categories).toEqual(['ok.other'])
  })

  it('digit keys address the active group, in policy order', () => {
    const violations = categoriesOfKind(policy, 'violation')
    expect(run([{ type: 'toggleCategoryAt', index: 0 }]).categories).toEqual([violations[0]!.id])
    const s = run([{ type: 'switchActiveKind' }, { type: 'toggleCategoryAt', index: 1 }])
    expect(s.categories).toEqual([categoriesOfKind(policy, 'no_violation')[1]!.id])
    expect(run([{ type: 'toggleCategoryAt', index: 40 }]).categories).toEqual([])
  })
})

describe('actions', () => {
  it('offers only actions allowed for the chosen kind', () => {
    const v = run([{ type: 'toggleCategory', id: 'hate' }])
    expect(offeredActions(policy, v).map((a) => a.id)).not.toContain('allow')
    const ok = run([{ type: 'toggleCategory', id: 'ok.commerce' }])
    expect(offeredActions(policy, ok).map((a) => a.id)).toEqual(['allow', 'label', 'escalate'])
    expect(offeredActions(policy, emptyForm())).toHaveLength(policy.actions.length)
  })

  it('refuses an action not allowed for the kind', () => {
    const s = run([{ type: 'toggleCategory', id: 'ok.commerce' }, { type: 'setAction', id: 'remove' }])
    expect(s.action).toBeNull()
  })

  it('clears the action when the kind changes under it, keeps it when still allowed', () => {
    const removed = run([{ type: 'toggleCategory', id: 'hate' }, { type: 'setAction', id: 'remove' }, { type: 'toggleCategory', id: 'ok.news' }])
    expect(removed.action).toBeNull()
    const labelled = run([{ type: 'toggleCategory', id: 'hate' }, { type: 'setAction', id: 'label' }, { type: 'toggleCategory', id: 'ok.news' }])
    expect(labelled.action).toBe('label')
  })

  it('keeps an escalation target only while escalating', () => {
    const s = run([
      { type: 'toggleCategory', id: 'violence.arson' },
      { type: 'setAction', id: 'escalate' },
      { type: 'setEscalationTarget', id: 'legal' },
    ])
    expect(s.escalationTarget).toBe('legal')
    expect(run([{ type: 'setAction', id: 'remove' }], s).escalationTarget).toBeNull()
    expect(run([{ type: 'setEscalationTarget', id: 'legal' }]).escalationTarget).toBeNull()
  })
})

describe('problems', () => {
  it('says exactly what is missing, in form order', () => {
    expect(codes(emptyForm())).toEqual(['categories_missing', 'action_missing'])
    const s = run([{ type: 'toggleCategory', id: 'violence.arson' }, { type: 'setAction', id: 'escalate' }])
    expect(codes(s)).toEqual(['escalation_target_required', 'rationale_required'])
    const done = run([{ type: 'setEscalationTarget', id: 'legal' }, { type: 'setRationale', text: 'Urges arson.' }], s)
    expect(codes(done)).toEqual([])
  })

  it('allow needs no rationale', () => {
    expect(codes(run([{ type: 'toggleCategory', id: 'ok.commerce' }, { type: 'setAction', id: 'allow' }]))).toEqual([])
  })

  it('checks time ranges against each other and the clip', () => {
    const base = run([{ type: 'toggleCategory', id: 'ok.other' }, { type: 'setAction', id: 'allow' }, { type: 'addRange', atMs: 1200.4 }])
    const key = base.ranges[0]!.key
    expect(base.ranges[0]).toMatchObject({ startMs: 1200, endMs: 1200 })
    expect(codes(run([{ type: 'updateRange', key, patch: { endMs: 1000 } }], base))).toEqual(['range_inverted'])
    expect(codes(run([{ type: 'updateRange', key, patch: { endMs: 9000 } }], base), 7500)).toEqual(['range_outside_clip'])
    expect(codes(run([{ type: 'updateRange', key, patch: { startMs: Number.NaN } }], base))).toEqual(['range_invalid'])
    expect(run([{ type: 'removeRange', key }], base).ranges).toEqual([])
  })
})

describe('revision prefill', () => {
  it('starts empty without a decision', () => {
    expect(initialForm(policy, [])).toEqual(emptyForm())
  })

  it('prefills from the decision in force (the last) and revises it', () => {
    const older = decision({ id: '0190a1b2-0000-7000-8000-000000000001', action: 'remove', escalationTarget: null })
    const current = decision()
    const s = initialForm(policy, [older, current])
    expect(s).toMatchObject({
      categories: ['violence.arson'],
      action: 'escalate',
      escalationTarget: 'imminent_harm',
      rationale: current.rationale,
      revisesId: current.id,
      activeKind: 'violation',
    })
    expect(s.ranges.map(({ key: _k, ...r }) => r)).toEqual(current.ranges)
    expect(formProblems(policy, s, 7500)).toEqual([])
    expect(isDirty(s, initialForm(policy, [older, current]))).toBe(false)
    expect(isDirty(run([{ type: 'setRationale', text: 'changed' }], s), s)).toBe(true)
  })

  it('makes a draft core accepts', () => {
    const s = initialForm(policy, [decision()])
    const draft = DecisionDraft.strict().parse(toDraft(s, 'demo-001'))
    expect(draft).toMatchObject({ clipId: 'demo-001', revisesId: decision().id, action: 'escalate', escalationTarget: 'imminent_harm' })
    expect(draft.ranges[0]).toEqual({ startMs: 1000, endMs: 2500, label: 'call to burn', note: 'names the building' })
  })
})

describe('in and out points (I / O)', () => {
  const ranges = (s: FormState) => s.ranges.map((r) => [r.startMs, r.endMs])

  it('makes a range once both ends are marked, in either order, and clears the marks', () => {
    const halfway = run([{ type: 'mark', edge: 'in', atMs: 3000.4 }])
    expect(halfway.marks).toEqual({ inMs: 3000, outMs: null })
    expect(halfway.ranges).toEqual([])
    const made = run([{ type: 'mark', edge: 'out', atMs: 7000 }], halfway)
    expect(ranges(made)).toEqual([[3000, 7000]])
    expect(made.marks).toEqual({ inMs: null, outMs: null })
    // Out first, then an in point after it: the range still starts at the earlier time.
    const reversed = run([
      { type: 'mark', edge: 'out', atMs: 9000 },
      { type: 'mark', edge: 'in', atMs: 12000 },
    ])
    expect(ranges(reversed)).toEqual([[9000, 12000]])
  })

  it('marking the same end again moves the mark, and Esc (clearMarks) forgets it', () => {
    const s = run([
      { type: 'mark', edge: 'in', atMs: 1000 },
      { type: 'mark', edge: 'in', atMs: 2000 },
    ])
    expect(s.marks.inMs).toBe(2000)
    expect(run([{ type: 'clearMarks' }], s).marks).toEqual({ inMs: null, outMs: null })
    expect(run([{ type: 'mark', edge: 'in', atMs: -50 }]).marks.inMs).toBe(0)
  })

  it('with a range chosen, I and O move its edges instead of marking a new range', () => {
    const two = run([
      { type: 'mark', edge: 'in', atMs: 1000 },
      { type: 'mark', edge: 'out', atMs: 2000 },
      { type: 'mark', edge: 'in', atMs: 5000 },
      { type: 'mark', edge: 'out', atMs: 6000 },
    ])
    const first = two.ranges[0]!.key
    const chosen = run([{ type: 'selectRange', key: first }], two)
    expect(chosen.selectedRange).toBe(first)
    const moved = run([{ type: 'mark', edge: 'out', atMs: 2500 }, { type: 'mark', edge: 'in', atMs: 500 }], chosen)
    expect(ranges(moved)).toEqual([
      [500, 2500],
      [5000, 6000],
    ])
    // An in point after the end swaps the edges rather than inverting the range.
    expect(ranges(run([{ type: 'mark', edge: 'in', atMs: 4000 }], moved))[0]).toEqual([2500, 4000])
    // Letting go: the next I / O mark a new range again.
    const released = run([{ type: 'clearMarks' }, { type: 'mark', edge: 'in', atMs: 8000 }], moved)
    expect(released.selectedRange).toBeNull()
    expect(released.ranges).toHaveLength(2)
    expect(released.marks.inMs).toBe(8000)
  })

  it('cannot choose a range that does not exist; removing the chosen range lets go of it', () => {
    expect(run([{ type: 'selectRange', key: 42 }]).selectedRange).toBeNull()
    const one = run([{ type: 'mark', edge: 'in', atMs: 0 }, { type: 'mark', edge: 'out', atMs: 900 }])
    const key = one.ranges[0]!.key
    const removed = run([{ type: 'selectRange', key }, { type: 'removeRange', key }], one)
    expect(removed.selectedRange).toBeNull()
    expect(removed.ranges).toEqual([])
  })

  it('marks and the chosen range are not part of the decision and do not make the form dirty', () => {
    const start = emptyForm()
    const marked = run([{ type: 'mark', edge: 'in', atMs: 1000 }], start)
    expect(isDirty(marked, start)).toBe(false)
    const made = run([{ type: 'mark', edge: 'out', atMs: 1500 }], marked)
    expect(isDirty(made, start)).toBe(true)
    expect(toDraft(run([{ type: 'selectRange', key: made.ranges[0]!.key }], made), 'c1').ranges).toEqual([{ startMs: 1000, endMs: 1500, label: '', note: '' }])
  })
})
