import { isTextField, plainKey, type KeyPress, type KeyTarget } from '../../ui/keys'

export { describeTarget, isRevealKey, isTextField, keyPressOf, plainPress, REVEAL_KEY, type KeyPress, type KeyTarget } from '../../ui/keys'

/**
 * The keyboard scheme (documented in src/renderer/README.md), as a pure function from a
 * key press to a command, so it is tested without a DOM:
 *
 * - Ctrl+Enter / Cmd+Enter: save, wherever focus is.
 * - Enter: save, unless focus is on something Enter already means something for
 *   (textarea, button, link, select, queue row).
 * - Outside text fields only:
 *   - the policy's action keys (`a`, `w`, `g`, ...): choose that action;
 *   - `1`–`9`: toggle the 1st–9th category of the active group, Shift+`1`–`9` the
 *     10th–18th; `0` switches the active group (violation / no violation);
 *   - `n` / `p`: next / previous clip in the queue list.
 * Digits, `n`/`p` and the playback keys (PLAYBACK_KEYS) are reserved: a policy action key
 * that collides with them is ignored.
 */

export type KeyCommand =
  | { type: 'save' }
  | { type: 'next' }
  | { type: 'prev' }
  | { type: 'action'; id: string }
  | { type: 'category'; index: number }
  | { type: 'switchKind' }

/**
 * The single keys of the playback scheme (`state/playback-keys.ts`, which checks it uses
 * exactly these). They are reserved too: playback wins over a policy action key.
 */
export const PLAYBACK_KEYS = [' ', 'j', 'k', 'l', ',', '.', '[', ']', '-', '<', '=', '+', '>', '?'] as const

/** Keys of the workflow scheme (below): reveal while held, skip, in / out points, category picker, apply a known match. */
export const WORKFLOW_KEYS = ['v', 's', 'i', 'o', 'c', 'd'] as const

export const RESERVED_KEYS = new Set<string>(['n', 'p', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ...PLAYBACK_KEYS, ...WORKFLOW_KEYS])

/** Where Enter already has a meaning of its own. */
function enterIsTaken(t: KeyTarget | null): boolean {
  if (!t) return false
  const tag = t.tag.toLowerCase()
  return ['textarea', 'button', 'a', 'select', 'summary'].includes(tag) || t.role === 'option' || t.role === 'button' || t.editable === true
}

/** Action id per lowercase key, without keys the scheme reserves. */
export function actionKeyMap(actions: readonly { id: string; key: string }[]): Map<string, string> {
  const map = new Map<string, string>()
  for (const a of actions) {
    const k = a.key.toLowerCase()
    if (!RESERVED_KEYS.has(k) && !map.has(k)) map.set(k, a.id)
  }
  return map
}

export function interpretKey(e: KeyPress, actionKeys: ReadonlyMap<string, string>): KeyCommand | null {
  if (e.key === 'Enter') {
    if ((e.ctrlKey || e.metaKey) && !e.altKey) return { type: 'save' }
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return null
    return enterIsTaken(e.target) ? null : { type: 'save' }
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  if (isTextField(e.target)) return null

  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(e.code ?? '')?.[1] ?? (/^[0-9]$/.test(e.key) ? e.key : null)
  if (digit !== null) {
    const n = Number(digit)
    if (n === 0) return e.shiftKey ? null : { type: 'switchKind' }
    return { type: 'category', index: n - 1 + (e.shiftKey ? 9 : 0) }
  }
  if (e.shiftKey || e.key.length !== 1) return null
  const key = e.key.toLowerCase()
  if (key === 'n') return { type: 'next' }
  if (key === 'p') return { type: 'prev' }
  const action = actionKeys.get(key)
  return action ? { type: 'action', id: action } : null
}

/** The hint shown beside the category at `index` of the active group ("1"…"9", "⇧1"…). */
export function categoryKeyHint(index: number): string | null {
  if (index < 9) return String(index + 1)
  if (index < 18) return `⇧${index - 8}`
  return null
}

// ── Wellness, skip and the policy panel (self-contained; see README "Keyboard") ──────────
// Chosen so they collide with nothing else: digits, n/p, the policy's action letters and
// the playback keys (Space j k l , . [ ] < > ?) are taken. Matched on `key`, not `code`,
// like the action letters, so they follow the reviewer's keyboard layout.

/** Opens the skip form (a reason is asked for before anything is recorded). */
export const SKIP_KEY = 's'
/** With Shift: opens and closes the policy panel (plain `p` is "previous clip"). */
export const POLICY_PANEL_KEY = 'p'

/** True for the key that opens the skip form. */
export function isSkipKey(e: KeyPress): boolean {
  return plainKey(e) && !e.shiftKey && e.key.toLowerCase() === SKIP_KEY
}

/** True for Shift+P outside text fields. */
export function isPolicyPanelKey(e: KeyPress): boolean {
  return plainKey(e) && e.shiftKey && e.key.toLowerCase() === POLICY_PANEL_KEY
}

/** In and out points of a time range (video editors' keys): `I` marks where it starts, `O` where it ends. */
export const RANGE_IN_KEY = 'i'
export const RANGE_OUT_KEY = 'o'
/** Opens the category quick picker (type to filter). */
export const CATEGORY_PICKER_KEY = 'c'

/** The range edge an `I` / `O` press marks, or null for any other press. */
export function rangeEdgeOf(e: KeyPress): 'in' | 'out' | null {
  if (!plainKey(e) || e.shiftKey) return null
  const key = e.key.toLowerCase()
  return key === RANGE_IN_KEY ? 'in' : key === RANGE_OUT_KEY ? 'out' : null
}

/** True for the key that opens the category picker. */
export function isCategoryPickerKey(e: KeyPress): boolean {
  return plainKey(e) && !e.shiftKey && e.key.toLowerCase() === CATEGORY_PICKER_KEY
}

/** Fills the decision form from the known footage this clip matches (issue 14): `D` for "decided before". */
export const APPLY_MATCH_KEY = 'd'

export function isApplyMatchKey(e: KeyPress): boolean {
  return plainKey(e) && !e.shiftKey && e.key.toLowerCase() === APPLY_MATCH_KEY
}

/** Shift+D: the decision just saved, applied to every copy of its video not decided yet. */
export function isApplyToCopiesKey(e: KeyPress): boolean {
  return plainKey(e) && e.shiftKey && e.key.toLowerCase() === APPLY_MATCH_KEY
}
