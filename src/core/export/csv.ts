import { stringify } from 'csv-stringify/sync'
import { writeAtomically } from './out-file'
import { resolveSelection, selectWithChains, type ExportRow, type ExportSelection, type NormalizedSelection } from './selection'
import type { ExportSource } from './source'
import { storedMatchedFrom } from './stored-match'

/**
 * Decisions as CSV for spreadsheets (RFC 4180: comma-separated, CRLF between records,
 * fields with a comma, quote or line break quoted), one row per decision, revisions
 * included (with whole chains, like the decision pack). UTF-8 with a byte order mark, so
 * Excel reads Indonesian text right; and a cell that starts like a formula (= + - @) gets
 * a leading ' so a spreadsheet shows it instead of running it. The decision pack, not
 * this, is the lossless format.
 */

export const CSV_COLUMNS = [
  'decision_id',
  'revises_id',
  'clip_id',
  'pack_id',
  'decided_at',
  'reviewer_id',
  'device_id',
  'policy_id',
  'policy_version',
  'action',
  'escalation_target',
  /** Category ids separated by ";". */
  'categories',
  'rationale',
  'range_count',
  /** The time ranges as JSON: [{"start_ms","end_ms","label","note"}]. */
  'ranges',
  // The known-content match the decision was applied from (issue 14), empty when decided
  // from scratch. Last, so the columns before keep their places for readers that count them.
  /** `clip` or `hashlist`. */
  'matched_source',
  /** source clip: the other clip and its decision in force then (empty when only an outcome was). */
  'matched_clip_id',
  'matched_decision_id',
  /** source hashlist: the list, where it came from (`hashlist` imported, `team` from the service), its version, the entry and its label. */
  'matched_list_id',
  'matched_list_source',
  'matched_list_version',
  'matched_entry_id',
  'matched_label',
  /** vPDQ's query and compared match percentages: of this clip's frames, of the other's. */
  'matched_query_percent',
  'matched_compared_percent',
  /** `true` when the media file is the same byte for byte, else `false`. */
  'matched_same_file',
] as const

const OPTIONS = { record_delimiter: 'windows', quote_record_delimiter: true, escape_formulas: true } as const
/** Rows per stringify call. */
const BATCH = 2_000

interface StoredRange {
  startMs: number
  endMs: number
  label?: string
  note?: string
}

function record(r: ExportRow): (string | number)[] {
  const ranges = JSON.parse(r.ranges) as StoredRange[]
  return [
    r.id,
    r.revises_id ?? '',
    r.clip_id,
    r.pack_id,
    r.decided_at,
    r.reviewer_id,
    r.device_id,
    r.policy_id,
    r.policy_version,
    r.action,
    r.escalation_target ?? '',
    (JSON.parse(r.categories) as string[]).join(';'),
    r.rationale,
    ranges.length,
    JSON.stringify(ranges.map((x) => ({ start_ms: x.startMs, end_ms: x.endMs, label: x.label ?? '', note: x.note ?? '' }))),
    ...matchCells(r),
  ]
}

const NO_MATCH = ['', '', '', '', '', '', '', '', '', '', ''] as const

/** The matched_* cells (see CSV_COLUMNS). */
function matchCells(r: ExportRow): readonly (string | number)[] {
  if (r.matched_from === null) return NO_MATCH
  const m = storedMatchedFrom(r.id, r.matched_from)
  const shares = [m.query_match_percent, m.compared_match_percent, String(m.same_file)] as const
  if (m.source === 'clip') return [m.source, m.clip_id, m.decision_id ?? '', '', '', '', '', '', ...shares]
  return [m.source, '', '', m.list_id, m.list_source, m.list_version, m.entry_id, m.label, ...shares]
}

export interface CsvExportResult {
  file: string
  rows: number
  selection: NormalizedSelection
}

/** The CSV text of a selection, in pieces (header first). */
export function buildDecisionsCsv(source: ExportSource, sel: NormalizedSelection): { pieces: string[]; rows: number } {
  const pieces = [stringify([[...CSV_COLUMNS]], { ...OPTIONS, bom: true })]
  let batch: (string | number)[][] = []
  let rows = 0
  for (const row of selectWithChains(source.sqlite, sel)) {
    batch.push(record(row))
    rows++
    if (batch.length === BATCH) {
      pieces.push(stringify(batch, OPTIONS))
      batch = []
    }
  }
  if (batch.length > 0) pieces.push(stringify(batch, OPTIONS))
  return { pieces, rows }
}

export async function writeDecisionsCsv(source: ExportSource, outFile: string, opts: ExportSelection & { overwrite?: boolean } = {}): Promise<CsvExportResult> {
  const sel = resolveSelection(source.sqlite, opts)
  // Read whole before the first write: an await while the rows stream would hold the
  // profile's one connection busy for every other call meanwhile.
  const { pieces, rows } = buildDecisionsCsv(source, sel)
  const file = await writeAtomically(outFile, opts.overwrite ?? false, async (fh) => {
    for (const piece of pieces) await fh.write(piece)
  })
  return { file, rows, selection: sel }
}
