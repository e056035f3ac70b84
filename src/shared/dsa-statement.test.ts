import { describe, expect, test } from 'vitest'
import { codePointLength, isValidDay, validateDsaStatement, validateDsaStatementsFile } from './dsa-statement'

/** A statement as Tinjau exports one: incompatible content, removed, from a user report. */
const good = () =>
  ({
    decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
    decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
    incompatible_content_ground: 'live-safety: Urging arson or destruction of property',
    incompatible_content_explanation: 'Calls to burn the market.',
    incompatible_content_illegal: 'No',
    content_type: ['CONTENT_TYPE_VIDEO'],
    category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
    category_specification: ['KEYWORD_COORDINATED_HARM'],
    account_type: 'ACCOUNT_TYPE_BUSINESS',
    content_language: 'ID',
    content_date: '2025-08-29',
    application_date: '2025-09-04',
    decision_facts: 'Calls to burn the market.\n\nTime ranges in the clip:\n- 0:12.000–0:15.000 call to burn',
    source_type: 'SOURCE_ARTICLE_16',
    automated_detection: 'Yes',
    automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    puid: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  }) as Record<string, unknown>

/** Apply an edit (undefined deletes the field) and return the problems' paths and messages. */
function problems(edit: Record<string, unknown>): string[] {
  const s = good()
  for (const [k, v] of Object.entries(edit)) {
    if (v === undefined) delete s[k]
    else s[k] = v
  }
  const r = validateDsaStatement(s)
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)
}

/** The edit is refused, and one of the problems names `field`. */
function refused(edit: Record<string, unknown>, field: string, message?: RegExp) {
  const found = problems(edit)
  expect(found.length, `expected ${JSON.stringify(edit)} to be refused`).toBeGreaterThan(0)
  const forField = found.filter((p) => p.startsWith(`${field}`))
  expect(forField, `problems were: ${found.join('; ')}`).not.toEqual([])
  if (message) expect(forField.join('; ')).toMatch(message)
}

const long = (n: number) => 'x'.repeat(n)

describe('a correct statement', () => {
  test('is accepted, and so are the optional fields the spec allows', () => {
    expect(problems({})).toEqual([])
    expect(
      problems({
        decision_visibility: ['DECISION_VISIBILITY_OTHER', 'DECISION_VISIBILITY_CONTENT_LABELLED'],
        decision_visibility_other: 'shown only after a tap',
        decision_monetary: 'DECISION_MONETARY_OTHER',
        decision_monetary_other: 'gifts paused',
        decision_provision: 'DECISION_PROVISION_PARTIAL_SUSPENSION',
        decision_account: 'DECISION_ACCOUNT_SUSPENDED',
        decision_ground_reference_url: 'https://example.com/terms#live',
        content_type: ['CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_OTHER'],
        content_type_other: 'live stream',
        category_addition: ['STATEMENT_CATEGORY_VIOLENCE'],
        category_specification: ['KEYWORD_OTHER', 'KEYWORD_SOMETHING_NEWER'],
        category_specification_other: 'arson',
        territorial_scope: ['DE', 'GR', 'NO', 'IS', 'LI'],
        end_date_visibility_restriction: '2038-01-01',
        end_date_monetary_restriction: '2026-01-01',
        end_date_service_restriction: '2026-01-01',
        end_date_account_restriction: '2026-01-01',
        source_type: 'SOURCE_TRUSTED_FLAGGER',
        source_identity: 'A trusted flagger',
        content_id: { 'EAN-13': '4006381333931' },
      }),
    ).toEqual([])
  })

  test('the other decision ground with its own fields is accepted', () => {
    expect(
      problems({
        decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
        incompatible_content_ground: undefined,
        incompatible_content_explanation: undefined,
        incompatible_content_illegal: undefined,
        illegal_content_legal_ground: 'KUHP art. 160',
        illegal_content_explanation: 'Incitement in public',
      }),
    ).toEqual([])
  })

  test('lengths count characters, not UTF-16 units', () => {
    expect(codePointLength('🔥🔥')).toBe(2)
    expect(problems({ decision_facts: '🔥'.repeat(5000) })).toEqual([])
    refused({ decision_facts: '🔥'.repeat(5001) }, 'decision_facts', /at most 5000/)
    refused({ decision_facts: 'x'.repeat(5001) }, 'decision_facts', /at most 5000/)
  })

  test('days are real calendar days, the 29th to 31st too', () => {
    for (const d of ['2024-02-29', '2025-01-31', '2025-04-30', '2025-12-28', '2000-02-29']) expect(isValidDay(d, null, '2038-01-01'), d).toBe(true)
    for (const d of ['2023-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-1-01', '2025-01-01T00:00:00Z', '1900-02-29']) {
      expect(isValidDay(d, null, '2038-01-01'), d).toBe(false)
    }
    expect(isValidDay('2019-12-31', '2020-01-01', '2038-01-01')).toBe(false)
    expect(isValidDay('2038-01-02', null, '2038-01-01')).toBe(false)
  })

  test('a file of statements holds 1 to 100 of them', () => {
    expect(validateDsaStatementsFile({ statements: Array.from({ length: 100 }, good) }).ok).toBe(true)
    expect(validateDsaStatementsFile({ statements: Array.from({ length: 101 }, good) }).ok).toBe(false)
    expect(validateDsaStatementsFile({ statements: [] }).ok).toBe(false)
    expect(validateDsaStatementsFile({ statements: [good()], extra: 1 }).ok).toBe(false)
  })
})

