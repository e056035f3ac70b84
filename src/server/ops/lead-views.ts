import type { ClipDetail, DeviceSync, DisputeItem, DisputeList, Overview, OutcomeView, PackProgress, ReviewerDecision, ReviewerProgress } from '../../shared/lead-api'
import { one, rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { isoSql } from './assignments'
import { OUTCOME_COLUMNS, type OutcomeRow } from './export'

/**
 * What the lead console reads: progress per pack and reviewer, the disputed list (most
 * urgent first, keyset-paged so the first page costs the same at 50 disputed clips as at
 * 50,000), and one clip with its decisions and the trail of its outcomes.
 */

/** A gap between two of a reviewer's decisions longer than this is a break, not time on a clip. */
export const BREAK_SECONDS = 15 * 60

const iso = (column: string) => isoSql(sql.raw(column))

export async function overview(db: Db): Promise<Overview> {
  const packs = await rows<{ id: string; created_at: string; loaded_at: string; clips: number }>(
    db,
    sql`SELECT id, created_at, ${iso('loaded_at')} AS loaded_at, clip_count AS clips FROM packs ORDER BY loaded_at DESC, id`,
  )
  const perPack = new Map<string, { assigned: number; overdue: number }>(
    (
      await rows<{ pack_id: string; assigned: number; overdue: number }>(
        db,
        sql`SELECT cl.pack_id,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.clip_id = cl.id AND a.active))::int AS assigned,
              count(*) FILTER (WHERE cl.due_at < now() AND COALESCE(co.kind, 'pending') IN ('pending', 'disputed'))::int AS overdue
            FROM clips cl LEFT JOIN clip_outcomes co ON co.clip_id = cl.id GROUP BY cl.pack_id`,
      )
    ).map((r) => [r.pack_id, r]),
  )
  const outcomeCounts = await rows<{ pack_id: string; kind: string; n: number }>(
    db,
    sql`SELECT pack_id, kind, count(*)::int AS n FROM clip_outcomes GROUP BY pack_id, kind`,
  )
  const reviewerRows = await rows<{ pack_id: string; reviewer_id: string; name: string; assigned: number; synced: number; overdue: number }>(
    db,
    sql`WITH a AS (
          SELECT cl.pack_id, a.reviewer_id, count(*)::int AS assigned,
                 count(*) FILTER (WHERE cl.due_at < now() AND NOT EXISTS (
                   SELECT 1 FROM decision_heads h WHERE h.clip_id = a.clip_id AND h.reviewer_id = a.reviewer_id))::int AS overdue
            FROM assignments a JOIN clips cl ON cl.id = a.clip_id WHERE a.active GROUP BY cl.pack_id, a.reviewer_id),
        d AS (SELECT pack_id, reviewer_id, count(*)::int AS synced FROM decision_heads GROUP BY pack_id, reviewer_id)
        SELECT COALESCE(a.pack_id, d.pack_id) AS pack_id, COALESCE(a.reviewer_id, d.reviewer_id) AS reviewer_id, r.name,
               COALESCE(a.assigned, 0) AS assigned, COALESCE(d.synced, 0) AS synced, COALESCE(a.overdue, 0) AS overdue
          FROM a FULL JOIN d ON d.pack_id = a.pack_id AND d.reviewer_id = a.reviewer_id
          JOIN reviewers r ON r.id = COALESCE(a.reviewer_id, d.reviewer_id)
         ORDER BY 2`,
  )
  // Time on a clip: the gap since the reviewer's previous decision, breaks left out.
  const medians = await rows<{ pack_id: string; reviewer_id: string; median: number | null }>(
    db,
    sql`WITH g AS (
          SELECT pack_id, reviewer_id,
                 extract(epoch FROM decided_at - lag(decided_at) OVER (PARTITION BY pack_id, reviewer_id ORDER BY decided_at)) AS gap
            FROM decision_heads)
        SELECT pack_id, reviewer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median
          FROM g WHERE gap IS NOT NULL AND gap >= 0 AND gap <= ${BREAK_SECONDS} GROUP BY pack_id, reviewer_id`,
  )
  const medianOf = new Map(medians.map((m) => [`${m.pack_id}\u0000${m.reviewer_id}`, m.median === null ? null : Math.round(Number(m.median) * 10) / 10]))
  const devices = await listDeviceSync(db)
  const onDevice = new Map<string, number>()
  for (const d of devices.raw) {
    if (d.revoked_at !== null || !d.status) continue
    for (const [packId, n] of Object.entries(d.status.decided_by_pack ?? {})) {
      const key = `${packId}\u0000${d.reviewer_id}`
      onDevice.set(key, (onDevice.get(key) ?? 0) + n)
    }
  }
  const actions = await rows<{ pack_id: string; action: string; n: number }>(
    db,
    sql`SELECT pack_id, action, count(*)::int AS n FROM decision_heads GROUP BY pack_id, action`,
  )
  const timeline = await rows<{ pack_id: string; hour: string; n: number }>(
    db,
    sql`SELECT pack_id, ${isoSql(sql`date_trunc('hour', received_at)`)} AS hour, count(*)::int AS n
          FROM decisions WHERE received_at > now() - interval '48 hours' GROUP BY pack_id, date_trunc('hour', received_at) ORDER BY 2`,
  )
  const result: PackProgress[] = packs.map((p) => {
    const outcomes = { undecided: 0, pending: 0, single_review: 0, consensus: 0, disputed: 0, adjudicated: 0 }
    let counted = 0
    for (const o of outcomeCounts) {
      if (o.pack_id !== p.id) continue
      outcomes[o.kind as keyof typeof outcomes] += o.n
      counted += o.n
    }
    outcomes.undecided = Math.max(0, p.clips - counted)
    const reviewers: ReviewerProgress[] = reviewerRows
      .filter((r) => r.pack_id === p.id)
      .map((r) => {
        const key = `${p.id}\u0000${r.reviewer_id}`
        return {
          reviewer_id: r.reviewer_id,
          name: r.name,
          assigned: r.assigned,
          decided_on_device: onDevice.has(key) ? onDevice.get(key)! : null,
          synced: r.synced,
          overdue: r.overdue,
          median_seconds_per_clip: medianOf.get(key) ?? null,
        }
      })
    return {
      pack_id: p.id,
      created_at: p.created_at,
      loaded_at: p.loaded_at,
      clips: p.clips,
      assigned: perPack.get(p.id)?.assigned ?? 0,
      overdue: perPack.get(p.id)?.overdue ?? 0,
      outcomes,
      reviewers,
      actions: Object.fromEntries(actions.filter((a) => a.pack_id === p.id).map((a) => [a.action, a.n])),
      timeline: timeline.filter((t) => t.pack_id === p.id).map((t) => ({ hour: t.hour, decisions: t.n })),
    }
  })
  const disputed = (await one<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM clip_outcomes WHERE kind = 'disputed'`))?.n ?? 0
  const reviewers = await rows<{ id: string; name: string }>(db, sql`SELECT id, name FROM reviewers ORDER BY id`)
  return { packs: result, devices: devices.list, disputed, reviewers }
}

interface DeviceRow {
  device_id: string
  reviewer_id: string
  name: string | null
  enrolled_at: string
  last_sync_at: string | null
  revoked_at: string | null
  status: { decided_by_pack?: Record<string, number>; unsent?: number } | null
}

export async function listDeviceSync(db: Db, reviewerId?: string): Promise<{ list: DeviceSync[]; raw: DeviceRow[] }> {
  const raw = await rows<DeviceRow>(
    db,
    sql`SELECT id AS device_id, reviewer_id, name, ${iso('enrolled_at')} AS enrolled_at,
          CASE WHEN last_sync_at IS NULL THEN NULL ELSE ${iso('last_sync_at')} END AS last_sync_at,
          CASE WHEN revoked_at IS NULL THEN NULL ELSE ${iso('revoked_at')} END AS revoked_at, status
        FROM devices ${reviewerId === undefined ? sql`` : sql`WHERE reviewer_id = ${reviewerId}`} ORDER BY reviewer_id, enrolled_at`,
  )
  const list = raw.map(({ status, ...d }) => ({ ...d, unsent: typeof status?.unsent === 'number' ? status.unsent : null }))
  return { list, raw }
}

// ---- the disputed list -------------------------------------------------------------------

export const DEFAULT_DISPUTE_PAGE = 50
export const MAX_DISPUTE_PAGE = 200

/**
 * Where a page ends: the group (0: overdue or flagged by an authority, 1: the rest), the due
 * time and clip id of the last row, and the "now" the first page was read at, so the groups
 * do not shift under a lead paging through.
 */
interface DisputeCursor {
  g: 0 | 1
  d: string | null
  c: string
  n: string
}

function encodeCursor(c: DisputeCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function decodeCursor(text: string): DisputeCursor {
  const bad = () => new ServerError('invalid_request', 'the cursor is not one this service gave', [{ path: 'query.cursor', message: 'not a cursor from an earlier page' }])
  if (text.length > 400) throw bad()
  let c: unknown
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw bad()
  }
  const v = c as Partial<DisputeCursor>
  const isTime = (s: unknown) => typeof s === 'string' && !Number.isNaN(Date.parse(s))
  if (!v || (v.g !== 0 && v.g !== 1) || typeof v.c !== 'string' || !isTime(v.n) || !(v.d === null || isTime(v.d))) throw bad()
  return v as DisputeCursor
}

interface DisputeRow {
  clip_id: string
  pack_id: string
  due_at: string | null
  authority: boolean
  json: string
  opened_at: string
  basis: DisputeItem['decisions']
}

function after(cursor: { d: string | null; c: string } | null) {
  if (!cursor) return sql`TRUE`
  // (due_at ASC NULLS LAST, clip_id ASC), resumed after the cursor's row.
  return cursor.d === null
    ? sql`(co.due_at IS NULL AND co.clip_id > ${cursor.c})`
    : sql`(co.due_at > ${cursor.d} OR (co.due_at = ${cursor.d} AND co.clip_id > ${cursor.c}) OR co.due_at IS NULL)`
}

async function disputePage(db: Db, group: 0 | 1, now: string, cursor: { d: string | null; c: string } | null, limit: number, packId?: string): Promise<DisputeRow[]> {
  const inGroup = group === 0 ? sql`(co.authority OR co.due_at < ${now})` : sql`(NOT co.authority AND (co.due_at IS NULL OR co.due_at >= ${now}))`
  const pack = packId === undefined ? sql`TRUE` : sql`co.pack_id = ${packId}`
  return rows<DisputeRow>(
    db,
    sql`SELECT co.clip_id, co.pack_id, CASE WHEN co.due_at IS NULL THEN NULL ELSE ${iso('co.due_at')} END AS due_at, co.authority,
               cl.json, ${iso('o.created_at')} AS opened_at, o.basis
          FROM clip_outcomes co JOIN clips cl ON cl.id = co.clip_id JOIN outcomes o ON o.id = co.outcome_id
         WHERE co.kind = 'disputed' AND ${inGroup} AND ${pack} AND ${after(cursor)}
         ORDER BY co.due_at ASC NULLS LAST, co.clip_id ASC LIMIT ${limit}`,
  )
}

function titleOf(json: string): string | null {
  try {
    const clip = JSON.parse(json) as { stream?: { title?: unknown } }
    return typeof clip.stream?.title === 'string' ? clip.stream.title : null
  } catch {
    return null
  }
}

export async function listDisputes(db: Db, opts: { cursor?: string; limit?: number; packId?: string } = {}): Promise<DisputeList> {
  const limit = Math.min(Math.max(opts.limit ?? DEFAULT_DISPUTE_PAGE, 1), MAX_DISPUTE_PAGE)
  const cursor = opts.cursor ? decodeCursor(opts.cursor) : null
  const now = cursor?.n ?? new Date().toISOString()
  const found: { row: DisputeRow; g: 0 | 1 }[] = []
  for (const g of [0, 1] as const) {
    if (cursor && g < cursor.g) continue
    const from = cursor && g === cursor.g ? { d: cursor.d, c: cursor.c } : null
    // One more than the page, to know whether another page follows.
    for (const row of await disputePage(db, g, now, from, limit + 1 - found.length, opts.packId)) found.push({ row, g })
    if (found.length > limit) break
  }
  const page = found.slice(0, limit)
  const last = page.at(-1)
  const next = found.length > limit && last ? encodeCursor({ g: last.g, d: last.row.due_at, c: last.row.clip_id, n: now }) : null
  const total =
    (await one<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM clip_outcomes WHERE kind = 'disputed' ${opts.packId === undefined ? sql`` : sql`AND pack_id = ${opts.packId}`}`))
      ?.n ?? 0
  const nowMs = Date.parse(now)
  return {
    items: page.map(({ row }) => ({
      clip_id: row.clip_id,
      pack_id: row.pack_id,
      title: titleOf(row.json),
      due_at: row.due_at,
      overdue: row.due_at !== null && Date.parse(row.due_at) < nowMs,
      authority: row.authority,
      opened_at: row.opened_at,
      decisions: row.basis,
    })),
    next,
    total,
  }
}

