import type { StoredPacked } from './decisions'
import { one, sql, textArray, type Db } from '../db/open'
import { prepared } from '../db/prepared'

/**
 * What checking a batch needs from the database, read in one statement (one round trip and
 * one plan instead of five): the reviewer's devices, the batch's ids already stored, the
 * clips ever assigned to the reviewer, the decisions it revises, and which of its clips
 * have an open adjudication. Read under the reviewer's lock, so it sees their earlier pushes.
 */

export interface RevisionTarget {
  id: string
  reviewer_id: string
  clip_id: string
  /** Revised already by a stored decision. */
  revised: boolean
}

export interface PushChecks {
  deviceIds: Set<string>
  stored: Map<string, StoredPacked>
  assigned: Set<string>
  targets: Map<string, RevisionTarget>
  /** Clips of the batch with an open adjudication when the push began. */
  openClips: Set<string>
}

export async function readPushChecks(
  tx: Db,
  reviewerId: string,
  batch: { ids: readonly string[]; clipIds: readonly string[]; revisesIds: readonly string[] },
): Promise<PushChecks> {
  const clips = textArray(batch.clipIds)
  const row = await one<{ devices: string[]; stored: StoredPacked[]; assigned: string[]; targets: RevisionTarget[]; open: string[] }>(
    tx,
    prepared(sql`SELECT
      ARRAY(SELECT id FROM devices WHERE reviewer_id = ${reviewerId}) AS devices,
      (SELECT coalesce(json_agg(d), '[]') FROM (
        SELECT id, clip_id, pack_id, revises_id, decided_at, reviewer_id, device_id, policy_id, policy_version,
          categories, action, escalation_target, ranges, rationale, matched_from
        FROM decisions WHERE id = ANY(${textArray(batch.ids)})) d) AS stored,
      -- Ever assigned: a clip taken from the reviewer after they decided it still takes that decision.
      ARRAY(SELECT clip_id FROM assignments WHERE reviewer_id = ${reviewerId} AND clip_id = ANY(${clips})) AS assigned,
      (SELECT coalesce(json_agg(t), '[]') FROM (
        SELECT d.id, d.reviewer_id, d.clip_id, EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id) AS revised
        FROM decisions d WHERE d.id = ANY(${textArray(batch.revisesIds)})) t) AS targets,
      ARRAY(SELECT clip_id FROM adjudications WHERE state = 'open' AND clip_id = ANY(${clips})) AS open`),
  )
  return {
    deviceIds: new Set(row!.devices),
    stored: new Map(row!.stored.map((d) => [d.id, d])),
    assigned: new Set(row!.assigned),
    targets: new Map(row!.targets.map((t) => [t.id, t])),
    openClips: new Set(row!.open),
  }
}
