import type { Locale, Policy, PolicyCategory } from '../../shared/policy'
import type { KeyPress } from './keys'

/**
 * The category quick picker as pure state: which categories a typed query matches, in
 * which order, and which one is highlighted. No DOM, no React; the component
 * (components/CategoryPicker.tsx) only renders this and forwards keys.
 *
 * Matching ignores case and diacritics ("SARA", "sara", "sará" are the same) and looks,
 * in this order, at the category's name in the reviewer's language, its name in the other
 * language, its id ("violence.arson": "viol" and "arson" both find it) and its help text.
 * A query of several words matches a category only when every word matches somewhere in
 * it (AND). Better matches come first (MATCH_RANK); equal matches keep policy order.
 */

/**
 * How well a category matches, best (lowest) first. "Name" is the name in the reviewer's
 * language, "other name" the name in the other one; a word is a run of letters and digits
 * (an id's words are split at `.` and `_`).
 */
export const MATCH_RANK = {
  /** The name starts with the query. */
  namePrefix: 0,
  /** A word of the name starts with the query. */
  nameWord: 1,
  /** The other language's name starts with the query. */
  otherNamePrefix: 2,
  /** A word of the other language's name starts with the query. */
  otherNameWord: 3,
  /** The id, or a word of it, starts with the query. */
  idPrefix: 4,
  /** The name contains the query. */
  nameSubstring: 5,
  /** The other language's name, or the id, contains the query. */
  otherSubstring: 6,
  /** The help text contains the query. */
  help: 7,
  /** The help text in the other language contains the query. */
  otherHelp: 8,
} as const
export type MatchRank = (typeof MATCH_RANK)[keyof typeof MATCH_RANK]

/** Lowercase, decomposed, without combining marks, whitespace collapsed: the form both sides are compared in. */
export function normalizeForMatch(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/\s+/g, ' ').trim()
}

/** The words of an already normalized text. */
function wordsOf(normalized: string): string[] {
  return normalized.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)
}

/** The query's words, normalized; empty for a blank query. */
export function queryWords(query: string): string[] {
  const q = normalizeForMatch(query)
  return q === '' ? [] : q.split(' ')
}

interface Searchable {
  name: string
  nameWords: string[]
  otherName: string
  otherNameWords: string[]
  id: string
  idWords: string[]
  help: string
  otherHelp: string
}

const otherLocale = (locale: Locale): Locale => (locale === 'en' ? 'id' : 'en')

function searchable(category: PolicyCategory, locale: Locale): Searchable {
  const other = otherLocale(locale)
  const name = normalizeForMatch(category.name[locale])
  const otherName = normalizeForMatch(category.name[other])
  const id = normalizeForMatch(category.id)
  return {
    name,
    nameWords: wordsOf(name),
    otherName,
    otherNameWords: wordsOf(otherName),
    id,
    idWords: id.split(/[._]+/).filter((w) => w.length > 0),
    help: normalizeForMatch(category.help[locale]),
    otherHelp: normalizeForMatch(category.help[other]),
  }
}

/**
 * Where `text` has a word starting with `term`: `term` may span several words ("live sel"
 * in "legitimate live selling"), so every word start is tried, not only each word alone.
 */
function hasWordPrefix(text: string, words: readonly string[], term: string): boolean {
  if (words.some((w) => w.startsWith(term))) return true
  if (!term.includes(' ')) return false
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (text.startsWith(term, m.index)) return true
  }
  return false
}

/** The best rank of one normalized term (a word, or the whole query) in a category, or null. */
function rankTerm(s: Searchable, term: string): MatchRank | null {
  if (s.name.startsWith(term)) return MATCH_RANK.namePrefix
  if (hasWordPrefix(s.name, s.nameWords, term)) return MATCH_RANK.nameWord
  if (s.otherName.startsWith(term)) return MATCH_RANK.otherNamePrefix
  if (hasWordPrefix(s.otherName, s.otherNameWords, term)) return MATCH_RANK.otherNameWord
  if (s.id.startsWith(term) || s.idWords.some((w) => w.startsWith(term))) return MATCH_RANK.idPrefix
  if (s.name.includes(term)) return MATCH_RANK.nameSubstring
  if (s.otherName.includes(term) || s.id.includes(term)) return MATCH_RANK.otherSubstring
  if (s.help.includes(term)) return MATCH_RANK.help
  if (s.otherHelp.includes(term)) return MATCH_RANK.otherHelp
  return null
}

/**
 * How well `query` matches `category` (MATCH_RANK), or null when it does not: every word
 * of the query must match somewhere. The rank is that of the worst-matching word, unless
 * the whole query matches better as one phrase ("live sel" at the start of a word of the
 * name). A blank query matches everything at rank 0.
 */
