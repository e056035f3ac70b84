/**
 * Free text a reviewer wrote (rationale, range labels and notes) goes into public DSA
 * statements, and a reviewer may well have typed the seller's handle or quoted the chat.
 * Every personal string known for the clip is taken out of such text before it leaves.
 *
 * Plain case-folded substring search, not one regular expression of all the strings: a
 * Unicode-aware, case-insensitive alternation with word-boundary lookarounds cost ~10 ms to
 * compile per clip, which made a DSA export of 1,000 decisions take 12 seconds.
 */

export const REDACTED = '[redacted]'

/** Identifiers shorter than this are not searched for: "ana" is fine, "an" would cut words apart. */
const MIN_IDENTIFIER = 3
/** Chat and transcript lines shorter than this are common words, not a quotation. */
const MIN_LINE = 6

const WORD_CHAR = /[\p{L}\p{N}_]/u

type Range = [start: number, end: number]

/**
 * A function that replaces each occurrence of the identifiers (ids, handles, names, titles)
 * and of whole chat or transcript lines with "[redacted]", whatever the case. Identifiers
 * match only as whole words, so a reviewer id "ana" leaves "analysis" alone.
 */
export function makeRedactor(identifiers: readonly (string | null | undefined)[], lines: readonly (string | null | undefined)[] = []): (text: string) => string {
  const needles = [...unique(lines, MIN_LINE).map((text) => needle(text, false)), ...unique(identifiers, MIN_IDENTIFIER).map((text) => needle(text, true))]
  if (needles.length === 0) return (text) => text
  return (text) => {
    const folded = text.toLowerCase()
    // Lower-casing lengthens a few characters (İ); then positions would not line up, and
    // the search keeps to the case as written.
    const caseless = folded.length === text.length
    const ranges: Range[] = []
    for (const n of needles) find(caseless ? folded : text, caseless ? n.folded : n.text, n.wholeWord, ranges)
    return ranges.length === 0 ? text : replaceRanges(text, ranges)
  }
}

interface Needle {
  text: string
  folded: string
  wholeWord: boolean
}

function needle(text: string, wholeWord: boolean): Needle {
  const folded = text.toLowerCase()
  return { text, folded: folded.length === text.length ? folded : text, wholeWord }
}

function find(haystack: string, needle: string, wholeWord: boolean, out: Range[]): void {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const end = at + needle.length
    if (wholeWord && (isWordChar(haystack, at - 1) || isWordChar(haystack, end))) continue
    out.push([at, end])
  }
}

function isWordChar(text: string, i: number): boolean {
  return i >= 0 && i < text.length && WORD_CHAR.test(text[i] as string)
}

/** Overlapping or touching ranges become one "[redacted]". */
function replaceRanges(text: string, ranges: Range[]): string {
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  let out = ''
  let from = 0
  let open: Range | null = null
  for (const r of ranges) {
    if (open && r[0] <= open[1]) {
      open[1] = Math.max(open[1], r[1])
      continue
    }
    if (open) {
      out += text.slice(from, open[0]) + REDACTED
      from = open[1]
    }
    open = [r[0], r[1]]
  }
  if (open) {
    out += text.slice(from, open[0]) + REDACTED
    from = open[1]
  }
  return out + text.slice(from)
}

function unique(values: readonly (string | null | undefined)[], min: number): string[] {
  const out = new Set<string>()
  for (const v of values) {
    const t = v?.trim()
    if (t && t.length >= min) out.add(t)
  }
  return [...out]
}