// ---- one clip ---------------------------------------------------------------------------------

export function outcomeView(o: OutcomeRow): OutcomeView {
  return {
    id: o.id,
    kind: o.kind,
    action: o.action,
    categories: o.categories,
    escalation_target: o.escalation_target,
    ranges: o.ranges,
    rationale: o.rationale,
    basis: o.basis,
    source_decision_id: o.source_decision_id,
    lead_id: o.lead_id,
    previous_id: o.previous_id,
    created_at: o.created_at,
  }
}

export async function outcomeById(db: Db, id: string): Promise<OutcomeView> {
  const o = await one<OutcomeRow>(db, sql`SELECT ${OUTCOME_COLUMNS}, true AS in_force FROM outcomes o WHERE o.id = ${id}`)
  if (!o) throw new ServerError('not_found', `no outcome "${id}"`)
  return outcomeView(o)
}

/** The neighbours of a disputed clip in the disputed list's order (null at either end, or when the clip is not disputed). */
async function neighbours(db: Db, clipId: string): Promise<{ prev: string | null; next: string | null }> {
  const r = await one<{ prev: string | null; next: string | null }>(
    db,
    sql`WITH ordered AS (
          SELECT clip_id,
                 lag(clip_id) OVER w AS prev, lead(clip_id) OVER w AS next
            FROM clip_outcomes co WHERE kind = 'disputed'
          WINDOW w AS (ORDER BY CASE WHEN co.authority OR co.due_at < now() THEN 0 ELSE 1 END, co.due_at ASC NULLS LAST, co.clip_id))
        SELECT prev, next FROM ordered WHERE clip_id = ${clipId}`,
  )
  return { prev: r?.prev ?? null, next: r?.next ?? null }
}

