import { describe, expect, it } from 'vitest'
import type { DsaStatement } from '../../shared/dsa-statement'
import { StatementEncoder, StatementFiles } from './statement-files'

/** Statements with text of every width UTF-8 has (ASCII, "–", "…", CJK, an emoji's surrogate pair). */
function statement(i: number): DsaStatement {
  return {
    decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
    decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
    incompatible_content_ground: `live-safety: Incitement ${i}`,
    incompatible_content_explanation: `Seen at 0:${i % 60} – “bakar” … 市場 🔥 ${'x'.repeat(i % 7)}`,
    category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
    content_type: ['CONTENT_TYPE_VIDEO'],
    content_date: '2026-12-01',
    application_date: '2026-12-02',
    decision_facts: `facts ${i}`,
    source_type: 'SOURCE_VOLUNTARY',
    automated_detection: 'No',
    automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    puid: `puid-${i}`,
  } as DsaStatement
}

/** What a run's files must be: JSON.stringify of each 100 statements, and a newline. */
function expected(list: DsaStatement[]): string[] {
  const out: string[] = []
  for (let i = 0; i < list.length; i += 100) out.push(`${JSON.stringify({ statements: list.slice(i, i + 100) })}\n`)
  return out
}

describe('statement files', () => {
  it('cuts files of 100 statements from chunks of any size, byte for byte as JSON.stringify makes them', () => {
    const list = Array.from({ length: 457 }, (_, i) => statement(i))
    // Chunks of 0 to 130 statements, so files start and end inside chunks and across them.
    for (const sizes of [[457], [100, 100, 100, 100, 57], [1, 99, 0, 130, 3, 97, 127], Array.from({ length: 457 }, () => 1)]) {
      const encoder = new StatementEncoder()
      const files = new StatementFiles()
      const bodies: Buffer[] = []
      let at = 0
      for (const n of sizes) {
        for (const s of list.slice(at, at + n)) encoder.add(s)
        at += n
        const chunk = encoder.take()
        expect(chunk.ends).toHaveLength(n)
        bodies.push(...files.add(chunk))
      }
      bodies.push(...files.finish())
      expect(bodies.map((b) => b.toString('utf8'))).toEqual(expected(list))
    }
  })

  it('makes no file of no statements, and grows its buffer for a statement larger than it', () => {
    const files = new StatementFiles()
    const encoder = new StatementEncoder()
    expect(files.add(encoder.take())).toEqual([])
    expect(files.finish()).toEqual([])
    const big = { ...statement(1), decision_facts: '…'.repeat(700_000) }
    encoder.add(statement(0))
    encoder.add(big)
    files.add(encoder.take())
    expect(files.finish().map((b) => b.toString('utf8'))).toEqual(expected([statement(0), big]))
  })
})
