import { z } from 'zod'

/**
 * A statement of reasons for the EU DSA Transparency Database (API v2 schema, 2025; see
 * shared/specs/dsa-statement-of-reasons.md), as a zod schema that encodes every field rule
 * of that spec, so an export is checked here before a platform ever submits it. Strict:
 * the database refuses fields it does not know, and so does this.
 *
 * Lengths count characters (code points), as the database does, not UTF-16 units.
 * Strings that are present must not be empty, and no field may be null: a field a rule
 * excludes must be left out, not sent empty.
 */

export const DECISION_VISIBILITY = [
  'DECISION_VISIBILITY_CONTENT_REMOVED',
  'DECISION_VISIBILITY_CONTENT_DISABLED',
  'DECISION_VISIBILITY_CONTENT_DEMOTED',
  'DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_LABELLED',
  'DECISION_VISIBILITY_OTHER',
] as const
export const DECISION_MONETARY = ['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER'] as const
export const DECISION_PROVISION = [
  'DECISION_PROVISION_PARTIAL_SUSPENSION',
  'DECISION_PROVISION_TOTAL_SUSPENSION',
  'DECISION_PROVISION_PARTIAL_TERMINATION',
  'DECISION_PROVISION_TOTAL_TERMINATION',
] as const
export const DECISION_ACCOUNT = ['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED'] as const
export const ACCOUNT_TYPE = ['ACCOUNT_TYPE_BUSINESS', 'ACCOUNT_TYPE_PRIVATE'] as const
export const DECISION_GROUND = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'] as const
export const CONTENT_TYPE = [
  'CONTENT_TYPE_APP',
  'CONTENT_TYPE_AUDIO',
  'CONTENT_TYPE_IMAGE',
  'CONTENT_TYPE_PRODUCT',
  'CONTENT_TYPE_SYNTHETIC_MEDIA',
  'CONTENT_TYPE_TEXT',
  'CONTENT_TYPE_VIDEO',
  'CONTENT_TYPE_OTHER',
] as const
export const STATEMENT_CATEGORY = [
  'STATEMENT_CATEGORY_ANIMAL_WELFARE',
  'STATEMENT_CATEGORY_CONSUMER_INFORMATION',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
  'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
  'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS',
  'STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS',
  'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE',
  'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
  'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
  'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  'STATEMENT_CATEGORY_SELF_HARM',
  'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
  'STATEMENT_CATEGORY_VIOLENCE',
] as const
/**
 * The keywords the spec names. It says "among them": the database knows more, so the
 * schema accepts any `KEYWORD_*` value and these are listed for reference only.
 */
export const KNOWN_KEYWORDS = [
  'KEYWORD_INCITEMENT_VIOLENCE_HATRED',
  'KEYWORD_CYBER_INCITEMENT',
  'KEYWORD_HATE_SPEECH',
  'KEYWORD_COORDINATED_HARM',
  'KEYWORD_TERRORIST_CONTENT',
  'KEYWORD_ILLEGAL_ORGANIZATIONS',
  'KEYWORD_MISINFORMATION_DISINFORMATION',
  'KEYWORD_PROHIBITED_PRODUCTS',
  'KEYWORD_UNSAFE_PRODUCTS',
  'KEYWORD_HIDDEN_ADVERTISEMENT',
  'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS',
  'KEYWORD_PHISHING',
  'KEYWORD_OTHER',
] as const
export const SOURCE_TYPE = ['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY'] as const
export const AUTOMATED_DECISION = ['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'] as const
export const YES_NO = ['Yes', 'No'] as const

/** The EU member states and the other EEA states (IS, LI, NO), ISO 3166-1 alpha-2 (Greece is GR). */
export const EU_EEA_COUNTRIES = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT',
  'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO',
] as const

/** ISO 639-1 (the current two-letter codes; the withdrawn `bh`, `in`, `iw`, `ji` are not among them). */
export const ISO_639_1 = (
  'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu ' +
  'fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km ' +
  'kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om ' +
  'or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ' +
  'ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
)
  .split(' ')
  .map((c) => c.toUpperCase())

const ISO_639_1_SET: ReadonlySet<string> = new Set(ISO_639_1)

