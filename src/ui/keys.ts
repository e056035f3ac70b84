/**
 * Key presses as both consoles' keyboard schemes read them (the reviewer's app in
 * src/renderer/state/keys.ts, the lead console in src/lead), as plain data so the schemes
 * are tested without a DOM; and the one key both share: hold V to reveal a protected clip.
 */

export interface KeyTarget {
  tag: string
  type?: string | undefined
  role?: string | null | undefined
  editable?: boolean | undefined
}

export interface KeyPress {
  key: string
  code?: string | undefined
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
  target: KeyTarget | null
  /** `KeyboardEvent.repeat`: the key is being held down. */
  repeat?: boolean | undefined
}

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'email', 'url', 'tel', 'password', 'date', 'time', 'datetime-local', 'month', 'week'])

/** Where typing a character enters text, so single-key shortcuts must stay away. */
export function isTextField(t: KeyTarget | null): boolean {
  if (!t) return false
  if (t.editable) return true
  const tag = t.tag.toLowerCase()
  if (tag === 'textarea' || tag === 'select') return true
  if (tag === 'input') return TEXT_INPUT_TYPES.has((t.type ?? 'text').toLowerCase())
  return false
}

export function describeTarget(el: EventTarget | null): KeyTarget | null {
  if (!el || typeof (el as Element).tagName !== 'string') return null
  const e = el as HTMLElement
  return { tag: e.tagName, type: (e as HTMLInputElement).type, role: e.getAttribute('role'), editable: e.isContentEditable }
}

/** A DOM key event as the key schemes read it. */
export function keyPressOf(e: KeyboardEvent): KeyPress {
  return { key: e.key, code: e.code, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey, repeat: e.repeat, target: describeTarget(e.target) }
}

/** A press of `key` alone on the page (a digit with its Digit code), for key tables and tests. */
export function plainPress(key: string, over: Partial<KeyPress> = {}): KeyPress {
  return {
    key,
    code: /^[0-9]$/.test(key) ? `Digit${key}` : undefined,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    target: { tag: 'BODY' },
    ...over,
  }
}

/** Held to reveal a protected (blurred / grayscale / muted) clip. */
export const REVEAL_KEY = 'v'

/** A key pressed alone (Shift aside) outside text fields: where single-key shortcuts apply. */
export function plainKey(e: KeyPress): boolean {
  return !e.ctrlKey && !e.metaKey && !e.altKey && !isTextField(e.target)
}

/** True for a press (or release) of the reveal key outside text fields, without modifiers. */
export function isRevealKey(e: KeyPress): boolean {
  return plainKey(e) && !e.shiftKey && e.key.toLowerCase() === REVEAL_KEY
}