export function matchRank(category: PolicyCategory, locale: Locale, query: string): MatchRank | null {
  const words = queryWords(query)
  if (words.length === 0) return MATCH_RANK.namePrefix
  const s = searchable(category, locale)
  let worst: MatchRank = MATCH_RANK.namePrefix
  for (const w of words) {
    const r = rankTerm(s, w)
    if (r === null) return null
    if (r > worst) worst = r
  }
  if (words.length === 1) return worst
  const phrase = rankTerm(s, words.join(' '))
  return phrase !== null && phrase < worst ? phrase : worst
}

/**
 * The categories (both kinds) `query` matches, best first, policy order within a rank. A
 * blank query gives every category in policy order.
 */
export function matchCategories(policy: Policy, locale: Locale, query: string): PolicyCategory[] {
  if (queryWords(query).length === 0) return [...policy.categories]
  return policy.categories
    .map((category, index) => ({ category, index, rank: matchRank(category, locale, query) }))
    .filter((m): m is { category: PolicyCategory; index: number; rank: MatchRank } => m.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((m) => m.category)
}

// ── The picker's state ──────────────────────────────────────────────────────────────────

export interface PickerState {
  /** What the reviewer typed, as typed. */
  query: string
  /** Index into the current matches of the highlighted one (0 when there are none). */
  highlighted: number
}

export const INITIAL_PICKER: PickerState = { query: '', highlighted: 0 }

export type PickerEvent =
  | { type: 'setQuery'; query: string }
  | { type: 'move'; by: 1 | -1 }
  | { type: 'first' }
  | { type: 'last' }
  /** The pointer is over the option at `index`. */
  | { type: 'highlight'; index: number }

/** `index` brought into 0…count-1 (0 when there is nothing to highlight). */
export function clampHighlight(index: number, count: number): number {
  if (count <= 0 || !Number.isFinite(index)) return 0
  return Math.min(Math.max(0, Math.trunc(index)), count - 1)
}

/**
 * The next state. `count` is how many categories the current query matches (the list the
 * highlight moves through). A new query highlights its first match; moving wraps around
 * the ends. A highlight left out of range (the matches shrank: another policy, another
 * language) is clamped before it moves.
 */
export function pickerReducer(state: PickerState, event: PickerEvent, count: number): PickerState {
  switch (event.type) {
    case 'setQuery':
      return event.query === state.query && state.highlighted === 0 ? state : { query: event.query, highlighted: 0 }
    case 'move': {
      if (count <= 0) return state.highlighted === 0 ? state : { ...state, highlighted: 0 }
      const from = clampHighlight(state.highlighted, count)
      return { ...state, highlighted: (from + event.by + count) % count }
    }
    case 'first':
      return { ...state, highlighted: 0 }
    case 'last':
      return { ...state, highlighted: Math.max(0, count - 1) }
    case 'highlight': {
      const highlighted = clampHighlight(event.index, count)
      return highlighted === state.highlighted ? state : { ...state, highlighted }
    }
  }
}

export interface PickerView {
  matches: PolicyCategory[]
  /** The highlight, within range of `matches`. */
  highlighted: number
  /** The highlighted category, or null when nothing matches. */
  current: PolicyCategory | null
}

/** What the picker shows for a state: the matches, and the highlighted one (kept in range). */
export function pickerView(policy: Policy, locale: Locale, state: PickerState): PickerView {
  const matches = matchCategories(policy, locale, state.query)
  const highlighted = clampHighlight(state.highlighted, matches.length)
  return { matches, highlighted, current: matches[highlighted] ?? null }
}

// ── Keys in the picker's text box ───────────────────────────────────────────────────────

/** What a key pressed in the picker's text box does; null leaves the key alone (typing, caret moves, Ctrl+Enter). */
export type PickerKeyCommand = { type: 'event'; event: PickerEvent } | { type: 'pick' } | { type: 'close' }

/**
 * ↓ / ↑ move the highlight (wrapping), Ctrl+Home / Ctrl+End (Cmd on a Mac) go to the first
 * / last match, Enter picks the highlighted category, Escape closes. Plain Home / End move
 * the caret, as in any text box. Ctrl+Enter / Cmd+Enter is not the picker's: it is the
 * form's Save, so it must reach the form.
 */
export function pickerKeyCommand(e: Pick<KeyPress, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): PickerKeyCommand | null {
  const command = e.ctrlKey || e.metaKey
  switch (e.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      return command || e.altKey || e.shiftKey ? null : { type: 'event', event: { type: 'move', by: e.key === 'ArrowDown' ? 1 : -1 } }
    case 'Home':
    case 'End':
      return command && !e.altKey && !e.shiftKey ? { type: 'event', event: { type: e.key === 'Home' ? 'first' : 'last' } } : null
    case 'Enter':
      return command || e.altKey ? null : { type: 'pick' }
    case 'Escape':
      return { type: 'close' }
    default:
      return null
  }
}