export const PUID_PATTERN = /^[a-zA-Z0-9-_]+$/
export const MAX_STATEMENTS_PER_CALL = 100
export const LIMITS = { short: 500, explanation: 2000, facts: 5000, puid: 500 } as const
export const DATE_RANGES = {
  content_date: { min: '2000-01-01', max: '2038-01-01' },
  application_date: { min: '2020-01-01', max: '2038-01-01' },
  end_date: { min: null, max: '2038-01-01' },
} as const

export function codePointLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/** At most `max` code points; never more of them than UTF-16 units, so most texts need no counting (an export checks 100,000 statements). */
function fitsIn(s: string, max: number): boolean {
  return s.length <= max || codePointLength(s) <= max
}

const text = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty (leave the field out instead)')
    .refine((s) => fitsIn(s, max), `at most ${max} characters`)

const nonEmptyArray = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must not be empty (leave the field out instead)')

/** A real calendar day `YYYY-MM-DD`, within [min, max] (both inclusive). */
export function isValidDay(value: string, min: string | null, max: string): boolean {
  // Days 01–28 of months 01–12 exist in every year from 1000 on: most days checked need no Date.
  if (!EVERY_YEAR_DAY.test(value)) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
    if (!m) return false
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    const date = new Date(Date.UTC(y, mo - 1, d))
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return false
  }
  return (min === null || value >= min) && value <= max
}

const EVERY_YEAR_DAY = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$/

const day = (range: { min: string | null; max: string }) =>
  z
    .string()
    .refine(
      (s) => isValidDay(s, range.min, range.max),
      `a date YYYY-MM-DD${range.min ? ` from ${range.min}` : ''} up to ${range.max}`,
    )

const statementShape = z.strictObject({
  decision_visibility: nonEmptyArray(z.enum(DECISION_VISIBILITY)).optional(),
  decision_visibility_other: text(LIMITS.short).optional(),
  decision_monetary: z.enum(DECISION_MONETARY).optional(),
  decision_monetary_other: text(LIMITS.short).optional(),
  decision_provision: z.enum(DECISION_PROVISION).optional(),
  decision_account: z.enum(DECISION_ACCOUNT).optional(),
  account_type: z.enum(ACCOUNT_TYPE).optional(),
  decision_ground: z.enum(DECISION_GROUND),
  decision_ground_reference_url: z
    .url({ protocol: /^https?$/, message: 'an http(s) URL' })
    .refine((s) => fitsIn(s, LIMITS.short), `at most ${LIMITS.short} characters`)
    .optional(),
  illegal_content_legal_ground: text(LIMITS.short).optional(),
  illegal_content_explanation: text(LIMITS.explanation).optional(),
  incompatible_content_ground: text(LIMITS.short).optional(),
  incompatible_content_explanation: text(LIMITS.explanation).optional(),
  incompatible_content_illegal: z.enum(YES_NO).optional(),
  content_type: nonEmptyArray(z.enum(CONTENT_TYPE)),
  content_type_other: text(LIMITS.short).optional(),
  category: z.enum(STATEMENT_CATEGORY),
  category_addition: nonEmptyArray(z.enum(STATEMENT_CATEGORY)).optional(),
  category_specification: nonEmptyArray(z.string().regex(/^KEYWORD_[A-Z0-9_]+$/, 'a KEYWORD_* value')).optional(),
  category_specification_other: text(LIMITS.short).optional(),
  territorial_scope: nonEmptyArray(z.enum(EU_EEA_COUNTRIES, { message: 'an EU or EEA country code (ISO 3166-1 alpha-2)' })).optional(),
  content_language: z
    .string()
    .refine((s) => ISO_639_1_SET.has(s), 'an uppercase ISO 639-1 language code (EN, ID, …)')
    .optional(),
  content_date: day(DATE_RANGES.content_date),
  application_date: day(DATE_RANGES.application_date),
  end_date_visibility_restriction: day(DATE_RANGES.end_date).optional(),
  end_date_monetary_restriction: day(DATE_RANGES.end_date).optional(),
  end_date_service_restriction: day(DATE_RANGES.end_date).optional(),
  end_date_account_restriction: day(DATE_RANGES.end_date).optional(),
  decision_facts: text(LIMITS.facts),
  source_type: z.enum(SOURCE_TYPE),
  source_identity: text(LIMITS.short).optional(),
  automated_detection: z.enum(YES_NO),
  automated_decision: z.enum(AUTOMATED_DECISION),
  puid: text(LIMITS.puid).regex(PUID_PATTERN, 'only letters, digits, "-" and "_"'),
  content_id: z.strictObject({ 'EAN-13': z.string().regex(/^[0-9]{13}$/, 'a 13-digit string') }).optional(),
})

