import type Database from 'better-sqlite3'
import { z } from 'zod'
import type { ClipOutcome } from '../../shared/domain'
import { OutcomesResponse, SYNC_PATHS, type OutcomeNotice } from '../../shared/sync-protocol'
import { getSetting, setSetting } from '../settings'
import { SyncRequestError, type SyncHttp } from './http'

/**
 * The organisation's outcomes of the clips this reviewer decided (GET /v1/outcomes), kept
 * in the profile's clip_outcomes table so the clip's history shows them offline and after a
 * restart. The reviewer's own decisions are never touched: an outcome sits beside them.
 */

const CURSOR_KEY = 'sync.outcomes_cursor'
const PAGE = 1000
/** A run stops paging after this many pages; the next run goes on from the cursor. */
const MAX_PAGES = 100

export function clearOutcomes(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM clip_outcomes').run()
  sqlite.prepare('DELETE FROM settings WHERE key = ?').run(CURSOR_KEY)
}

export function storeOutcomes(sqlite: Database.Database, list: readonly OutcomeNotice[], cursor: string, receivedAt: string): void {
  const upsert = sqlite.prepare(`INSERT INTO clip_outcomes (clip_id, outcome_id, kind, action, categories, rationale, lead_name, upheld, your_decision_id, settled_at, received_at)
    VALUES (@clip_id, @outcome_id, @kind, @action, @categories, @rationale, @lead_name, @upheld, @your_decision_id, @settled_at, @received_at)
    ON CONFLICT (clip_id) DO UPDATE SET outcome_id = excluded.outcome_id, kind = excluded.kind, action = excluded.action, categories = excluded.categories,
      rationale = excluded.rationale, lead_name = excluded.lead_name, upheld = excluded.upheld, your_decision_id = excluded.your_decision_id,
      settled_at = excluded.settled_at, received_at = excluded.received_at`)
  sqlite.transaction(() => {
    // Oldest first: the last row of a clip is its outcome in force.
    for (const n of list) {
      upsert.run({
        clip_id: n.clip_id,
        outcome_id: n.outcome.id,
        kind: n.outcome.kind,
        action: n.outcome.action,
        categories: n.outcome.categories === null ? null : JSON.stringify(n.outcome.categories),
        rationale: n.outcome.rationale,
        lead_name: n.outcome.lead?.name ?? null,
        upheld: n.upheld === null ? null : n.upheld ? 1 : 0,
        your_decision_id: n.your_decision_id,
        settled_at: n.outcome.created_at,
        received_at: receivedAt,
      })
    }
    setSetting(sqlite, CURSOR_KEY, cursor)
  })()
}

interface Row {
  kind: string
  action: string | null
  categories: string | null
  rationale: string | null
  lead_name: string | null
  upheld: number | null
  your_decision_id: string | null
  settled_at: string
}

const Categories = z.array(z.string())

export function outcomeOfClip(sqlite: Database.Database, clipId: string): ClipOutcome | null {
  const r = sqlite.prepare('SELECT kind, action, categories, rationale, lead_name, upheld, your_decision_id, settled_at FROM clip_outcomes WHERE clip_id = ?').get(clipId) as Row | undefined
  if (!r) return null
  let categories: string[] = []
  try {
    categories = r.categories === null ? [] : Categories.parse(JSON.parse(r.categories))
  } catch {
    categories = []
  }
  return {
    kind: r.kind as ClipOutcome['kind'],
    action: r.action,
    categories,
    rationale: r.rationale,
    leadName: r.lead_name,
    upheld: r.upheld === null ? null : r.upheld === 1,
    yourDecisionId: r.your_decision_id,
    settledAt: r.settled_at,
  }
}

/** Pull every outcome page after the stored cursor, storing each page as it comes. Returns how many rows came. */
export async function pullOutcomes(opts: {
  http: SyncHttp
  sqlite: Database.Database
  reviewerId: string
  now: () => Date
  signal: AbortSignal | undefined
  retry: <T>(what: string, attempt: () => Promise<T>) => Promise<T>
  locked: <T>(fn: () => T) => Promise<T>
}): Promise<number> {
  const what = 'pull of outcomes'
  let received = 0
  for (let page = 0; page < MAX_PAGES; page++) {
    const cursor = getSetting(opts.sqlite, CURSOR_KEY) ?? ''
    const res = await opts.retry(what, () =>
      opts.http.json({ what, method: 'GET', path: SYNC_PATHS.outcomes, query: { cursor: cursor || undefined, limit: PAGE }, schema: OutcomesResponse, signal: opts.signal }),
    )
    if (res.reviewer_id !== opts.reviewerId) {
      throw new SyncRequestError(what, 'invalid_response', `the server sent the outcomes of reviewer ${res.reviewer_id}, not of ${opts.reviewerId}`, false)
    }
    await opts.locked(() => storeOutcomes(opts.sqlite, res.outcomes, res.cursor, opts.now().toISOString()))
    received += res.outcomes.length
    if (!res.more) break
  }
  return received
}

/** What the lead's progress view shows of this device: clips decided per pack, decisions not yet acknowledged. */
export function deviceStatus(sqlite: Database.Database, reviewerId: string): { decided_by_pack: Record<string, number>; unsent: number } {
  const byPack = sqlite
    .prepare('SELECT c.pack_id AS pack_id, count(DISTINCT d.clip_id) AS n FROM decisions d JOIN clips c ON c.id = d.clip_id WHERE d.reviewer_id = ? GROUP BY c.pack_id LIMIT 1000')
    .all(reviewerId) as { pack_id: string; n: number }[]
  const unsent = sqlite.prepare('SELECT count(*) FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL').pluck().get() as number
  return { decided_by_pack: Object.fromEntries(byPack.map((r) => [r.pack_id, r.n])), unsent }
}
