import type { PackedDecision } from '../../shared/decision-pack-format'
import { orderedPackedMatchedFrom, type PackedMatchedFrom } from '../../shared/matched-from'
import type { DecisionRejection, PushResult } from '../../shared/sync-protocol'
import { one, rows, sql, type Db } from '../db/open'
import { lockedTransaction } from '../db/locked-transaction'
import { prepared } from '../db/prepared'
import { clipLocksQuery } from './adjudications'
import { deriveClips } from './derive-clips'
import { headWrites } from './outcomes'
import { readPushChecks } from './push-checks'

/**
 * Storing a batch of decisions: a push, or the decisions of an uploaded decision pack.
 *
 * Idempotent: a decision's id is made on the device, so the same decision again (a retry
 * after a lost answer) is `duplicate`, and the same id with other content is refused.
 * One transaction per batch, holding a per-reviewer advisory lock, so a reviewer's pushes
 * (from any instance of the service) are checked and written one after another, and the
 * checks read what earlier pushes wrote. Rows go in with multi-row statements (one JSON
 * parameter each), `ON CONFLICT DO NOTHING`, and are read back.
 *
 * The batch's signed bytes are stored with it and every stored decision points at them.
 */

export interface Submitter {
  reviewerId: string
  /** The device whose key signed the batch. */
  deviceId: string
  publicKey: string
}

export interface SignedBatch {
  kind: 'push' | 'decision_pack'
  /** The push's batch_id, or the decision pack's created_at: for tracing only. */
  ref: string
  body: Buffer
  signature: Buffer
}

const REVIEWER_LOCKS = 72_616_011

/** The decision as one string with a fixed key order: equal strings mean the same decision. */
export function canonicalDecision(d: PackedDecision): string {
  return JSON.stringify([
    d.id,
    d.clip_id,
    d.pack_id,
    d.revises_id,
    d.decided_at,
    d.reviewer_id,
    d.device_id,
    d.policy_id,
    d.policy_version,
    d.categories,
    d.action,
    d.escalation_target,
    d.ranges.map((r) => [r.start_ms, r.end_ms, r.label, r.note]),
    d.rationale,
    // jsonb keeps no key order: a fixed one here. Absent and null are the same (no match).
    canonicalMatch(d.matched_from),
  ])
}

function canonicalMatch(m: PackedMatchedFrom | null | undefined): unknown[] | null {
  if (!m) return null
  // The values in the documented order of the match's variant (shared/matched-from.ts).
  return Object.values(orderedPackedMatchedFrom(m))
}

/** Columns of a stored decision, in PackedDecision's shape. */
export const DECISION_COLUMNS = sql`id, clip_id, pack_id, revises_id, decided_at, reviewer_id, device_id, policy_id, policy_version,
  categories, action, escalation_target, ranges, rationale, matched_from`

/** A stored row: `matched_from` is a column, so null where the decision has none. */
export type StoredPacked = Omit<PackedDecision, 'matched_from'> & { matched_from: PackedMatchedFrom | null }

export function packedFromRow(r: StoredPacked): PackedDecision {
  const m = r.matched_from
  return {
    id: r.id,
    clip_id: r.clip_id,
    pack_id: r.pack_id,
    revises_id: r.revises_id,
    decided_at: r.decided_at,
    reviewer_id: r.reviewer_id,
    device_id: r.device_id,
    policy_id: r.policy_id,
    policy_version: r.policy_version,
    categories: r.categories,
    action: r.action,
    escalation_target: r.escalation_target,
    ranges: r.ranges.map((x) => ({ start_ms: x.start_ms, end_ms: x.end_ms, label: x.label, note: x.note })),
    rationale: r.rationale,
    // As the pack writes it: the key only when there is a match, its fields in the documented order.
    ...(m ? { matched_from: orderedPackedMatchedFrom(m) } : {}),
  }
}

class LostRace extends Error {}