describe('required fields', () => {
  test.each([
    'decision_ground',
    'category',
    'content_type',
    'content_date',
    'application_date',
    'decision_facts',
    'source_type',
    'automated_detection',
    'automated_decision',
    'puid',
  ])('%s is required', (field) => refused({ [field]: undefined }, field))

  test('at least one of decision_visibility, decision_monetary, decision_provision, decision_account', () => {
    refused({ decision_visibility: undefined }, 'decision_visibility', /at least one of/)
    for (const only of [{ decision_monetary: 'DECISION_MONETARY_SUSPENSION' }, { decision_provision: 'DECISION_PROVISION_TOTAL_SUSPENSION' }, { decision_account: 'DECISION_ACCOUNT_TERMINATED' }]) {
      expect(problems({ decision_visibility: undefined, ...only })).toEqual([])
    }
  })
})

describe('field rules', () => {
  test('fields not in the schema are refused', () => refused({ account_handle: 'batik.bu.sri' }, '', /account_handle/))
  test('null is refused: an excluded field is left out', () => refused({ account_type: null }, 'account_type'))
  test('present strings must not be empty', () => refused({ source_identity: '' }, 'source_identity', /must not be empty/))

  test('decision_visibility: an array of the enum values, not empty', () => {
    refused({ decision_visibility: ['DECISION_VISIBILITY_HIDDEN'] }, 'decision_visibility')
    refused({ decision_visibility: 'DECISION_VISIBILITY_CONTENT_REMOVED' }, 'decision_visibility')
    refused({ decision_visibility: [] }, 'decision_visibility')
  })
  test('decision_visibility_other: required with DECISION_VISIBILITY_OTHER', () =>
    refused({ decision_visibility: ['DECISION_VISIBILITY_OTHER'] }, 'decision_visibility_other', /required when/))
  test('decision_visibility_other: excluded otherwise', () => refused({ decision_visibility_other: 'x' }, 'decision_visibility_other', /left out unless/))
  test('decision_visibility_other: at most 500', () =>
    refused({ decision_visibility: ['DECISION_VISIBILITY_OTHER'], decision_visibility_other: long(501) }, 'decision_visibility_other', /at most 500/))
  test('decision_monetary: the enum', () => refused({ decision_monetary: 'DECISION_MONETARY_FINE' }, 'decision_monetary'))
  test('decision_monetary_other: required with DECISION_MONETARY_OTHER', () =>
    refused({ decision_monetary: 'DECISION_MONETARY_OTHER' }, 'decision_monetary_other', /required when/))
  test('decision_monetary_other: excluded otherwise', () =>
    refused({ decision_monetary: 'DECISION_MONETARY_SUSPENSION', decision_monetary_other: 'x' }, 'decision_monetary_other', /left out unless/))
  test('decision_monetary_other: at most 500', () =>
    refused({ decision_monetary: 'DECISION_MONETARY_OTHER', decision_monetary_other: long(501) }, 'decision_monetary_other', /at most 500/))
  test('decision_provision: the enum', () => refused({ decision_provision: 'DECISION_PROVISION_SOME' }, 'decision_provision'))
  test('decision_account: the enum', () => refused({ decision_account: 'DECISION_ACCOUNT_BANNED' }, 'decision_account'))
  test('account_type: the enum', () => refused({ account_type: 'ACCOUNT_TYPE_PERSONAL' }, 'account_type'))
  test('decision_ground: the enum', () => refused({ decision_ground: 'DECISION_GROUND_OTHER' }, 'decision_ground'))

  test('decision_ground_reference_url: a URL of at most 500', () => {
    refused({ decision_ground_reference_url: 'not a url' }, 'decision_ground_reference_url')
    refused({ decision_ground_reference_url: `https://example.com/${long(481)}` }, 'decision_ground_reference_url', /at most 500/)
  })

  test('illegal_content_legal_ground and _explanation: required with DECISION_GROUND_ILLEGAL_CONTENT', () => {
    const illegal = { decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT', incompatible_content_ground: undefined, incompatible_content_explanation: undefined, incompatible_content_illegal: undefined }
    refused({ ...illegal, illegal_content_explanation: 'why' }, 'illegal_content_legal_ground', /required when/)
    refused({ ...illegal, illegal_content_legal_ground: 'law' }, 'illegal_content_explanation', /required when/)
    refused({ ...illegal, illegal_content_legal_ground: long(501), illegal_content_explanation: 'why' }, 'illegal_content_legal_ground', /at most 500/)
    refused({ ...illegal, illegal_content_legal_ground: 'law', illegal_content_explanation: long(2001) }, 'illegal_content_explanation', /at most 2000/)
  })
  test('illegal_content_*: excluded with DECISION_GROUND_INCOMPATIBLE_CONTENT', () => {
    refused({ illegal_content_legal_ground: 'law' }, 'illegal_content_legal_ground', /left out unless/)
    refused({ illegal_content_explanation: 'why' }, 'illegal_content_explanation', /left out unless/)
  })
  test('incompatible_content_ground and _explanation: required with DECISION_GROUND_INCOMPATIBLE_CONTENT', () => {
    refused({ incompatible_content_ground: undefined }, 'incompatible_content_ground', /required when/)
    refused({ incompatible_content_explanation: undefined }, 'incompatible_content_explanation', /required when/)
    refused({ incompatible_content_ground: long(501) }, 'incompatible_content_ground', /at most 500/)
    refused({ incompatible_content_explanation: long(2001) }, 'incompatible_content_explanation', /at most 2000/)
  })
  test('incompatible_content_illegal: Yes or No', () => refused({ incompatible_content_illegal: 'yes' }, 'incompatible_content_illegal'))
  test('incompatible_content_*: all excluded with DECISION_GROUND_ILLEGAL_CONTENT', () => {
    const illegal = { decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT', illegal_content_legal_ground: 'law', illegal_content_explanation: 'why' }
    const found = problems(illegal)
    for (const f of ['incompatible_content_ground', 'incompatible_content_explanation', 'incompatible_content_illegal']) {
      expect(found.some((p) => p.startsWith(`${f}: must be left out`)), found.join('; ')).toBe(true)
    }
  })

  test('content_type: an array of the enum values, not empty', () => {
    refused({ content_type: ['CONTENT_TYPE_LIVESTREAM'] }, 'content_type')
    refused({ content_type: [] }, 'content_type')
  })
  test('content_type_other: required with CONTENT_TYPE_OTHER', () => refused({ content_type: ['CONTENT_TYPE_OTHER'] }, 'content_type_other', /required when/))
  test('content_type_other: excluded otherwise', () => refused({ content_type_other: 'x' }, 'content_type_other', /left out unless/))
  test('content_type_other: at most 500', () => refused({ content_type: ['CONTENT_TYPE_OTHER'], content_type_other: long(501) }, 'content_type_other', /at most 500/))

  test('category: one of the STATEMENT_CATEGORY_ values', () => {
    refused({ category: 'STATEMENT_CATEGORY_ARSON' }, 'category')
    refused({ category: ['STATEMENT_CATEGORY_VIOLENCE'] }, 'category')
  })
  test('category_addition: an array of the same values', () => refused({ category_addition: ['VIOLENCE'] }, 'category_addition'))
  test('category_specification: KEYWORD_* values', () => refused({ category_specification: ['COORDINATED_HARM'] }, 'category_specification', /KEYWORD_/))
  test('category_specification_other: at most 500', () => refused({ category_specification_other: long(501) }, 'category_specification_other', /at most 500/))

  test('territorial_scope: EU and EEA country codes only', () => {
    refused({ territorial_scope: ['ID'] }, 'territorial_scope', /EU or EEA/)
    refused({ territorial_scope: ['GB'] }, 'territorial_scope')
    refused({ territorial_scope: ['de'] }, 'territorial_scope')
    refused({ territorial_scope: ['EL'] }, 'territorial_scope')
  })
  test('content_language: an uppercase ISO 639-1 code', () => {
    refused({ content_language: 'id' }, 'content_language', /uppercase ISO 639-1/)
    refused({ content_language: 'IND' }, 'content_language')
    refused({ content_language: 'XX' }, 'content_language')
    refused({ content_language: 'ID-JK' }, 'content_language')
  })

  test.each([
    ['content_date', '2000-01-01', '2038-01-01', '1999-12-31', '2038-01-02'],
    ['application_date', '2020-01-01', '2038-01-01', '2019-12-31', '2038-01-02'],
  ])('%s: YYYY-MM-DD from %s to %s', (field, min, max, before, after) => {
    expect(problems({ [field]: min, ...(field === 'content_date' ? {} : { content_date: '2020-01-01' }) })).toEqual([])
    expect(problems({ [field]: max })).toEqual([])
    refused({ [field]: before }, field, /YYYY-MM-DD/)
    refused({ [field]: after }, field)
    refused({ [field]: '2025-02-30' }, field)
    refused({ [field]: '2025-9-4' }, field)
    refused({ [field]: '2025-09-04T10:00:00Z' }, field)
  })
  test.each(['end_date_visibility_restriction', 'end_date_monetary_restriction', 'end_date_service_restriction', 'end_date_account_restriction'])(
    '%s: YYYY-MM-DD up to 2038-01-01',
    (field) => {
      refused({ [field]: '2038-01-02' }, field)
      refused({ [field]: '04/09/2025' }, field)
    },
  )

  test('decision_facts: at most 5000', () => refused({ decision_facts: long(5001) }, 'decision_facts', /at most 5000/))
  test('source_type: the enum', () => refused({ source_type: 'SOURCE_AUTHORITY' }, 'source_type'))
  test('source_identity: at most 500', () => refused({ source_identity: long(501) }, 'source_identity', /at most 500/))
  test('source_identity: excluded with SOURCE_VOLUNTARY', () =>
    refused({ source_type: 'SOURCE_VOLUNTARY', source_identity: 'a flagger' }, 'source_identity', /left out when source_type is SOURCE_VOLUNTARY/))
  test('automated_detection: Yes or No', () => refused({ automated_detection: true }, 'automated_detection'))
  test('automated_decision: the enum', () => refused({ automated_decision: 'AUTOMATED_DECISION_NONE' }, 'automated_decision'))

  test('puid: letters, digits, "-" and "_", at most 500', () => {
    refused({ puid: 'has space' }, 'puid')
    refused({ puid: 'dots.not.allowed' }, 'puid')
    refused({ puid: long(501) }, 'puid', /at most 500/)
    expect(problems({ puid: `A-z_0${long(495)}` })).toEqual([])
  })
  test('content_id: an object whose EAN-13 is a 13-digit string', () => {
    refused({ content_id: { 'EAN-13': '123' } }, 'content_id')
    refused({ content_id: { 'EAN-13': 4006381333931 } }, 'content_id')
    refused({ content_id: { ISBN: '9780306406157' } }, 'content_id')
  })
})
