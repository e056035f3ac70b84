import { createHash } from 'node:crypto'
import {
  DATE_RANGES,
  ISO_639_1,
  LIMITS,
  PUID_PATTERN,
  codePointLength,
  type DsaStatement,
} from '../../shared/dsa-statement'
import type { PackClip } from '../../shared/field-pack'
import { findAction, findCategory, type Policy, type PolicyAction, type PolicyCategory } from '../../shared/policy'
import { makeRedactor } from './redact'
import { storedMatchedFrom } from './stored-match'

/**
 * One decision → one statement of reasons, following policy-default.md's mapping. What the
 * policy file carries (each category's DSA category and keywords, each action's
 * restriction fields) is read from it; the rest is the mapping's fixed rules, below.
 */

/**
 * A `label` on no-violation categories (news footage behind a warning) restricts
 * visibility, so it needs a statement, but those categories map to no DSA category: the
 * statement names the terms-of-service catch-all.
 */
export const NO_VIOLATION_CATEGORY = 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC'

/** The decision as the mapping needs it (an ExportRow has all of it). */
export interface DsaDecision {
  id: string
  policy_id: string
  /** JSON text, as stored. */
  categories: string
  action: string
  /** JSON text, as stored. */
  ranges: string
  rationale: string
  reviewer_id: string
  device_id: string
  decided_at: string
  /**
   * The known-content match the decision was applied from (issue 14), JSON text of
   * shared/matched-from.ts PackedMatchedFrom as the profile stores it; null or absent when
   * the reviewer decided from scratch.
   */
  matched_from?: string | null
}

interface StoredRange {
  startMs: number
  endMs: number
  label?: string
  note?: string
}

export type NoStatementReason = 'not_restrictive' | 'unknown_action'

/** The restriction fields a statement gets, or why the decision gets none (allow, escalate: nothing is restricted). */
export type Restriction = Pick<DsaStatement, 'decision_visibility' | 'decision_provision' | 'decision_account'>

export interface Restrictive {
  action: PolicyAction
  restriction: Restriction
}

export function restrictionOf(policy: Policy, actionId: string): Restrictive | { skipped: NoStatementReason } {
  const action = findAction(policy, actionId)
  if (!action) return { skipped: 'unknown_action' }
  const restriction = restrictionFields(action.dsa)
  return restriction === null ? { skipped: 'not_restrictive' } : { action, restriction }
}

/** What a decision's categories give a statement; the same for every decision with the same categories. */
interface CategoryFacts {
  /** The categories' English names, joined (unknown ids as they are). */
  names: string
  category: DsaStatement['category']
  additions: DsaStatement['category'][]
  keywords: string[]
  commerce: boolean
}

function categoryFacts(policy: Policy, categoriesJson: string): CategoryFacts {
  const ids = JSON.parse(categoriesJson) as string[]
  const categories = ids.map((id) => findCategory(policy, id))
  const dsa = categories.map((c) => c?.dsa).filter((x): x is NonNullable<PolicyCategory['dsa']> => Boolean(x))
  const category = (dsa[0]?.category ?? NO_VIOLATION_CATEGORY) as DsaStatement['category']
  return {
    names: ids.map((id, i) => categories[i]?.name.en ?? id).join(', '),
    category,
    additions: unique(dsa.map((x) => x.category)).filter((c) => c !== category) as DsaStatement['category'][],
    keywords: unique(dsa.flatMap((x) => x.keywords)),
    commerce: ids.some(isCommerceCategory),
  }
}

/**
 * A function from a decision whose action restricts (see restrictionOf) and its clip to
 * the statement. What follows from the categories alone is worked out once per set of
 * categories: an export of 100,000 decisions has a few dozen such sets.
 */