export async function storeDecisions(db: Db, who: Submitter, decisions: readonly PackedDecision[], batch: SignedBatch): Promise<PushResult[]> {
  try {
    return await storeOnce(db, who, decisions, batch)
  } catch (err) {
    // Another reviewer's push stored one of these ids between our reads and our insert
    // (only possible across reviewers): once more, and the reads see it.
    if (err instanceof LostRace) return storeOnce(db, who, decisions, batch)
    throw err
  }
}

async function storeOnce(db: Db, who: Submitter, decisions: readonly PackedDecision[], batch: SignedBatch): Promise<PushResult[]> {
  return lockedTransaction(db, { space: REVIEWER_LOCKS, key: who.reviewerId }, async (tx) => {
    const checks = await readPushChecks(tx, who.reviewerId, {
      ids: [...new Set(decisions.map((d) => d.id))],
      clipIds: [...new Set(decisions.map((d) => d.clip_id))],
      revisesIds: [...new Set(decisions.flatMap((d) => (d.revises_id === null ? [] : [d.revises_id])))],
    })
    const stored = new Map([...checks.stored.values()].map((r) => [r.id, canonicalDecision(packedFromRow(r))]))

    const results: PushResult[] = []
    const seen = new Map<string, string>()
    const accepted = new Map<string, PackedDecision>()
    const revised = new Set<string>()
    const reject = (d: PackedDecision, rejection: DecisionRejection, message: string) => results.push({ id: d.id, outcome: 'rejected', rejection, message })
    for (const d of decisions) {
      const canonical = canonicalDecision(d)
      if (d.reviewer_id !== who.reviewerId) {
        reject(d, 'not_own_decision', `decision ${d.id} is by reviewer "${d.reviewer_id}", not by "${who.reviewerId}"`)
        continue
      }
      if (!checks.deviceIds.has(d.device_id)) {
        reject(d, 'unknown_device', `device_id "${d.device_id}" is not a device of reviewer "${who.reviewerId}"`)
        continue
      }
      const same = seen.get(d.id) ?? stored.get(d.id)
      if (same !== undefined) {
        if (same === canonical) results.push({ id: d.id, outcome: 'duplicate' })
        else reject(d, 'id_conflict', `a different decision with id ${d.id} is stored already`)
        continue
      }
      if (!checks.assigned.has(d.clip_id)) {
        reject(d, 'not_assigned', `clip "${d.clip_id}" is not assigned to reviewer "${who.reviewerId}"`)
        continue
      }
      if (d.revises_id !== null) {
        const inBatch = accepted.get(d.revises_id)
        const target = inBatch ? { reviewer_id: inBatch.reviewer_id, clip_id: inBatch.clip_id, revised: false } : checks.targets.get(d.revises_id)
        const problem = !target
          ? 'which the server does not hold (push the decision it revises first)'
          : target.reviewer_id !== who.reviewerId
            ? "which is another reviewer's decision"
            : target.clip_id !== d.clip_id
              ? 'which is a decision on another clip'
              : target.revised || revised.has(d.revises_id)
                ? 'which has been revised already (a decision is revised at most once)'
                : null
        if (problem) {
          reject(d, 'bad_revision', `decision ${d.id} revises ${d.revises_id}, ${problem}`)
          continue
        }
        revised.add(d.revises_id)
      }
      seen.set(d.id, canonical)
      accepted.set(d.id, d)
      results.push({ id: d.id, outcome: 'stored' })
    }

    // Clips whose adjudication this push recomputes answer from that; the others from the read above.
    let open = checks.openClips
    if (accepted.size > 0) {
      const insert = [...accepted.values()]
      const decidedClips = [...new Set(insert.map((d) => d.clip_id))]
      const { stored: count, firsts } = await insertBatch(tx, who, batch, insert, decidedClips)
      if (count !== insert.length) throw new LostRace()
      // Under the same clip locks, from the heads just refreshed: outcomes, adjudications and the agreement report's pairs.
      const decidedOpen = await deriveClips(tx, decidedClips, firsts)
      const decided = new Set(decidedClips)
      open = new Set([...[...checks.openClips].filter((c) => !decided.has(c)), ...decidedOpen])
    }
    decisions.forEach((d, i) => {
      if (results[i]!.outcome !== 'rejected' && open.has(d.clip_id)) results[i]!.adjudication = true
    })
    return results
  })
}

