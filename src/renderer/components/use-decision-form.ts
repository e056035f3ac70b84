import { useCallback, useState } from 'react'
import type { ClipDetail } from '../../shared/domain'
import type { Policy } from '../../shared/policy'
import { decisionInForce, formReducer, initialForm, type FormEvent, type FormState } from '../state/decision-form'

/** Which form a clip shows: a new one per clip and per decision in force (after a save, a revision). */
export function decisionFormKey(clip: Pick<ClipDetail, 'id' | 'decisions'>): string {
  return `${clip.id}:${decisionInForce(clip.decisions)?.id ?? 'new'}`
}

/**
 * The decision form's state, held by the clip view rather than the form because the
 * timeline edits it too (time ranges, `I` / `O`). It starts over whenever
 * `decisionFormKey` changes, like a keyed component would.
 */
export function useDecisionForm(policy: Policy, clip: ClipDetail): [FormState, (event: FormEvent) => void] {
  const key = decisionFormKey(clip)
  const [held, setHeld] = useState(() => ({ key, state: initialForm(policy, clip.decisions) }))
  let current = held
  if (held.key !== key) {
    // Reset during render (React's documented pattern for state derived from a prop).
    current = { key, state: initialForm(policy, clip.decisions) }
    setHeld(current)
  }
  const dispatch = useCallback(
    (event: FormEvent) => setHeld((h) => (h.key === key ? { key, state: formReducer(policy, h.state, event) } : h)),
    [policy, key],
  )
  return [current.state, dispatch]
}