export function statementMapper(policy: Policy): (d: DsaDecision, clip: PackClip, restrictive: Restrictive) => DsaStatement {
  const byCategories = new Map<string, CategoryFacts>()
  return (d, clip, { action, restriction }) => {
    let facts = byCategories.get(d.categories)
    if (!facts) byCategories.set(d.categories, (facts = categoryFacts(policy, d.categories)))
    const sources = new Set(clip.flags.map((f) => f.source))
    const redact = makeRedactor(
      [clip.account.id, clip.account.handle, clip.account.handle ? `@${clip.account.handle}` : null, clip.account.display_name,
        clip.stream.id, clip.stream.title, d.reviewer_id, d.device_id, ...(clip.chat ?? []).map((c) => c.author)],
      [...(clip.chat ?? []).map((c) => c.text), ...(clip.transcript ?? []).map((t) => t.text)],
    )
    const rationale = redact(d.rationale.trim())
    const explanation = rationale.length > 0 ? rationale : `${action.name.en}: ${facts.names}`
    const applicationDate = clampDay(d.decided_at, DATE_RANGES.application_date)
    const language = languageCode(clip.stream.language)

    // Assigned field by field, in the order the file shows them: spreading optional
    // fields in made this the slowest step of the export.
    const s = {} as DsaStatement
    if (restriction.decision_visibility) s.decision_visibility = restriction.decision_visibility
    if (restriction.decision_provision) s.decision_provision = restriction.decision_provision
    if (restriction.decision_account) s.decision_account = restriction.decision_account
    s.decision_ground = 'DECISION_GROUND_INCOMPATIBLE_CONTENT'
    s.incompatible_content_ground = truncate(`${d.policy_id}: ${facts.names}`, LIMITS.short)
    s.incompatible_content_explanation = truncate(explanation, LIMITS.explanation)
    s.incompatible_content_illegal = sources.has('authority_request') ? 'Yes' : 'No'
    s.content_type = clip.stream.commerce === true && facts.commerce ? ['CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_PRODUCT'] : ['CONTENT_TYPE_VIDEO']
    s.category = facts.category
    if (facts.additions.length > 0) s.category_addition = facts.additions
    if (facts.keywords.length > 0) s.category_specification = facts.keywords
    if (clip.account.type === 'business') s.account_type = 'ACCOUNT_TYPE_BUSINESS'
    else if (clip.account.type === 'private') s.account_type = 'ACCOUNT_TYPE_PRIVATE'
    if (language) s.content_language = language
    s.content_date = clampDay(clip.captured_at, { min: DATE_RANGES.content_date.min, max: applicationDate })
    s.application_date = applicationDate
    const match = d.matched_from ? matchNote({ id: d.id, matched_from: d.matched_from }, redact) : null
    const body = decisionFacts(explanation, d.ranges, redact)
    // The match goes last but is never the part cut: the body gives way to it.
    s.decision_facts = match === null ? truncate(body, LIMITS.facts) : `${truncate(body, LIMITS.facts - codePointLength(match) - 2)}\n\n${match}`
    s.source_type = sourceType(sources)
    // A perceptual-hash match is detection by automated means; the reviewer confirmed the
    // decision it proposed, so automated means took part in the decision, not all of it
    // (docs/decision-pack.md, "A decision applied from a match").
    s.automated_detection = match !== null || sources.has('classifier') || sources.has('keyword') ? 'Yes' : 'No'
    s.automated_decision = match === null ? 'AUTOMATED_DECISION_NOT_AUTOMATED' : 'AUTOMATED_DECISION_PARTIALLY'
    s.puid = puidFor(d.id)
    return s
  }
}

/**
 * The sentence decision_facts ends with for a decision applied from a known-content match:
 * what matched (the other clip, or the hash list and its entry) and how much. The entry's
 * label is the list's own text, so it goes through the clip's redactor like the rationale.
 * At most ~700 characters (ids and labels are bounded by shared/matched-from.ts).
 */
export function matchNote(d: Pick<DsaDecision, 'id'> & { matched_from: string }, redact: (t: string) => string = (t) => t): string {
  const m = storedMatchedFrom(d.id, d.matched_from)
  const share = `${percent(m.query_match_percent)} of this clip's frames and ${percent(m.compared_match_percent)} of the known footage's matched`
  const same = m.same_file ? ', the same file byte for byte' : ''
  if (m.source === 'clip') {
    return `Applied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: clip ${m.clip_id}; ${share}${same}.`
  }
  const label = redact(m.label.trim())
  const list = m.list_source === 'team' ? "the team's hash list" : 'hash list'
  return `Applied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: ${list} ${m.list_id} (version ${m.list_version}), entry ${m.entry_id}${label.length > 0 ? ` "${label}"` : ''}; ${share}${same}.`
}

/** One decimal at most: 92.5 %, 100 %, 66.7 %. */
function percent(n: number): string {
  return `${Math.round(n * 10) / 10}%`
}