/**
 * The signed batch and its accepted decisions, the reviewer's decision heads on their clips,
 * then the locks on the clips, in one statement; returns how many decisions went in (fewer:
 * another reviewer's push stored one of these ids first) and the (clip, reviewer) pairs whose
 * first decision this is. The heads are the reviewer's own, which only pushes under the
 * reviewer's lock change; the statement cannot see the decisions it inserts, so they are
 * taken from the batch itself (headWrites). The next statements, which read the clips' other
 * decisions and heads, start after the locks are held, so they see every push on these clips
 * that went before.
 */
async function insertBatch(
  tx: Db,
  who: Submitter,
  batch: SignedBatch,
  insert: PackedDecision[],
  clipIds: string[],
): Promise<{ stored: number; firsts: { clip_id: string; reviewer_id: string }[] }> {
  // Bytes go in as hex text: PGlite turns a 1 MB binary parameter into SQL ten times slower than this.
  const row = await one<{ stored: number; firsts: { clip_id: string; reviewer_id: string }[] }>(
    tx,
    prepared(sql`WITH batch AS (
        INSERT INTO push_batches (kind, device_id, reviewer_id, public_key, batch_ref, body, signature)
        VALUES (${batch.kind}, ${who.deviceId}, ${who.reviewerId}, ${who.publicKey}, ${batch.ref},
          decode(${batch.body.toString('hex')}, 'hex'), decode(${batch.signature.toString('hex')}, 'hex'))
        RETURNING id),
      incoming AS MATERIALIZED (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(insert)}::jsonb) AS x(id text, clip_id text, pack_id text, revises_id text,
          decided_at text, reviewer_id text, device_id text, policy_id text, policy_version text, categories jsonb,
          action text, escalation_target text, ranges jsonb, rationale text, matched_from jsonb)),
      stored AS (
        INSERT INTO decisions (id, clip_id, pack_id, revises_id, decided_at, reviewer_id, device_id, policy_id, policy_version,
          categories, action, escalation_target, ranges, rationale, matched_from, batch_id)
        SELECT id, clip_id, pack_id, revises_id, decided_at, reviewer_id, device_id, policy_id, policy_version,
          categories, action, escalation_target, ranges, rationale, matched_from, (SELECT id FROM batch)
        FROM incoming
        ON CONFLICT DO NOTHING RETURNING id),
      ${headWrites(who.reviewerId, clipIds, sql.raw('(SELECT i.* FROM incoming i WHERE i.id IN (SELECT id FROM stored))'))},
      locked AS (${clipLocksQuery(clipIds)})
      SELECT (SELECT count(*) FROM stored)::int AS stored, (SELECT count(*) FROM locked)::int AS locked,
        (SELECT coalesce(json_agg(json_build_object('clip_id', clip_id, 'reviewer_id', reviewer_id)), '[]') FROM heads_written WHERE first) AS firsts`),
  )
  return { stored: row!.stored, firsts: row!.firsts }
}

export interface StoredDecisionRow {
  id: string
  clip_id: string
  reviewer_id: string
  device_id: string
  revises_id: string | null
  action: string
  categories: string[]
  decided_at: string
}

/** Every stored decision, in the order received. */
export async function allDecisions(db: Db): Promise<(PackedDecision & { batch_id: string; received_at: string })[]> {
  const list = await rows<StoredPacked & { batch_id: string; received_at: string }>(
    db,
    sql`SELECT ${DECISION_COLUMNS}, batch_id::text AS batch_id,
          to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at
        FROM decisions ORDER BY batch_id, decided_at::timestamptz, id`,
  )
  return list.map((r) => ({ ...packedFromRow(r), batch_id: r.batch_id, received_at: r.received_at }))
}
