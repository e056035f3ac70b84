import type { DecisionRecord } from '../../shared/domain'
import { actionsAllowedFor, checkDecisionAgainstPolicy, ESCALATE_ACTION, findCategory, kindOf } from '../../shared/policy-rules'
import type { MatchedFrom } from '../../shared/matched-from'
import type { CategoryKind, DecisionDraftInput, Policy, PolicyAction, PolicyCategory, PolicyProblem } from '../../shared/policy'

/**
 * The decision form as pure state: every rule of the form (one kind of category at a
 * time, actions allowed for that kind, escalation target only when escalating, revision
 * prefill) lives here, so it is tested without a DOM and the component only renders it.
 */

export interface RangeDraft {
  /** Stable key for React lists; never sent. */
  key: number
  startMs: number
  endMs: number
  label: string
  note: string
}

export interface FormState {
  categories: string[]
  action: string | null
  escalationTarget: string | null
  ranges: RangeDraft[]
  rationale: string
  /** The decision in force this one revises, or null for the first decision. */
  revisesId: string | null
  /** Which category group the digit keys address. */
  activeKind: CategoryKind
  nextKey: number
  /**
   * In and out points set with `I` / `O` that do not make a range yet: the range is made
   * when both are set (in either order). Never sent.
   */
  marks: { inMs: number | null; outMs: number | null }
  /** The range `I` / `O` edit instead of marking a new one (chosen on the timeline), or null. */
  selectedRange: number | null
  /**
   * The known-content match the form was filled from (`D`), sent with the decision. Edits
   * keep it (the reviewer still started from the match); only starting again drops it.
   */
  matchedFrom: MatchedFrom | null
}

export const DEFAULT_KIND: CategoryKind = 'violation'

export function emptyForm(): FormState {
  return {
    categories: [],
    action: null,
    escalationTarget: null,
    ranges: [],
    rationale: '',
    revisesId: null,
    activeKind: DEFAULT_KIND,
    nextKey: 1,
    ...NO_MARKS,
    matchedFrom: null,
  }
}

const NO_MARKS = { marks: { inMs: null, outMs: null }, selectedRange: null } as const satisfies Pick<FormState, 'marks' | 'selectedRange'>

function clampMs(ms: number): number {
  return Math.max(0, Math.round(ms))
}

/**
 * `I` (edge 'in') or `O` (edge 'out') at `atMs`. With a range selected, moves that edge of
 * it (swapping the edges if they cross, so a range never ends before it starts). Otherwise
 * sets a mark; once both marks are set a new range spans them and the marks clear.
 */
export function markEdge(state: FormState, edge: 'in' | 'out', atMs: number): FormState {
  const at = clampMs(atMs)
  const selected = state.selectedRange === null ? undefined : state.ranges.find((r) => r.key === state.selectedRange)
  if (selected) {
    const startMs = edge === 'in' ? at : selected.startMs
    const endMs = edge === 'out' ? at : selected.endMs
    const patch = { startMs: Math.min(startMs, endMs), endMs: Math.max(startMs, endMs) }
    return { ...state, ranges: state.ranges.map((r) => (r.key === selected.key ? { ...r, ...patch } : r)) }
  }
  const marks = edge === 'in' ? { ...state.marks, inMs: at } : { ...state.marks, outMs: at }
  if (marks.inMs === null || marks.outMs === null) return { ...state, marks, selectedRange: null }
  const range: RangeDraft = { key: state.nextKey, startMs: Math.min(marks.inMs, marks.outMs), endMs: Math.max(marks.inMs, marks.outMs), label: '', note: '' }
  return { ...state, ranges: [...state.ranges, range], nextKey: state.nextKey + 1, ...NO_MARKS }
}

/** The decision in force on a clip: the last one (decisions come oldest first). */
export function decisionInForce(decisions: readonly DecisionRecord[]): DecisionRecord | null {
  return decisions.length > 0 ? (decisions[decisions.length - 1] ?? null) : null
}

