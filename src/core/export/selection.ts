import type Database from 'better-sqlite3'
import { TinjauError } from '../../shared/errors'

/**
 * Which decisions an export holds: those decided in [from, to) and/or on the clips of one
 * pack. Every export reads the store through here, so the decision pack, the CSV and the
 * DSA statements of one selection always agree.
 */

export interface ExportSelection {
  /** Inclusive; an RFC 3339 time or a YYYY-MM-DD day (00:00 UTC). */
  from?: string | undefined
  /** Exclusive; same forms as `from`. */
  to?: string | undefined
  packId?: string | undefined
}

/** The selection as stored times (`toISOString()`, which is how decided_at is written) or null. */
export interface NormalizedSelection {
  from: string | null
  to: string | null
  packId: string | null
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Date.parse takes 2025-02-30 for 2 March; a typo in a bound should be an error instead. */
function realDay(text: string): boolean {
  const [y = 0, m = 0, d = 0] = text.slice(0, 10).split('-').map(Number)
  const day = new Date(Date.UTC(y, m - 1, d))
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d
}

function normalizeTime(name: 'from' | 'to', value: string | undefined): string | null {
  if (value === undefined) return null
  const text = value.trim().replace(' ', 'T')
  const ms = (RFC3339.test(text) || DAY.test(text)) && realDay(text) ? Date.parse(DAY.test(text) ? `${text}T00:00:00Z` : text) : NaN
  if (!Number.isFinite(ms)) {
    throw new TinjauError('invalid_input', `${name}: "${value}" is not a time with a zone (2025-09-04T08:00:00Z) or a day (2025-09-04)`, [
      { path: name, message: 'not an RFC 3339 time or a YYYY-MM-DD day' },
    ])
  }
  return new Date(ms).toISOString()
}

/** The selection checked (times parse, from before to, the pack exists) and normalized. */
export function resolveSelection(sqlite: Database.Database, sel: ExportSelection): NormalizedSelection {
  const from = normalizeTime('from', sel.from)
  const to = normalizeTime('to', sel.to)
  if (from !== null && to !== null && from >= to) {
    throw new TinjauError('invalid_input', `from (${from}) must be before to (${to})`, [{ path: 'to', message: 'not after from' }])
  }
  const packId = sel.packId === undefined || sel.packId === '' ? null : sel.packId
  if (packId !== null && sqlite.prepare('SELECT 1 FROM packs WHERE id = ?').get(packId) === undefined) {
    throw new TinjauError('not_found', `no pack with id "${packId}" was imported`, [{ path: 'packId', message: 'unknown pack' }])
  }
  return { from, to, packId }
}

/** A decision row as exports read it: the decisions columns plus the clip's pack. */
export interface ExportRow {
  id: string
  clip_id: string
  pack_id: string
  revises_id: string | null
  policy_id: string
  policy_version: string
  /** JSON text, as stored. */
  categories: string
  action: string
  escalation_target: string | null
  /** JSON text, as stored. */
  ranges: string
  rationale: string
  reviewer_id: string
  device_id: string
  decided_at: string
  /** JSON text of shared/matched-from.ts PackedMatchedFrom, as stored; null when decided from scratch. */
  matched_from: string | null
}

const COLUMNS = `d.id, d.clip_id, c.pack_id, d.revises_id, d.policy_id, d.policy_version, d.categories, d.action,
  d.escalation_target, d.ranges, d.rationale, d.reviewer_id, d.device_id, d.decided_at, d.matched_from`
const MATCHES = `(@from IS NULL OR d.decided_at >= @from) AND (@to IS NULL OR d.decided_at < @to) AND (@packId IS NULL OR c.pack_id = @packId)`

/**
 * SQL for `columns` (of `decisions d JOIN clips c`) of the selected decisions with their
 * whole revision chains (a chain that has any decision in the selection comes whole, so
 * every `revises_id` names a decision in the same export), oldest first. Bind `selectionParams`.
 */
export function withChainsSql(sel: NormalizedSelection, columns: string): string {
  if (sel.from === null && sel.to === null && sel.packId === null) {
    return `SELECT ${columns} FROM decisions d JOIN clips c ON c.id = d.clip_id ORDER BY d.decided_at, d.id`
  }
  // Up from each selected decision to the root of its chain, then down from the roots.
  return `WITH RECURSIVE
    picked(id) AS (SELECT d.id FROM decisions d JOIN clips c ON c.id = d.clip_id WHERE ${MATCHES}),
    up(id, revises_id) AS (
      SELECT d.id, d.revises_id FROM decisions d WHERE d.id IN (SELECT id FROM picked)
      UNION SELECT d.id, d.revises_id FROM decisions d JOIN up ON d.id = up.revises_id),
    chain(id) AS (
      SELECT id FROM up WHERE revises_id IS NULL
      UNION SELECT d.id FROM decisions d JOIN chain ON d.revises_id = chain.id)
    SELECT ${columns} FROM decisions d JOIN clips c ON c.id = d.clip_id
    WHERE d.id IN (SELECT id FROM chain) ORDER BY d.decided_at, d.id`
}

/** The parameters of `withChainsSql` (none when nothing filters: SQLite refuses unused ones). */
export function selectionParams(sel: NormalizedSelection): [] | [NormalizedSelection] {
  return sel.from === null && sel.to === null && sel.packId === null ? [] : [sel]
}

/** The selected decisions with whole chains (see withChainsSql), streamed: 100,000 never sit in memory at once. */
export function selectWithChains(sqlite: Database.Database, sel: NormalizedSelection): IterableIterator<ExportRow> {
  return sqlite.prepare(withChainsSql(sel, COLUMNS)).iterate(...selectionParams(sel)) as IterableIterator<ExportRow>
}

/** An in-force decision with where its clip's JSON is (see ClipJsonRef in source.ts). */
export interface InForceRow extends ExportRow {
  manifest_sha256: string | null
  json_offset: number | null
  json_length: number | null
  raw_json: string
}

/**
 * Of each chain in the selection, the decision in force at the end of it (at `to`, or now
 * when there is no `to`): the latest selected decision that no decision made before `to`
 * revises. Earlier decisions of a chain were superseded and are not reported on their own.
 */
export function selectInForce(sqlite: Database.Database, sel: NormalizedSelection): IterableIterator<InForceRow> {
  const sql = `SELECT ${COLUMNS}, c.manifest_sha256, c.json_offset, c.json_length, c.raw_json
    FROM decisions d JOIN clips c ON c.id = d.clip_id
    WHERE ${MATCHES}
      AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id AND (@to IS NULL OR r.decided_at < @to))
    ORDER BY d.decided_at, d.id`
  return sqlite.prepare(sql).iterate(sel) as IterableIterator<InForceRow>
}