/** The action's restriction fields, or null when it restricts nothing (allow, escalate). */
function restrictionFields(dsa: PolicyAction['dsa']): Restriction | null {
  if (!dsa) return null
  const out: Restriction = {}
  if (dsa.decision_visibility && dsa.decision_visibility.length > 0) out.decision_visibility = dsa.decision_visibility as NonNullable<DsaStatement['decision_visibility']>
  if (dsa.decision_provision) out.decision_provision = dsa.decision_provision as DsaStatement['decision_provision']
  if (dsa.decision_account) out.decision_account = dsa.decision_account as DsaStatement['decision_account']
  return Object.keys(out).length > 0 ? out : null
}

/** Commerce categories are those with a `commerce` segment in their id (`commerce.fraud`, `ok.commerce`): the policy has no flag for it. */
export function isCommerceCategory(id: string): boolean {
  return id.split('.').includes('commerce')
}

/**
 * One source per statement, the strongest the flags give: an authority's request (an
 * order, not a notice: "other notification"), then a trusted flagger, then user reports
 * (Article 16 notices); classifier or keyword hits alone are the platform's own initiative.
 */
export function sourceType(sources: ReadonlySet<string>): DsaStatement['source_type'] {
  if (sources.has('authority_request')) return 'SOURCE_TYPE_OTHER_NOTIFICATION'
  if (sources.has('trusted_flagger')) return 'SOURCE_TRUSTED_FLAGGER'
  if (sources.has('user_report')) return 'SOURCE_ARTICLE_16'
  return 'SOURCE_VOLUNTARY'
}

/** The rationale, then the annotated time ranges (their labels and notes redacted too). */
function decisionFacts(explanation: string, rangesJson: string, redact: (t: string) => string): string {
  const ranges = rangesJson === '[]' ? [] : (JSON.parse(rangesJson) as StoredRange[])
  if (ranges.length === 0) return explanation
  const lines = ranges.map((r) => {
    const words = [r.label, r.note].map((t) => redact(t?.trim() ?? '')).filter((t) => t.length > 0)
    return `- ${clock(r.startMs)}–${clock(r.endMs)}${words.length > 0 ? ` ${words.join(': ')}` : ''}`
  })
  return `${explanation}\n\nTime ranges in the clip:\n${lines.join('\n')}`
}

/** m:ss.mmm, or h:mm:ss.mmm from an hour on. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms))
  const h = Math.floor(total / 3_600_000)
  const m = Math.floor((total % 3_600_000) / 60_000)
  const s = Math.floor((total % 60_000) / 1000)
  const frac = String(total % 1000).padStart(3, '0')
  const ss = `${String(s).padStart(2, '0')}.${frac}`
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/**
 * The UTC day of a time, held within [min, max]: the database refuses days outside its
 * range, and a capture time before 2000 or a clock far in the future is an input error
 * that should not stop a filing. Unparseable times take `min`.
 */
export function clampDay(time: string, range: { min: string; max: string }): string {
  // A UTC time (every decided_at the app writes) is its own day: parsing and formatting
  // a date for each of 85,000 statements was a tenth of a DSA export's mapping.
  const day = UTC_TIME.test(time) ? time.slice(0, 10) : utcDay(time, range.min)
  return day < range.min ? range.min : day > range.max ? range.max : day
}

/** Days past the 28th go the long way, so that a 30 February is judged as Date judges it. */
const UTC_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/

function utcDay(time: string, fallback: string): string {
  const ms = Date.parse(time)
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : fallback
}


/** The primary subtag of a BCP 47 tag, upper-cased, when it is an ISO 639-1 code (`id-ID` → `ID`); otherwise none. */
export function languageCode(tag: string | undefined): string | null {
  const primary = tag?.split(/[-_]/)[0]?.toUpperCase() ?? ''
  return ISO_639_1.includes(primary) ? primary : null
}

/** The decision id when it fits the puid rule (UUIDs do), else a digest of it: stable either way. */
export function puidFor(decisionId: string): string {
  if (PUID_PATTERN.test(decisionId) && decisionId.length <= LIMITS.puid) return decisionId
  return `sha256-${createHash('sha256').update(decisionId).digest('hex')}`
}

/** At most `max` characters, cut between characters (never inside a surrogate pair), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  // Never more code points than UTF-16 units: most texts need no counting.
  if (text.length <= max || codePointLength(text) <= max) return text
  return `${[...text].slice(0, max - 1).join('')}…`
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)]
}
