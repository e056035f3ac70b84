import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { LIMITS, validateDsaStatement, type DsaStatement } from '../../shared/dsa-statement'
import { TinjauError } from '../../shared/errors'
import type { MatchedFrom } from '../../shared/matched-from'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../hash-lists/testing/make-hash-list'
import { matchNote } from './dsa-map'
import { writeDsaStatements } from './index'
import { storedMatchedFrom } from './stored-match'
import { openExportProfile, type TestProfile } from './test-profile'

/** Issue 14: a statement of reasons for a decision applied from a known-content match says so. */

let p: TestProfile
beforeEach(() => {
  p = openExportProfile()
})
afterEach(() => p.close())

/** A user report only: without a match nothing automated detected the clip. */
function reported(id: string): Record<string, unknown> {
  return {
    stream: { id: `live-${id}`, title: `Stream ${id}`, language: 'id', commerce: false },
    account: { id: `acct-${id}`, handle: `seller.${id}`, display_name: `Seller ${id}`, type: 'private' },
    flags: [{ source: 'user_report', label: 'violence.arson', count: 3 }],
    captured_at: '2025-08-31T20:00:00Z',
  }
}

const remove = (clipId: string, rationale = 'Calls to burn the market.') => ({
  clipId,
  categories: ['violence.arson'],
  action: 'remove',
  rationale,
  ranges: [{ startMs: 1000, endMs: 2000, label: 'call to burn', note: '' }],
})

async function statementsByPuid(): Promise<{ text: string; byPuid: Map<string, DsaStatement> }> {
  const dir = path.join(p.scratch(), 'dsa')
  await writeDsaStatements(p.source, dir)
  const text = readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f), 'utf8')).join('')
  const statements = text.trim().split('\n').flatMap((line) => (JSON.parse(line) as { statements: DsaStatement[] }).statements)
  for (const s of statements) expect(validateDsaStatement(s)).toEqual({ ok: true, value: s })
  return { text, byPuid: new Map(statements.map((s) => [s.puid, s])) }
}

