import {
  DEFAULT_PULL_PAGE,
  MAX_MEDIA_HASH_PAGE,
  MEDIA_HASH_PAGE_BYTES,
  type KnownClip,
  type MediaFrameHashes,
  type MediaHashesResponse,
  type MediaHashResult,
} from '../../shared/sync-protocol'
import { rows, sql, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { ServerError } from '../errors'
import { isoSql } from './assignments'

/**
 * The team's known footage (issue 14): frame hashes that devices push for the media they
 * decided, and the pull that brings every device the hashes of the organisation's decided
 * media with the outcomes in force on the clips that use them.
 */

export interface HashSubmitter {
  reviewerId: string
  deviceId: string
}

/**
 * Stores a push's media hashes in one statement. Only the media of clips ever assigned to
 * the reviewer are taken (the same rule a decision meets); the first hashes of a media and
 * hasher stay, so the same push again, or another device's, is `duplicate`. The shapes and
 * counts were checked by the push's schema before this runs.
 */
export async function storeMediaHashes(db: Db, who: HashSubmitter, list: readonly MediaFrameHashes[]): Promise<MediaHashResult[]> {
  const input = list.map((m, i) => ({
    i,
    sha256: m.sha256,
    hasher: m.hasher,
    hashes_per_frame: m.hashes_per_frame,
    frame_count: m.times_ms.length,
    hashes: m.hashes,
    qualities: Buffer.from(m.qualities).toString('hex'),
    times_ms: m.times_ms,
  }))
  const answer = await rows<{ sha256: string; hasher: string; allowed: boolean; stored: boolean }>(
    db,
    prepared(sql`WITH x AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(i int, sha256 text, hasher text, hashes_per_frame int,
          frame_count int, hashes text, qualities text, times_ms jsonb)),
      allowed AS (
        SELECT DISTINCT c.media_sha256 AS sha256 FROM clips c JOIN assignments a ON a.clip_id = c.id AND a.reviewer_id = ${who.reviewerId}
        WHERE c.media_sha256 IN (SELECT sha256 FROM x)),
      ins AS (
        INSERT INTO media_hashes (sha256, hasher, hashes_per_frame, frame_count, hashes, qualities, times_ms, reviewer_id, device_id)
        SELECT sha256, hasher, hashes_per_frame, frame_count, decode(hashes, 'hex'), decode(qualities, 'hex'), times_ms, ${who.reviewerId}, ${who.deviceId}
        FROM x WHERE sha256 IN (SELECT sha256 FROM allowed)
        ON CONFLICT DO NOTHING RETURNING sha256, hasher)
      SELECT x.sha256, x.hasher, x.sha256 IN (SELECT sha256 FROM allowed) AS allowed,
        EXISTS (SELECT 1 FROM ins WHERE ins.sha256 = x.sha256 AND ins.hasher = x.hasher) AS stored
      FROM x ORDER BY x.i`),
  )
  return answer.map((r): MediaHashResult =>
    !r.allowed
      ? { sha256: r.sha256, hasher: r.hasher, outcome: 'rejected', message: `media ${r.sha256} is not the media of a clip assigned to reviewer "${who.reviewerId}"` }
      : { sha256: r.sha256, hasher: r.hasher, outcome: r.stored ? 'stored' : 'duplicate' },
  )
}

// ---- the pull ---------------------------------------------------------------------------

/**
 * The feed is two sources merged in (txid, source, seq) order: new hash rows (source 0,
 * sent with their frames) and outcome changes of clips whose media has hashes (source 1,
 * sent without frames: the device has them). Each item carries the media's clips with their
 * outcomes as they stand when read, so a late item never brings back an older decision.
 * Like the outcome feed, only rows of transactions ended before the read's snapshot are
 * served, so a cursor never steps over a row committed late.
 */
const CURSOR = /^(\d{1,20}):([01]):(\d{1,18})$/
/** Clips listed per media (latest outcome first): a media shared by more is rare, and these suffice to recognise it. */
const CLIPS_PER_MEDIA = 50

function parseCursor(cursor: string | undefined): { txid: string; src: number; seq: string } | null {
  if (cursor === undefined || cursor === '') return null
  const m = CURSOR.exec(cursor)
  if (!m) {
    throw new ServerError('invalid_request', 'the media-hashes cursor is "<txid>:<source>:<seq>" as an earlier page gave it', [
      { path: 'query.cursor', message: 'not a cursor from an earlier page' },
    ])
  }
  return { txid: m[1]!, src: Number(m[2]), seq: m[3]! }
}

interface FeedRow {
  txid: string
  src: number
  seq: string
  sha256: string
  total: number
  kept: boolean
  hasher: string | null
  hashes_per_frame: number | null
  hashes: string | null
  qualities: string | null
  times_ms: number[] | null
  clips: {
    clip_id: string
    pack_id: string
    id: string
    kind: KnownClip['outcome']['kind']
    action: string | null
    categories: string[] | null
    rationale: string | null
    lead_id: string | null
    lead_name: string | null
    created_at: string
    reviewer_ids: string[]
  }[]
}

/** `budget`: hex characters of hashes a page carries past its first item (MEDIA_HASH_PAGE_BYTES; tests pass less). */
export async function pullMediaHashes(db: Db, cursor: string | undefined, limit = DEFAULT_PULL_PAGE, budget = MEDIA_HASH_PAGE_BYTES): Promise<MediaHashesResponse> {
  const after = parseCursor(cursor)
  const size = Math.max(1, Math.min(MAX_MEDIA_HASH_PAGE, limit))
  const from = after ? sql`(${after.txid}::xid8, ${after.src}::int, ${after.seq}::bigint)` : null
  const page = await rows<FeedRow>(
    db,
    sql`WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x),
      events AS (
        (SELECT h.txid, 0 AS src, h.seq, h.sha256, octet_length(h.hashes) * 2 AS bytes FROM media_hashes h
          WHERE h.txid < (SELECT x FROM horizon) ${from ? sql`AND (h.txid, 0, h.seq) > ${from}` : sql``}
          ORDER BY h.txid, h.seq LIMIT ${size + 1})
        UNION ALL
        (SELECT o.txid, 1 AS src, o.seq, c.media_sha256, 0 AS bytes FROM outcomes o JOIN clips c ON c.id = o.clip_id
          WHERE o.txid < (SELECT x FROM horizon) ${from ? sql`AND (o.txid, 1, o.seq) > ${from}` : sql``}
            AND EXISTS (SELECT 1 FROM media_hashes h WHERE h.sha256 = c.media_sha256)
          ORDER BY o.txid, o.seq LIMIT ${size + 1})),
      firsts AS (SELECT * FROM events ORDER BY txid, src, seq LIMIT ${size + 1}),
      page AS (
        SELECT f.*, count(*) OVER () AS total,
          -- An item is kept while the hashes before it stay under the page's budget; the first always.
          (row_number() OVER w = 1 OR sum(bytes) OVER w <= ${budget}) AND row_number() OVER w <= ${size} AS kept
        FROM firsts f WINDOW w AS (ORDER BY txid, src, seq ROWS UNBOUNDED PRECEDING))
      SELECT p.txid::text AS txid, p.src, p.seq::text AS seq, p.sha256, p.total::int AS total, p.kept,
        h.hasher, h.hashes_per_frame, encode(h.hashes, 'hex') AS hashes, encode(h.qualities, 'hex') AS qualities, h.times_ms,
        (SELECT coalesce(json_agg(k ORDER BY k.at DESC, k.clip_id), '[]') FROM (
          SELECT c.id AS clip_id, o.pack_id, o.id, o.kind, o.action, o.categories, o.rationale, o.lead_id, l.name AS lead_name,
            ${isoSql(sql.raw('o.created_at'))} AS created_at, co.updated_at AS at,
            ARRAY(SELECT DISTINCT b->>'reviewer_id' FROM jsonb_array_elements(o.basis) b ORDER BY 1) AS reviewer_ids
          FROM clips c JOIN clip_outcomes co ON co.clip_id = c.id JOIN outcomes o ON o.id = co.outcome_id LEFT JOIN leads l ON l.id = o.lead_id
          WHERE c.media_sha256 = p.sha256 ORDER BY co.updated_at DESC, c.id LIMIT ${CLIPS_PER_MEDIA}) k) AS clips
      FROM page p LEFT JOIN media_hashes h ON p.src = 0 AND h.seq = p.seq
      WHERE p.kept ORDER BY p.txid, p.src, p.seq`,
  )
  const more = page.length > 0 && page[0]!.total > page.length
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      sha256: r.sha256,
      frames:
        r.src === 0 && r.hasher !== null
          ? {
              hasher: r.hasher,
              hashes_per_frame: r.hashes_per_frame!,
              times_ms: r.times_ms!,
              hashes: r.hashes!,
              qualities: [...Buffer.from(r.qualities!, 'hex')],
            }
          : null,
      clips: r.clips.map((k) => ({
        clip_id: k.clip_id,
        pack_id: k.pack_id,
        outcome: {
          id: k.id,
          kind: k.kind,
          action: k.action,
          categories: k.categories,
          rationale: k.rationale,
          lead: k.lead_id ? { id: k.lead_id, name: k.lead_name ?? k.lead_id } : null,
          created_at: k.created_at,
        },
        reviewer_ids: k.reviewer_ids,
      })),
    })),
    cursor: last ? `${last.txid}:${last.src}:${last.seq}` : (cursor ?? ''),
    more,
  }
}