type Shape = z.infer<typeof statementShape>

/** The rules that tie one field to another ("required when X, excluded otherwise"). */
function crossFieldRules(s: Shape, ctx: z.RefinementCtx): void {
  const issue = (path: keyof Shape, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
  /** `field` must be present exactly when `when` holds. */
  const requiredExactlyWhen = (field: keyof Shape, when: boolean, condition: string) => {
    if (when && s[field] === undefined) issue(field, `required when ${condition}`)
    if (!when && s[field] !== undefined) issue(field, `must be left out unless ${condition}`)
  }

  if (s.decision_visibility === undefined && s.decision_monetary === undefined && s.decision_provision === undefined && s.decision_account === undefined) {
    issue('decision_visibility', 'at least one of decision_visibility, decision_monetary, decision_provision, decision_account is required')
  }
  requiredExactlyWhen('decision_visibility_other', s.decision_visibility?.includes('DECISION_VISIBILITY_OTHER') ?? false, 'decision_visibility has DECISION_VISIBILITY_OTHER')
  requiredExactlyWhen('decision_monetary_other', s.decision_monetary === 'DECISION_MONETARY_OTHER', 'decision_monetary is DECISION_MONETARY_OTHER')
  requiredExactlyWhen('content_type_other', s.content_type.includes('CONTENT_TYPE_OTHER'), 'content_type has CONTENT_TYPE_OTHER')

  const illegal = s.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT'
  requiredExactlyWhen('illegal_content_legal_ground', illegal, 'decision_ground is DECISION_GROUND_ILLEGAL_CONTENT')
  requiredExactlyWhen('illegal_content_explanation', illegal, 'decision_ground is DECISION_GROUND_ILLEGAL_CONTENT')
  const incompatible = s.decision_ground === 'DECISION_GROUND_INCOMPATIBLE_CONTENT'
  requiredExactlyWhen('incompatible_content_ground', incompatible, 'decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT')
  requiredExactlyWhen('incompatible_content_explanation', incompatible, 'decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT')
  if (!incompatible && s.incompatible_content_illegal !== undefined) {
    issue('incompatible_content_illegal', 'must be left out unless decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT')
  }
  if (s.source_type === 'SOURCE_VOLUNTARY' && s.source_identity !== undefined) {
    issue('source_identity', 'must be left out when source_type is SOURCE_VOLUNTARY')
  }
}

export const DsaStatement = statementShape.superRefine(crossFieldRules)
export type DsaStatement = z.infer<typeof DsaStatement>

/** The body of `POST /api/v1/statements`: at most 100 statements per call. */
export const DsaStatementsFile = z.strictObject({
  statements: z.array(DsaStatement).min(1).max(MAX_STATEMENTS_PER_CALL, `at most ${MAX_STATEMENTS_PER_CALL} statements per call`),
})
export type DsaStatementsFile = z.infer<typeof DsaStatementsFile>

export interface DsaProblem {
  path: string
  message: string
}

export type DsaCheck<T> = { ok: true; value: T } | { ok: false; problems: DsaProblem[] }

function check<T>(schema: z.ZodType<T>, value: unknown): DsaCheck<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return { ok: true, value: parsed.data }
  return { ok: false, problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })) }
}

export function validateDsaStatement(value: unknown): DsaCheck<DsaStatement> {
  return check(DsaStatement, value)
}

export function validateDsaStatementsFile(value: unknown): DsaCheck<DsaStatementsFile> {
  return check(DsaStatementsFile, value)
}
