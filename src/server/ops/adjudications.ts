import type { Adjudication } from '../../shared/sync-protocol'
import { rows, sql, textArray, type Db } from '../db/open'
import { isoSql } from './assignments'
import { agreementKey } from './outcomes'

/**
 * Disagreement is a state, not an overwrite. A clip's decisions in force are the heads of
 * its revision chains, one per reviewer (a reviewer's latest head, should a device have
 * started two chains; kept in decision_heads); when they differ in action or in the set of categories, the clip
 * has an open adjudication. When later revisions bring them back into agreement it is
 * resolved, and kept; a new disagreement opens a new one. Decisions themselves never change.
 */

/** Locks held by a push while it recomputes these clips, so two pushes on one clip see each other's decisions. */
const CLIP_LOCKS = 72_616_010

export async function lockClips(tx: Db, clipIds: readonly string[]): Promise<void> {
  if (clipIds.length === 0) return
  // Always in the same order (by the lock key), so two pushes cannot wait on each other in a circle.
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(${CLIP_LOCKS}, k) FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest(${textArray(clipIds)}) AS id) s ORDER BY k`,
  )
}

type Head = Adjudication['decisions'][number] & { clip_id: string; pack_id: string }

/** Recompute the adjudication state of these clips (locked by the caller); returns the clips now open. */
export async function updateAdjudications(tx: Db, clipIds: readonly string[]): Promise<Set<string>> {
  const open = new Set<string>()
  if (clipIds.length === 0) return open
  const ids = textArray([...new Set(clipIds)])
  const heads = await rows<Head>(
    tx,
    sql`SELECT clip_id, pack_id, decision_id AS id, reviewer_id, action, categories FROM decision_heads
        WHERE clip_id = ANY(${ids}) ORDER BY clip_id, reviewer_id`,
  )
  // A lead's adjudication settles the clip: reviewers revising afterwards do not reopen it (a lead may revise).
  const settled = new Set(
    (await rows<{ clip_id: string }>(tx, sql`SELECT clip_id FROM clip_outcomes WHERE clip_id = ANY(${ids}) AND kind = 'adjudicated'`)).map((r) => r.clip_id),
  )
  const current = await rows<{ id: string; clip_id: string; decisions: Adjudication['decisions'] }>(
    tx,
    sql`SELECT id::text AS id, clip_id, decisions FROM adjudications WHERE state = 'open' AND clip_id = ANY(${ids})`,
  )
  const openByClip = new Map(current.map((a) => [a.clip_id, a]))
  const byClip = new Map<string, Head[]>()
  for (const h of heads) {
    let list = byClip.get(h.clip_id)
    if (!list) byClip.set(h.clip_id, (list = []))
    list.push(h)
  }
  const toOpen: { clip_id: string; pack_id: string; decisions: Adjudication['decisions'] }[] = []
  const toUpdate: { id: string; decisions: Adjudication['decisions'] }[] = []
  const toResolve: string[] = []
  for (const clipId of new Set(clipIds)) {
    const list = byClip.get(clipId) ?? []
    const disagree = !settled.has(clipId) && list.length > 1 && list.some((h) => agreementKey(h) !== agreementKey(list[0]!))
    const existing = openByClip.get(clipId)
    if (disagree) {
      open.add(clipId)
      const decisions = list.map((h) => ({ id: h.id, reviewer_id: h.reviewer_id, action: h.action, categories: h.categories }))
      if (!existing) toOpen.push({ clip_id: clipId, pack_id: list[0]!.pack_id, decisions })
      else if (JSON.stringify(existing.decisions.map((d) => d.id).sort()) !== JSON.stringify(decisions.map((d) => d.id).sort())) {
        toUpdate.push({ id: existing.id, decisions })
      }
    } else if (existing) {
      toResolve.push(existing.id)
    }
  }
  if (toOpen.length > 0) {
    await tx.execute(sql`
      INSERT INTO adjudications (clip_id, pack_id, state, decisions)
      SELECT clip_id, pack_id, 'open', decisions FROM jsonb_to_recordset(${JSON.stringify(toOpen)}::jsonb) AS x(clip_id text, pack_id text, decisions jsonb)`)
  }
  if (toUpdate.length > 0) {
    await tx.execute(sql`
      UPDATE adjudications a SET decisions = x.decisions
      FROM jsonb_to_recordset(${JSON.stringify(toUpdate)}::jsonb) AS x(id bigint, decisions jsonb) WHERE a.id = x.id`)
  }
  if (toResolve.length > 0) {
    await tx.execute(
      sql`UPDATE adjudications SET state = 'resolved', resolved_at = now(), resolution = 'agreement' WHERE id::text = ANY(${textArray(toResolve)})`,
    )
  }
  return open
}

/** Clips among these with an open adjudication. */
export async function openAdjudicationClips(db: Db, clipIds: readonly string[]): Promise<Set<string>> {
  if (clipIds.length === 0) return new Set()
  const found = await rows<{ clip_id: string }>(db, sql`SELECT clip_id FROM adjudications WHERE state = 'open' AND clip_id = ANY(${textArray([...new Set(clipIds)])})`)
  return new Set(found.map((r) => r.clip_id))
}

const COLUMNS = sql`clip_id, pack_id, ${isoSql(sql.raw('opened_at'))} AS opened_at, state, decisions`

/** Every adjudication, open and resolved, oldest first. */
export async function listAdjudications(db: Db, opts: { reviewerId?: string; openOnly?: boolean } = {}): Promise<Adjudication[]> {
  const filters = [sql`TRUE`]
  if (opts.openOnly) filters.push(sql`state = 'open'`)
  if (opts.reviewerId !== undefined) filters.push(sql`clip_id IN (SELECT clip_id FROM decisions WHERE reviewer_id = ${opts.reviewerId})`)
  return rows<Adjudication>(db, sql`SELECT ${COLUMNS} FROM adjudications WHERE ${sql.join(filters, sql` AND `)} ORDER BY opened_at, id`)
}
