import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { CSV_COLUMNS, writeDecisionsCsv } from './index'
import { parseRfc4180 } from './test-csv'
import { openExportProfile, type TestProfile } from './test-profile'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../hash-lists/testing/make-hash-list'

const NO_MATCH = Object.fromEntries(CSV_COLUMNS.filter((c) => c.startsWith('matched_')).map((c) => [c, '']))

let p: TestProfile
beforeEach(() => {
  p = openExportProfile()
})
afterEach(() => p.close())

const NASTY = 'first line, with "quotes"\nsecond line\r\nthird; and a lone \r carriage return, ünïcode and 🔥'

describe('CSV export', () => {
  test('one row per decision, revisions included, with a header, BOM and RFC 4180 quoting that reads back exactly', async () => {
    await p.importPack('pk-c', [{ id: 'c-1' }, { id: 'c-2' }])
    p.at('2025-09-01T08:00:00.000Z')
    const first = p.record({ clipId: 'c-1', categories: ['violence.arson', 'public_safety.provocation'], action: 'remove', rationale: NASTY, ranges: [{ startMs: 1, endMs: 2, label: 'a, "b"', note: NASTY }] })
    p.at('2025-09-02T08:00:00.000Z')
    const second = p.record({ clipId: 'c-1', categories: ['violence.arson'], action: 'limit', rationale: 'limit instead', revisesId: first.id })
    const third = p.record({ clipId: 'c-2', categories: ['ok.commerce'], action: 'allow' })

    const file = path.join(p.scratch(), 'out.csv')
    const result = await writeDecisionsCsv(p.source, file)
    expect(result.rows).toBe(3)
    const bytes = readFileSync(file)
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const records = parseRfc4180(bytes.subarray(3).toString('utf8'))
    expect(records[0]).toEqual([...CSV_COLUMNS])
    expect(records).toHaveLength(4)
    const rows = records.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])))
    expect(rows.map((r) => [r.decision_id, r.revises_id])).toEqual([
      [first.id, ''],
      [second.id, first.id],
      [third.id, ''],
    ])
    expect(rows[0]).toEqual({
      decision_id: first.id,
      revises_id: '',
      clip_id: 'c-1',
      pack_id: 'pk-c',
      decided_at: '2025-09-01T08:00:00.000Z',
      reviewer_id: p.t.identity.reviewerId,
      device_id: p.t.identity.deviceId,
      policy_id: 'live-safety',
      policy_version: '2025.09',
      action: 'remove',
      escalation_target: '',
      categories: 'violence.arson;public_safety.provocation',
      rationale: NASTY,
      range_count: '1',
      ranges: JSON.stringify([{ start_ms: 1, end_ms: 2, label: 'a, "b"', note: NASTY }]),
      ...NO_MATCH,
    })
    expect(rows[2]!.rationale).toBe('')
  })

  test('a cell that a spreadsheet would run as a formula is shown as text', async () => {
    await p.importPack('pk-f', [{ id: 'f-1' }])
    p.record({ clipId: 'f-1', categories: ['hate'], action: 'remove', rationale: '=HYPERLINK("http://x","y")' })
    const file = path.join(p.scratch(), 'f.csv')
    await writeDecisionsCsv(p.source, file)
    const [, row] = parseRfc4180(readFileSync(file, 'utf8').slice(1))
    expect(row![CSV_COLUMNS.indexOf('rationale')]).toBe(`'=HYPERLINK("http://x","y")`)
  })

  test('the same selection as the other exports: a pack, a time range', async () => {
    await p.importPack('pk-a', [{ id: 'a-1' }])
    await p.importPack('pk-b', [{ id: 'b-1' }])
    p.at('2025-09-01T08:00:00.000Z')
    p.record({ clipId: 'a-1', categories: ['hate'], action: 'remove', rationale: 'x' })
    p.at('2025-09-03T08:00:00.000Z')
    const b = p.record({ clipId: 'b-1', categories: ['hate'], action: 'remove', rationale: 'x' })
    const ids = async (opts: Parameters<typeof writeDecisionsCsv>[2]) => {
      const file = path.join(p.scratch(), 'sel.csv')
      await writeDecisionsCsv(p.source, file, opts)
      return parseRfc4180(readFileSync(file, 'utf8').slice(1)).slice(1).map((r) => r[0])
    }
    expect(await ids({ packId: 'pk-b' })).toEqual([b.id])
    expect(await ids({ from: '2025-09-02' })).toEqual([b.id])
  })

  test('the match a decision was applied from: its source, the clip or the list entry, and the percentages; empty cells without one', async () => {
    await p.importPack('pk-m', [{ id: 'm-1' }, { id: 'm-2' }, { id: 'm-3' }])
    const issuer = makeIssuerKey()
    await p.t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(issuer, [makeEntry('e1', { label: '=Re-live, "Monas"' })]), issuer) })
    p.at('2025-09-01T08:00:00.000Z')
    const original = p.record({ clipId: 'm-1', categories: ['violence.arson'], action: 'remove', rationale: 'x' })
    p.at('2025-09-01T08:01:00.000Z')
    const fromClip = p.record({
      clipId: 'm-2', categories: ['violence.arson'], action: 'remove', rationale: 'x',
      matchedFrom: { source: 'clip', clipId: 'm-1', decisionId: original.id, queryMatchPercent: 92.5, comparedMatchPercent: 200 / 3, sameFile: false },
    })
    p.at('2025-09-01T08:02:00.000Z')
    const fromList = p.record({
      clipId: 'm-3', categories: ['violence.arson'], action: 'remove', rationale: 'x',
      matchedFrom: {
        source: 'hashlist', listId: 'hl-jkt-riots', listSource: 'hashlist', listVersion: '2025-09-05T10:00:00.000Z', entryId: 'e1',
        label: '=Re-live, "Monas"', queryMatchPercent: 100, comparedMatchPercent: 100, sameFile: true,
      },
    })
    const file = path.join(p.scratch(), 'm.csv')
    await writeDecisionsCsv(p.source, file)
    const records = parseRfc4180(readFileSync(file, 'utf8').slice(1))
    const match = (r: string[]) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]).filter(([c]) => c!.startsWith('matched_')))
    expect(records.slice(1).map((r) => r[0])).toEqual([original.id, fromClip.id, fromList.id])
    expect(match(records[1]!)).toEqual(NO_MATCH)
    expect(match(records[2]!)).toEqual({
      ...NO_MATCH,
      matched_source: 'clip',
      matched_clip_id: 'm-1',
      matched_decision_id: original.id,
      matched_query_percent: '92.5',
      matched_compared_percent: String(200 / 3),
      matched_same_file: 'false',
    })
    expect(match(records[3]!)).toEqual({
      ...NO_MATCH,
      matched_source: 'hashlist',
      matched_list_id: 'hl-jkt-riots',
      matched_list_source: 'hashlist',
      matched_list_version: '2025-09-05T10:00:00.000Z',
      matched_entry_id: 'e1',
      // A list's label is text from outside: quoted as any cell, and never run as a formula.
      matched_label: `'=Re-live, "Monas"`,
      matched_query_percent: '100',
      matched_compared_percent: '100',
      matched_same_file: 'true',
    })
  })
})
