import { isTextField, type KeyPress, type KeyTarget } from './keys'

/**
 * The playback keys, as data (the `?` overlay lists this same table) and one pure
 * function from a key press to a command. Like the decision keys they work only when
 * focus is not in a text field. Letters match without Shift (Caps Lock is fine);
 * punctuation matches the character typed, so `<`, `>`, `+` and `?` work on any layout
 * that has them. Every key here is in `PLAYBACK_KEYS` (state/keys.ts), which the
 * decision scheme reserves: a policy action with the same key is not bound.
 */

export type PlaybackCommand =
  | { type: 'togglePlay' }
  | { type: 'shuttle'; step: 1 | -1 }
  | { type: 'pause' }
  | { type: 'frame'; step: 1 | -1 }
  | { type: 'marker'; step: 1 | -1 }
  | { type: 'speed'; step: 1 | -1 }
  | { type: 'help' }

export interface PlaybackBinding {
  /** Names the row in the `?` overlay: `keyHelp.playback.<id>`. */
  id: string
  /** `KeyboardEvent.key` values, lowercase for letters. */
  keys: readonly string[]
  command: PlaybackCommand
  /** Whether holding the key down repeats it (frame steps do; the rest would run away). */
  repeats: boolean
}

export const PLAYBACK_BINDINGS: readonly PlaybackBinding[] = [
  { id: 'playPause', keys: [' '], command: { type: 'togglePlay' }, repeats: false },
  { id: 'reverse', keys: ['j'], command: { type: 'shuttle', step: -1 }, repeats: false },
  { id: 'pause', keys: ['k'], command: { type: 'pause' }, repeats: false },
  { id: 'forward', keys: ['l'], command: { type: 'shuttle', step: 1 }, repeats: false },
  { id: 'frameBack', keys: [','], command: { type: 'frame', step: -1 }, repeats: true },
  { id: 'frameForward', keys: ['.'], command: { type: 'frame', step: 1 }, repeats: true },
  { id: 'prevMarker', keys: ['['], command: { type: 'marker', step: -1 }, repeats: false },
  { id: 'nextMarker', keys: [']'], command: { type: 'marker', step: 1 }, repeats: false },
  { id: 'slower', keys: ['-', '<'], command: { type: 'speed', step: -1 }, repeats: false },
  { id: 'faster', keys: ['=', '+', '>'], command: { type: 'speed', step: 1 }, repeats: false },
  { id: 'help', keys: ['?'], command: { type: 'help' }, repeats: false },
]

const BY_KEY = new Map<string, PlaybackBinding>(PLAYBACK_BINDINGS.flatMap((b) => b.keys.map((k) => [k, b] as const)))

/** Where Space already means something (press a button, tick a box, open a row). */
export function spaceIsTaken(t: KeyTarget | null): boolean {
  if (!t) return false
  if (t.editable) return true
  const tag = t.tag.toLowerCase()
  if (['input', 'textarea', 'select', 'button', 'a', 'summary', 'audio'].includes(tag)) return true
  return ['option', 'button', 'link', 'checkbox', 'radio', 'switch', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'treeitem'].includes(
    t.role ?? '',
  )
}

/** A key press; playback also reads `repeat` (a held frame-step key repeats). */
export type PlaybackKeyPress = KeyPress

/** The binding a key press means, or null (modifiers, text fields, held keys that do not repeat). */
export function playbackBindingFor(e: PlaybackKeyPress): PlaybackBinding | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  if (isTextField(e.target)) return null
  if ([...e.key].length !== 1) return null
  let key = e.key
  if (/^\p{L}$/u.test(key)) {
    if (e.shiftKey) return null
    key = key.toLowerCase()
  }
  if (key === ' ' && spaceIsTaken(e.target)) return null
  const binding = BY_KEY.get(key)
  if (!binding) return null
  if (e.repeat && !binding.repeats) return null
  return binding
}

export function interpretPlaybackKey(e: PlaybackKeyPress): PlaybackCommand | null {
  return playbackBindingFor(e)?.command ?? null
}