describe('DSA statements of decisions applied from a known-content match', () => {
  test('a clip match: detected by automated means, partially automated, and decision_facts names the clip and how much matched; a decision without a match is byte for byte as before', async () => {
    await p.importPack('pk-m', ['m-000', 'm-001'].map((id) => ({ id, overrides: reported(id) })))
    p.at('2025-09-01T08:00:00.000Z')
    const original = p.record(remove('m-000'))
    p.at('2025-09-01T08:05:00.000Z')
    const copy = p.record({
      ...remove('m-001'),
      matchedFrom: { source: 'clip', clipId: 'm-000', decisionId: original.id, queryMatchPercent: 92.5, comparedMatchPercent: 200 / 3, sameFile: false },
    })
    const { text, byPuid } = await statementsByPuid()

    // The statement main wrote before matches existed, key for key and byte for byte.
    expect(text).toContain(
      `{"decision_visibility":["DECISION_VISIBILITY_CONTENT_REMOVED"],"decision_ground":"DECISION_GROUND_INCOMPATIBLE_CONTENT",` +
        `"incompatible_content_ground":"live-safety: Urging arson or destruction of property","incompatible_content_explanation":"Calls to burn the market.",` +
        `"incompatible_content_illegal":"No","content_type":["CONTENT_TYPE_VIDEO"],"category":"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",` +
        `"category_specification":["KEYWORD_COORDINATED_HARM"],"account_type":"ACCOUNT_TYPE_PRIVATE","content_language":"ID",` +
        `"content_date":"2025-08-31","application_date":"2025-09-01",` +
        `"decision_facts":"Calls to burn the market.\\n\\nTime ranges in the clip:\\n- 0:01.000–0:02.000 call to burn",` +
        `"source_type":"SOURCE_ARTICLE_16","automated_detection":"No","automated_decision":"AUTOMATED_DECISION_NOT_AUTOMATED","puid":"${original.id}"}`,
    )

    const matched = byPuid.get(copy.id)!
    const plain = byPuid.get(original.id)!
    expect(matched.automated_detection).toBe('Yes')
    expect(matched.automated_decision).toBe('AUTOMATED_DECISION_PARTIALLY')
    expect(matched.decision_facts).toBe(
      `${plain.decision_facts}\n\nApplied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: clip m-000; ` +
        `92.5% of this clip's frames and 66.7% of the known footage's matched.`,
    )
    // Everything else is the decision's own, as without the match.
    const rest = (s: DsaStatement) => ({ ...s, decision_facts: undefined, automated_detection: undefined, automated_decision: undefined, puid: undefined })
    expect(rest(matched)).toEqual(rest(plain))
  })

  test('a hash list entry: the list, its version, the entry and its label (redacted like the rationale), and "same file"', async () => {
    await p.importPack('pk-h', [{ id: 'h-000', overrides: reported('h-000') }])
    const issuer = makeIssuerKey()
    const label = 'Re-live by @seller.h-000 of the Monas clash'
    await p.t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(issuer, [makeEntry('e1', { label })]), issuer) })
    const matchedFrom: MatchedFrom = {
      source: 'hashlist',
      listId: 'hl-jkt-riots',
      listSource: 'hashlist',
      listVersion: '2025-09-05T10:00:00.000Z',
      entryId: 'e1',
      label,
      queryMatchPercent: 100,
      comparedMatchPercent: 100,
      sameFile: true,
    }
    const d = p.record({ ...remove('h-000', 'Known riot footage.'), matchedFrom })
    const s = (await statementsByPuid()).byPuid.get(d.id)!
    expect(s.automated_detection).toBe('Yes')
    expect(s.automated_decision).toBe('AUTOMATED_DECISION_PARTIALLY')
    expect(s.decision_facts).toBe(
      'Known riot footage.\n\nTime ranges in the clip:\n- 0:01.000–0:02.000 call to burn\n\n' +
        'Applied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: hash list hl-jkt-riots ' +
        '(version 2025-09-05T10:00:00.000Z), entry e1 "Re-live by [redacted] of the Monas clash"; 100% of this clip\'s frames and 100% of the known footage\'s matched, the same file byte for byte.',
    )
    expect(s.decision_facts).not.toContain('seller.h-000')
  })

  test('the team\'s hashes are named as such', () => {
    const text = JSON.stringify({
      source: 'hashlist', list_id: 'team-hashes', list_source: 'team', list_version: '2026-11-30T08:00:00.000+07:00', entry_id: 'entry-0042',
      label: '', query_match_percent: 96.44, compared_match_percent: 100, same_file: false,
    })
    expect(matchNote({ id: 'd1', matched_from: text })).toBe(
      "Applied from a known-content match (perceptual hash), confirmed by a reviewer: matched known footage: the team's hash list team-hashes " +
        "(version 2026-11-30T08:00:00.000+07:00), entry entry-0042; 96.4% of this clip's frames and 100% of the known footage's matched.",
    )
  })

  test('a long rationale gives way to the match: decision_facts stays within 5,000 characters and ends with it', async () => {
    await p.importPack('pk-l', ['l-000', 'l-001'].map((id) => ({ id, overrides: reported(id) })))
    const original = p.record(remove('l-000'))
    const d = p.record({
      ...remove('l-001', 'x'.repeat(1000)),
      ranges: Array.from({ length: 50 }, (_, i) => ({ startMs: i * 100, endMs: i * 100 + 50, label: 'l'.repeat(100), note: `${'n'.repeat(40)}🔥` })),
      matchedFrom: { source: 'clip', clipId: 'l-000', decisionId: original.id, queryMatchPercent: 80, comparedMatchPercent: 75, sameFile: false },
    })
    const s = (await statementsByPuid()).byPuid.get(d.id)!
    expect([...s.decision_facts]).toHaveLength(LIMITS.facts)
    expect(s.decision_facts).toMatch(/…\n\nApplied from a known-content match \(perceptual hash\), confirmed by a reviewer: matched known footage: clip l-000; 80% of this clip's frames and 75% of the known footage's matched\.$/)
  })

  test('a stored matched_from that does not read back as a match record stops the export with the decision named', () => {
    for (const bad of ['{', 'null', '{"source":"clip","clip_id":"a"}', JSON.stringify({ source: 'clip', clip_id: 'a', decision_id: null, query_match_percent: 101, compared_match_percent: 1, same_file: false })]) {
      const err = (() => {
        try {
          storedMatchedFrom('dec-1', bad)
        } catch (e) {
          return e
        }
        return null
      })()
      expect(err).toBeInstanceOf(TinjauError)
      expect((err as Error).message).toMatch(/^decision dec-1: its stored matched_from is not a match record \(/)
    }
  })
})
