import { DEFAULT_PULL_PAGE, MAX_PULL_PAGE, type SyncPack } from '../../shared/sync-protocol'
import { one, rows, sql, textArray, type Db } from '../db/open'
import { ServerError } from '../errors'
import { lockClips } from './adjudications'
import { deriveOutcomes } from './outcomes'

/**
 * Assignments and the numbered changes devices pull. Every change (assigned, unassigned,
 * a held clip updated by a newer pack) is a row of assignment_changes with the next `seq`;
 * a device's cursor is the last seq it applied.
 *
 * Why a lock: an identity column hands out numbers at insert, not at commit, so two writers
 * could commit 11 before 10, and a device pulling in between would move its cursor past 10
 * for good. Writers of changes take one transaction-scoped advisory lock, so they commit in
 * seq order. Changes are operator actions, rare enough for that to cost nothing.
 */

const ASSIGNMENT_LOCK = 72_616_002

export async function lockAssignmentChanges(tx: Db): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ASSIGNMENT_LOCK})`)
}

/** An RFC 3339 UTC time (as toISOString writes it) from a timestamptz column. */
export function isoSql(column: ReturnType<typeof sql.raw>) {
  return sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

async function checkTargets(db: Db, packId: string, reviewerId: string, clipIds: readonly string[] | undefined): Promise<void> {
  if (!(await one(db, sql`SELECT 1 FROM reviewers WHERE id = ${reviewerId}`))) throw new ServerError('not_found', `no reviewer "${reviewerId}"`)
  if (!(await one(db, sql`SELECT 1 FROM packs WHERE id = ${packId}`))) throw new ServerError('not_found', `no pack "${packId}" has been loaded`)
  if (clipIds && clipIds.length > 0) {
    const found = new Set(
      (await rows<{ id: string }>(db, sql`SELECT id FROM clips WHERE pack_id = ${packId} AND id = ANY(${textArray(clipIds)})`)).map((r) => r.id),
    )
    const missing = [...new Set(clipIds)].filter((id) => !found.has(id))
    if (missing.length > 0) {
      const shown = missing.slice(0, 10).join(', ')
      throw new ServerError('not_found', `pack "${packId}" has no clip ${shown}${missing.length > 10 ? ` (and ${missing.length - 10} more)` : ''}`)
    }
  }
}

function targetClips(packId: string, clipIds: readonly string[] | undefined) {
  return clipIds && clipIds.length > 0
    ? sql`SELECT id, idx, pack_id FROM clips WHERE pack_id = ${packId} AND id = ANY(${textArray(clipIds)})`
    : sql`SELECT id, idx, pack_id FROM clips WHERE pack_id = ${packId}`
}

/** Assign the pack's clips (all, or those named) to the reviewer; returns how many were not assigned to them before. */
export async function assign(db: Db, packId: string, reviewerId: string, clipIds?: readonly string[]): Promise<number> {
  await checkTargets(db, packId, reviewerId, clipIds)
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    await lockAssignmentChanges(tx)
    const changed = await rows(
      tx,
      sql`WITH target AS (${targetClips(packId, clipIds)}),
        up AS (
          INSERT INTO assignments (reviewer_id, clip_id, active) SELECT ${reviewerId}, id, true FROM target
          ON CONFLICT (reviewer_id, clip_id) DO UPDATE SET active = true WHERE assignments.active = false
          RETURNING clip_id)
        INSERT INTO assignment_changes (reviewer_id, clip_id, pack_id, kind)
        SELECT ${reviewerId}, t.id, t.pack_id, 'assigned' FROM up JOIN target t ON t.id = up.clip_id ORDER BY t.idx
        RETURNING seq`,
    )
    return changed.length
  })
}

/** Take the pack's clips (all, or those named) from the reviewer; returns how many were assigned to them. Their decisions stay valid. */
export async function unassign(db: Db, packId: string, reviewerId: string, clipIds?: readonly string[]): Promise<number> {
  await checkTargets(db, packId, reviewerId, clipIds)
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    await lockAssignmentChanges(tx)
    const changed = await rows<{ clip_id: string }>(
      tx,
      sql`WITH target AS (${targetClips(packId, clipIds)}),
        up AS (
          UPDATE assignments a SET active = false FROM target t
          WHERE a.reviewer_id = ${reviewerId} AND a.clip_id = t.id AND a.active
          RETURNING a.clip_id)
        INSERT INTO assignment_changes (reviewer_id, clip_id, pack_id, kind)
        SELECT ${reviewerId}, t.id, t.pack_id, 'unassigned' FROM up JOIN target t ON t.id = up.clip_id ORDER BY t.idx
        RETURNING clip_id`,
    )
    // A clip that waited for this reviewer may now have its outcome.
    const clips = changed.map((r) => r.clip_id)
    await lockClips(tx, clips)
    await deriveOutcomes(tx, clips)
    return changed.length
  })
}

const CURSOR = /^\d{1,18}$/

export function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  if (!CURSOR.test(cursor)) {
    throw new ServerError('invalid_request', 'query.cursor: not a cursor this server gave (send back the last one received, or none)', [
      { path: 'query.cursor', message: 'not a cursor this server gave' },
    ])
  }
  return Number(cursor)
}

interface ChangeRow {
  seq: string
  kind: 'assigned' | 'unassigned'
  clip_id: string
  pack_id: string
  at: string
  json: string | null
}

interface PackRow {
  id: string
  manifest_sha256: string
  created_at: string
  issuer: SyncPack['issuer']
  policy: SyncPack['policy']
  signed: boolean
  extra: Record<string, unknown>
}

/**
 * One page of the reviewer's changes after `cursor`, as the response body's text: the clip
 * text goes out exactly as stored (the pack's own bytes), never parsed and re-serialized,
 * which also keeps a page of 2,000 clips cheap. One indexed query for the changes (with
 * their clips), one for their packs.
 */
export async function pullAssignmentsBody(db: Db, reviewerId: string, cursor: string | undefined, limit = DEFAULT_PULL_PAGE): Promise<string> {
  const after = parseCursor(cursor)
  const size = Math.max(1, Math.min(MAX_PULL_PAGE, limit))
  const page = await rows<ChangeRow>(
    db,
    sql`SELECT ac.seq::text AS seq, ac.kind, ac.clip_id, COALESCE(c.pack_id, ac.pack_id) AS pack_id,
          ${isoSql(sql.raw('ac.at'))} AS at, c.json
        FROM assignment_changes ac LEFT JOIN clips c ON ac.kind = 'assigned' AND c.id = ac.clip_id
        WHERE ac.reviewer_id = ${reviewerId} AND ac.seq > ${after}
        ORDER BY ac.seq LIMIT ${size + 1}`,
  )
  const more = page.length > size
  if (more) page.length = size
  const packIds = [...new Set(page.map((c) => c.pack_id))]
  const packs =
    packIds.length === 0
      ? []
      : await rows<PackRow>(
          db,
          sql`SELECT id, manifest_sha256, created_at, issuer, policy, signed, extra FROM packs WHERE id = ANY(${textArray(packIds)}) ORDER BY id`,
        )
  const syncPacks: SyncPack[] = packs.map((p) => ({
    pack_id: p.id,
    manifest_sha256: p.manifest_sha256,
    created_at: p.created_at,
    issuer: p.issuer,
    policy: p.policy,
    signed: p.signed,
    extra: p.extra,
  }))
  const changes: string[] = []
  for (const c of page) {
    if (c.kind === 'assigned') {
      // Clips are never removed, so an assigned change always has its clip; skipped defensively.
      if (c.json === null) continue
      changes.push(`{"kind":"assigned","pack_id":${JSON.stringify(c.pack_id)},"clip":${c.json},"assigned_at":"${c.at}"}`)
    } else {
      changes.push(JSON.stringify({ kind: 'unassigned', pack_id: c.pack_id, clip_id: c.clip_id, at: c.at }))
    }
  }
  const next = page.length > 0 ? page[page.length - 1]!.seq : (cursor ?? '')
  return `{"packs":${JSON.stringify(syncPacks)},"changes":[${changes.join(',')}],"cursor":${JSON.stringify(next)},"more":${more}}`
}
