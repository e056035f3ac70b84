import {
  actionKeyMap,
  APPLY_MATCH_KEY,
  isApplyMatchKey,
  isApplyToCopiesKey,
  CATEGORY_PICKER_KEY,
  isCategoryPickerKey,
  isPolicyPanelKey,
  isRevealKey,
  isSkipKey,
  plainPress,
  POLICY_PANEL_KEY,
  RANGE_IN_KEY,
  RANGE_OUT_KEY,
  rangeEdgeOf,
  REVEAL_KEY,
  SKIP_KEY,
  type KeyCommand,
  type KeyPress,
} from './keys'
import { PLAYBACK_BINDINGS, type PlaybackCommand } from './playback-keys'

/**
 * What the `?` overlay lists, built from the same data the handlers use: the playback
 * bindings, the policy's action keys through `actionKeyMap`, the decision and queue
 * keys. Every row carries the key presses it stands for and what they must do;
 * key-help.test.ts feeds each press to the real interpreter, so the list cannot drift
 * from the handlers.
 */

export type KeyHelpSectionId = 'playback' | 'timeline' | 'decision' | 'queue' | 'general'

export type KeyHelpEffect =
  | { scheme: 'decision'; command: KeyCommand }
  | { scheme: 'playback'; command: PlaybackCommand }
  /** One of the single-purpose key tests in keys.ts (reveal, skip, policy panel). */
  | { scheme: 'check'; check: (press: KeyPress) => boolean }
  /** Handled by the focused control itself (timeline slider, queue list, dialog). */
  | { scheme: 'local'; control: 'timeline' | 'queue' | 'dialog' }

export interface KeyHelpRow {
  /** The row's text: `keyHelp.row.<id>` (with `action` filled in for action rows). */
  id: string
  /** What is shown for the keys; one entry per key (or key range). */
  keys: string[]
  /** Presses the row stands for, each with the effect it must have. */
  presses: { press: KeyPress & { repeat?: boolean }; effect: KeyHelpEffect }[]
  /** Action id, for action rows (the name comes from the policy). */
  actionId?: string
}

export interface KeyHelpSection {
  id: KeyHelpSectionId
  rows: KeyHelpRow[]
}

/** A key name the overlay translates (`keyHelp.keyName.<name>`), written `{name}`. */
export const SPACE = '{space}'

const press = plainPress

/** How a binding's key is shown: Space by name, letters upper-case as on the keycap. */
export function keyLabel(key: string): string {
  if (key === ' ') return SPACE
  return /^\p{L}$/u.test(key) ? key.toUpperCase() : key
}

