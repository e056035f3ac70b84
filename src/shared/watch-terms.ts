import type { WatchGroup } from './policy'

/**
 * Finding the policy's watch-list terms in transcript and chat text. A term matches as a
 * whole word or phrase (no letter or digit right before or after it), in any case, with any
 * run of white space between its words; where terms overlap, the longest wins ("bakar
 * saja" over "bakar"). The terms come from the policy file; nothing here knows a language.
 */

export interface WatchHit {
  start: number
  end: number
  group: string
}

export interface WatchMatcher {
  readonly pattern: RegExp | null
  /** Lower-cased term → the group it belongs to. */
  readonly groupOf: ReadonlyMap<string, string>
}

const normalize = (term: string) => term.trim().toLowerCase().replace(/\s+/g, ' ')
// Outside a character class; in a 'u' pattern an escaped "-" is an error, so it is left bare.
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

export function compileWatchList(groups: readonly WatchGroup[] | undefined): WatchMatcher {
  const groupOf = new Map<string, string>()
  for (const g of groups ?? []) {
    for (const term of g.terms) {
      const t = normalize(term)
      if (t.length > 0 && !groupOf.has(t)) groupOf.set(t, g.id)
    }
  }
  if (groupOf.size === 0) return { pattern: null, groupOf }
  const alternatives = [...groupOf.keys()].sort((a, b) => b.length - a.length).map((t) => t.split(' ').map(escape).join('\\s+'))
  return { pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu'), groupOf }
}

export function findWatchHits(text: string, matcher: WatchMatcher): WatchHit[] {
  if (!matcher.pattern) return []
  const hits: WatchHit[] = []
  for (const m of text.matchAll(matcher.pattern)) {
    const group = matcher.groupOf.get(normalize(m[0]))
    if (group !== undefined && m.index !== undefined) hits.push({ start: m.index, end: m.index + m[0].length, group })
  }
  return hits
}

/** The text cut into plain and matched pieces, in order, for highlighting. */
export function splitByHits(text: string, hits: readonly WatchHit[]): { text: string; group: string | null }[] {
  const parts: { text: string; group: string | null }[] = []
  let at = 0
  for (const h of hits) {
    if (h.start > at) parts.push({ text: text.slice(at, h.start), group: null })
    parts.push({ text: text.slice(h.start, h.end), group: h.group })
    at = h.end
  }
  if (at < text.length) parts.push({ text: text.slice(at), group: null })
  return parts
}
