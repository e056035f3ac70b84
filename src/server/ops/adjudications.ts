import type { Adjudication } from '../../shared/sync-protocol'
import { rows, sql, textArray, type Db } from '../db/open'
import { isoSql } from './assignments'

/**
 * Disagreement is a state, not an overwrite. A clip's decisions in force are the heads of
 * its revision chains, one per reviewer (a reviewer's latest head, should a device have
 * started two chains); when they differ in action or in the set of categories, the clip
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

function agreementKey(h: Head): string {
  return `${h.action}\u0000${[...new Set(h.categories)].sort().join('\u0000')}`
}

/** Recompute the adjudication state of these clips (locked by the caller); returns the clips now open. */
export async function updateAdjudications(tx: Db, clipIds: readonly string[]): Promise<Set<string>> {
  const open = new Set<string>()
  if (clipIds.length === 0) return open
  const ids = textArray([...new Set(clipIds)])
  const heads = await rows<Head>(
    tx,
    sql`SELECT DISTINCT ON (d.clip_id, d.reviewer_id) d.clip_id, d.pack_id, d.id, d.reviewer_id, d.action, d.categories
        FROM decisions d
        WHERE d.clip_id = ANY(${ids}) AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        ORDER BY d.clip_id, d.reviewer_id, d.decided_at::timestamptz DESC, d.id DESC`,
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
    const disagree = list.length > 1 && list.some((h) => agreementKey(h) !== agreementKey(list[0]!))
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
    await tx.execute(sql`UPDATE adjudications SET state = 'resolved', resolved_at = now() WHERE id::text = ANY(${textArray(toResolve)})`)
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