/** A new form for a clip: empty, or a revision prefilled from the decision in force. */
export function initialForm(policy: Policy, decisions: readonly DecisionRecord[]): FormState {
  const current = decisionInForce(decisions)
  if (!current) return emptyForm()
  const ranges = current.ranges.map((r, i) => ({ key: i + 1, startMs: r.startMs, endMs: r.endMs, label: r.label, note: r.note }))
  return {
    categories: [...current.categories],
    action: current.action,
    escalationTarget: current.escalationTarget,
    ranges,
    rationale: current.rationale,
    revisesId: current.id,
    activeKind: kindOf(policy, current.categories) ?? DEFAULT_KIND,
    nextKey: ranges.length + 1,
    ...NO_MARKS,
    matchedFrom: null,
  }
}

/** Categories of one kind, in policy order: the order of the form and of the digit keys. */
export function categoriesOfKind(policy: Policy, kind: CategoryKind): PolicyCategory[] {
  return policy.categories.filter((c) => c.kind === kind)
}

/** The kind the form has chosen (from its known categories), or null when none yet. */
export function chosenKind(policy: Policy, state: Pick<FormState, 'categories'>): CategoryKind | null {
  return kindOf(
    policy,
    state.categories.filter((id) => findCategory(policy, id)),
  )
}

/** Actions the form offers now: those allowed with the chosen kind (all, before a kind is chosen). */
export function offeredActions(policy: Policy, state: Pick<FormState, 'categories'>): PolicyAction[] {
  return actionsAllowedFor(policy, chosenKind(policy, state))
}

/** Drop the action (and its target) when the categories no longer allow it. */
function keepActionValid(policy: Policy, state: FormState): FormState {
  if (state.action === null) return state
  if (offeredActions(policy, state).some((a) => a.id === state.action)) return state
  return { ...state, action: null, escalationTarget: null }
}

export type FormEvent =
  | { type: 'toggleCategory'; id: string }
  | { type: 'toggleCategoryAt'; index: number }
  | { type: 'setActiveKind'; kind: CategoryKind }
  | { type: 'switchActiveKind' }
  | { type: 'setAction'; id: string }
  | { type: 'setEscalationTarget'; id: string | null }
  | { type: 'setRationale'; text: string }
  | { type: 'addRange'; atMs: number }
  | { type: 'updateRange'; key: number; patch: Partial<Omit<RangeDraft, 'key'>> }
  | { type: 'removeRange'; key: number }
  | { type: 'mark'; edge: 'in' | 'out'; atMs: number }
  | { type: 'selectRange'; key: number | null }
  | { type: 'clearMarks' }
  | { type: 'reset'; state: FormState }

/**
 * Toggle a category. Picking a category of the other kind replaces the selection: a
 * decision is either violations or no-violation labels, never both. Unknown ids (from an
 * older policy, say) can only be removed.
 */
export function toggleCategory(policy: Policy, state: FormState, id: string): FormState {
  if (state.categories.includes(id)) {
    return keepActionValid(policy, { ...state, categories: state.categories.filter((c) => c !== id) })
  }
  const category = findCategory(policy, id)
  if (!category) return state
  // Categories of the other kind go: a decision is one kind. Unknown ids stay until
  // removed by hand, never silently.
  const categories = [
    ...state.categories.filter((c) => {
      const kind = findCategory(policy, c)?.kind
      return kind === undefined || kind === category.kind
    }),
    id,
  ]
  return keepActionValid(policy, { ...state, categories, activeKind: category.kind })
}