export async function clipDetail(db: Db, clipId: string): Promise<ClipDetail> {
  const clip = await one<{ pack_id: string; json: string; media_sha256: string; poster_sha256: string | null }>(
    db,
    sql`SELECT pack_id, json, media_sha256, poster_sha256 FROM clips WHERE id = ${clipId}`,
  )
  if (!clip) throw new ServerError('not_found', `no clip "${clipId}"`)
  const history = (
    await rows<OutcomeRow>(
      db,
      sql`SELECT ${OUTCOME_COLUMNS}, (co.outcome_id IS NOT NULL) AS in_force FROM outcomes o
            LEFT JOIN clip_outcomes co ON co.outcome_id = o.id WHERE o.clip_id = ${clipId} ORDER BY o.seq`,
    )
  ).map(outcomeView)
  const inForce = await one<{ outcome_id: string }>(db, sql`SELECT outcome_id FROM clip_outcomes WHERE clip_id = ${clipId}`)
  const decisions = await rows<ReviewerDecision>(
    db,
    sql`SELECT d.id, d.reviewer_id, r.name AS reviewer_name, d.action, d.categories, d.escalation_target, d.ranges, d.rationale, d.decided_at,
               d.matched_from, COALESCE(a.purpose = 'qa', false) AS qa
          FROM decision_heads h JOIN decisions d ON d.id = h.decision_id JOIN reviewers r ON r.id = h.reviewer_id
          LEFT JOIN assignments a ON a.clip_id = h.clip_id AND a.reviewer_id = h.reviewer_id
         WHERE h.clip_id = ${clipId} ORDER BY h.decided_at, h.reviewer_id`,
  )
  const { prev, next } = await neighbours(db, clipId)
  return {
    clip: JSON.parse(clip.json) as ClipDetail['clip'],
    pack_id: clip.pack_id,
    media_url: `/lead/api/media/${clip.media_sha256}`,
    poster_url: clip.poster_sha256 ? `/lead/api/media/${clip.poster_sha256}` : null,
    outcome: history.find((o) => o.id === inForce?.outcome_id) ?? null,
    history,
    decisions,
    prev_disputed: prev,
    next_disputed: next,
  }
}