export function keyHelpSections(actions: readonly { id: string; key: string }[]): KeyHelpSection[] {
  const playback: KeyHelpRow[] = PLAYBACK_BINDINGS.filter((b) => b.command.type !== 'help').map((b) => ({
    id: b.id,
    keys: b.keys.map(keyLabel),
    presses: b.keys.map((k) => ({ press: press(k), effect: { scheme: 'playback' as const, command: b.command } })),
  }))

  const checked = (id: string, key: string, check: (press: KeyPress) => boolean, shiftKey = false): KeyHelpRow => ({
    id,
    keys: [`${shiftKey ? '⇧' : ''}${keyLabel(key)}`],
    presses: [{ press: press(shiftKey ? key.toUpperCase() : key, { shiftKey }), effect: { scheme: 'check', check } }],
  })
  playback.push(checked('reveal', REVEAL_KEY, isRevealKey))

  const slider = (id: string, keys: string[], names: string[], shiftKey = false): KeyHelpRow => ({
    id,
    keys,
    presses: names.map((k) => ({ press: press(k, { shiftKey, target: { tag: 'DIV', role: 'slider' } }), effect: { scheme: 'local', control: 'timeline' } })),
  })
  const timeline: KeyHelpRow[] = [
    slider('timelineSecond', ['←', '→'], ['ArrowLeft', 'ArrowRight']),
    slider('timelineFive', ['⇧←', '⇧→'], ['ArrowLeft', 'ArrowRight'], true),
    slider('timelineTen', ['Page Down', 'Page Up'], ['PageDown', 'PageUp']),
    slider('timelineEnds', ['Home', 'End'], ['Home', 'End']),
  ]

  const keys = actionKeyMap(actions)
  const decision: KeyHelpRow[] = actions
    .filter((a) => keys.get(a.key.toLowerCase()) === a.id)
    .map((a) => ({
      id: 'action',
      actionId: a.id,
      keys: [keyLabel(a.key.toLowerCase())],
      presses: [{ press: press(a.key.toLowerCase()), effect: { scheme: 'decision', command: { type: 'action', id: a.id } } }],
    }))
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9']
  decision.push(
    {
      id: 'categories',
      keys: ['1–9'],
      presses: digits.map((d, i) => ({ press: press(d), effect: { scheme: 'decision', command: { type: 'category', index: i } } })),
    },
    {
      id: 'categoriesShift',
      keys: ['⇧1–⇧9'],
      presses: digits.map((d, i) => ({
        press: press(d, { shiftKey: true }),
        effect: { scheme: 'decision', command: { type: 'category', index: 9 + i } },
      })),
    },
    checked('categoryPicker', CATEGORY_PICKER_KEY, isCategoryPickerKey),
    { id: 'switchKind', keys: ['0'], presses: [{ press: press('0'), effect: { scheme: 'decision', command: { type: 'switchKind' } } }] },
    {
      id: 'saveAnywhere',
      keys: ['Ctrl+Enter', '⌘+Enter'],
      presses: [
        { press: press('Enter', { ctrlKey: true, target: { tag: 'TEXTAREA' } }), effect: { scheme: 'decision', command: { type: 'save' } } },
        { press: press('Enter', { metaKey: true, target: { tag: 'TEXTAREA' } }), effect: { scheme: 'decision', command: { type: 'save' } } },
      ],
    },
    { id: 'save', keys: ['Enter'], presses: [{ press: press('Enter'), effect: { scheme: 'decision', command: { type: 'save' } } }] },
    checked('rangeIn', RANGE_IN_KEY, (p) => rangeEdgeOf(p) === 'in'),
    checked('rangeOut', RANGE_OUT_KEY, (p) => rangeEdgeOf(p) === 'out'),
    checked('skip', SKIP_KEY, isSkipKey),
    checked('applyMatch', APPLY_MATCH_KEY, isApplyMatchKey),
    checked('applyToCopies', APPLY_MATCH_KEY, isApplyToCopiesKey, true),
  )

  const row = (target: KeyPress['target']) => ({ target })
  const queue: KeyHelpRow[] = [
    { id: 'next', keys: ['N'], presses: [{ press: press('n'), effect: { scheme: 'decision', command: { type: 'next' } } }] },
    { id: 'prev', keys: ['P'], presses: [{ press: press('p'), effect: { scheme: 'decision', command: { type: 'prev' } } }] },
    {
      id: 'listMove',
      keys: ['↓', '↑', 'Home', 'End'],
      presses: ['ArrowDown', 'ArrowUp', 'Home', 'End'].map((k) => ({
        press: press(k, row({ tag: 'LI', role: 'option' })),
        effect: { scheme: 'local', control: 'queue' },
      })),
    },
    {
      id: 'listOpen',
      keys: ['Enter', SPACE],
      presses: ['Enter', ' '].map((k) => ({ press: press(k, row({ tag: 'LI', role: 'option' })), effect: { scheme: 'local', control: 'queue' } })),
    },
  ]

  const helpBinding = PLAYBACK_BINDINGS.find((b) => b.command.type === 'help')
  const general: KeyHelpRow[] = [
    ...(helpBinding
      ? [
          {
            id: 'help',
            keys: helpBinding.keys.map(keyLabel),
            presses: helpBinding.keys.map((k) => ({ press: press(k, { shiftKey: true }), effect: { scheme: 'playback' as const, command: helpBinding.command } })),
          },
        ]
      : []),
    checked('policyPanel', POLICY_PANEL_KEY, isPolicyPanelKey, true),
    { id: 'close', keys: ['Esc'], presses: [{ press: press('Escape'), effect: { scheme: 'local', control: 'dialog' } }] },
  ]

  return [
    { id: 'playback', rows: playback },
    { id: 'timeline', rows: timeline },
    { id: 'decision', rows: decision },
    { id: 'queue', rows: queue },
    { id: 'general', rows: general },
  ]
}