export function formReducer(policy: Policy, state: FormState, event: FormEvent): FormState {
  switch (event.type) {
    case 'toggleCategory':
      return toggleCategory(policy, state, event.id)
    case 'toggleCategoryAt': {
      const category = categoriesOfKind(policy, state.activeKind)[event.index]
      return category ? toggleCategory(policy, state, category.id) : state
    }
    case 'setActiveKind':
      return { ...state, activeKind: event.kind }
    case 'switchActiveKind':
      return { ...state, activeKind: state.activeKind === 'violation' ? 'no_violation' : 'violation' }
    case 'setAction': {
      if (!offeredActions(policy, state).some((a) => a.id === event.id)) return state
      return { ...state, action: event.id, escalationTarget: event.id === ESCALATE_ACTION ? state.escalationTarget : null }
    }
    case 'setEscalationTarget':
      return state.action === ESCALATE_ACTION ? { ...state, escalationTarget: event.id } : state
    case 'setRationale':
      return { ...state, rationale: event.text }
    case 'addRange': {
      const at = Math.max(0, Math.round(event.atMs))
      return { ...state, ranges: [...state.ranges, { key: state.nextKey, startMs: at, endMs: at, label: '', note: '' }], nextKey: state.nextKey + 1 }
    }
    case 'updateRange':
      return { ...state, ranges: state.ranges.map((r) => (r.key === event.key ? { ...r, ...event.patch } : r)) }
    case 'removeRange':
      return { ...state, ranges: state.ranges.filter((r) => r.key !== event.key), selectedRange: state.selectedRange === event.key ? null : state.selectedRange }
    case 'mark':
      return markEdge(state, event.edge, event.atMs)
    case 'selectRange':
      return { ...state, selectedRange: event.key !== null && state.ranges.some((r) => r.key === event.key) ? event.key : null }
    case 'clearMarks':
      return { ...state, ...NO_MARKS }
    case 'reset':
      return event.state
  }
}

/** What `decision.record` receives. */
export function toDraft(state: FormState, clipId: string): DecisionDraftInput {
  return {
    clipId,
    categories: state.categories,
    action: state.action ?? '',
    escalationTarget: state.action === ESCALATE_ACTION ? state.escalationTarget : null,
    ranges: state.ranges.map((r) => ({ startMs: Math.round(r.startMs), endMs: Math.round(r.endMs), label: r.label, note: r.note })),
    rationale: state.rationale,
    revisesId: state.revisesId,
    matchedFrom: state.matchedFrom,
  }
}

/** A reason the form cannot be saved: the policy's problems, plus what only a form can lack. */
export interface FormProblem {
  code: PolicyProblem['code'] | 'categories_missing' | 'action_missing' | 'range_invalid'
  field: PolicyProblem['field']
  params: Record<string, string | number>
}

/**
 * Everything that stops Save, in form order. Uses the same `checkDecisionAgainstPolicy`
 * core uses, so what the form accepts core accepts.
 */
export function formProblems(policy: Policy, state: FormState, clipDurationMs?: number | null): FormProblem[] {
  const problems: FormProblem[] = []
  if (state.categories.length === 0) problems.push({ code: 'categories_missing', field: 'categories', params: {} })
  if (state.action === null) problems.push({ code: 'action_missing', field: 'action', params: {} })
  const invalidRanges = new Set<number>()
  state.ranges.forEach((r, index) => {
    if (!Number.isFinite(r.startMs) || !Number.isFinite(r.endMs) || r.startMs < 0 || r.endMs < 0) {
      invalidRanges.add(index)
      problems.push({ code: 'range_invalid', field: 'ranges', params: { index } })
    }
  })
  const draft = toDraft(state, '')
  const checked = checkDecisionAgainstPolicy(
    policy,
    {
      categories: draft.categories,
      action: draft.action,
      escalationTarget: draft.escalationTarget ?? null,
      ranges: (draft.ranges ?? []).filter((_, i) => !invalidRanges.has(i)).map((r) => ({ ...r, label: r.label ?? '', note: r.note ?? '' })),
      rationale: draft.rationale ?? '',
    },
    clipDurationMs ?? undefined,
  )
  for (const p of checked) {
    // "Action '' is unknown" only restates that no action is chosen yet.
    if (p.code === 'action_unknown' && state.action === null) continue
    problems.push(p)
  }
  const order: PolicyProblem['field'][] = ['categories', 'action', 'escalationTarget', 'ranges', 'rationale']
  return problems.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field))
}

/** True when the form differs from the state it started from. */
export function isDirty(state: FormState, initial: FormState): boolean {
  const strip = (s: FormState) =>
    JSON.stringify({ ...s, activeKind: null, nextKey: null, marks: null, selectedRange: null, ranges: s.ranges.map(({ key: _key, ...r }) => r) })
  return strip(state) !== strip(initial)
}
