import { DEFAULT_PULL_PAGE, MAX_OUTCOME_PAGE, type OutcomeNotice, type OutcomesResponse } from '../../shared/sync-protocol'
import { rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { isoSql } from './assignments'
import { agreementKey } from './outcomes'

/**
 * What a device pulls of the outcomes (GET /v1/outcomes): the outcome_feed rows of its
 * reviewer after its cursor, each with the outcome it names and whether the reviewer's
 * decision in force agrees with it.
 *
 * The cursor is "txid:seq" of the last row sent. Rows are served in (txid, seq) order and
 * only from transactions that have ended before this read's snapshot began (txid below its
 * xmin): a feed row numbered earlier but committed later cannot be stepped over, because
 * its transaction is still below no snapshot's xmin until it ends.
 */

const CURSOR = /^(\d{1,20}):(\d{1,18})$/

function parseCursor(cursor: string | undefined): { txid: string; seq: string } | null {
  if (cursor === undefined || cursor === '') return null
  const m = CURSOR.exec(cursor)
  if (!m) {
    throw new ServerError('invalid_request', 'the outcomes cursor is "<txid>:<seq>" as an earlier page gave it', [{ path: 'query.cursor', message: 'not a cursor from an earlier page' }])
  }
  return { txid: m[1]!, seq: m[2]! }
}

interface FeedRow {
  txid: string
  seq: string
  clip_id: string
  pack_id: string
  outcome_id: string
  kind: OutcomeNotice['outcome']['kind']
  action: string | null
  categories: string[] | null
  rationale: string | null
  lead_id: string | null
  lead_name: string | null
  created_at: string
  your_decision_id: string | null
  your_action: string | null
  your_categories: string[] | null
}

export async function pullOutcomes(db: Db, reviewerId: string, cursor: string | undefined, limit = DEFAULT_PULL_PAGE): Promise<OutcomesResponse> {
  const after = parseCursor(cursor)
  const size = Math.max(1, Math.min(MAX_OUTCOME_PAGE, limit))
  const page = await rows<FeedRow>(
    db,
    sql`SELECT f.txid::text AS txid, f.seq::text AS seq, f.clip_id, o.pack_id, f.outcome_id, o.kind, o.action, o.categories, o.rationale,
               o.lead_id, l.name AS lead_name, ${isoSql(sql.raw('o.created_at'))} AS created_at,
               h.decision_id AS your_decision_id, h.action AS your_action, h.categories AS your_categories
          FROM outcome_feed f
          JOIN outcomes o ON o.id = f.outcome_id
          LEFT JOIN leads l ON l.id = o.lead_id
          LEFT JOIN decision_heads h ON h.clip_id = f.clip_id AND h.reviewer_id = f.reviewer_id
         WHERE f.reviewer_id = ${reviewerId}
           AND f.txid < pg_snapshot_xmin(pg_current_snapshot())
           ${after ? sql`AND (f.txid, f.seq) > (${after.txid}::xid8, ${after.seq}::bigint)` : sql``}
         ORDER BY f.txid, f.seq LIMIT ${size + 1}`,
  )
  const more = page.length > size
  if (more) page.length = size
  const last = page.at(-1)
  return {
    reviewer_id: reviewerId,
    outcomes: page.map((r) => ({
      clip_id: r.clip_id,
      pack_id: r.pack_id,
      outcome: {
        id: r.outcome_id,
        kind: r.kind,
        action: r.action,
        categories: r.categories,
        rationale: r.rationale,
        lead: r.lead_id ? { id: r.lead_id, name: r.lead_name ?? r.lead_id } : null,
        created_at: r.created_at,
      },
      your_decision_id: r.your_decision_id,
      upheld:
        r.action === null || r.your_action === null
          ? null
          : agreementKey({ action: r.your_action, categories: r.your_categories ?? [] }) === agreementKey({ action: r.action, categories: r.categories ?? [] }),
    })),
    cursor: last ? `${last.txid}:${last.seq}` : (cursor ?? ''),
    more,
  }
}

/** What a device says of itself, kept for the lead's progress view (the latest only). */
export async function recordDeviceStatus(db: Db, deviceId: string, status: { decided_by_pack: Record<string, number>; unsent: number }): Promise<void> {
  await db.execute(sql`UPDATE devices SET status = ${JSON.stringify({ ...status, reported_at: new Date().toISOString() })}::jsonb WHERE id = ${deviceId}`)
}

/** A device pulled: the lead's view shows when each device last synced. */
export async function touchDeviceSync(db: Db, deviceId: string): Promise<void> {
  await db.execute(sql`UPDATE devices SET last_sync_at = now() WHERE id = ${deviceId}`)
}
