/**
 * The state bench/lead.bench.ts measures, written straight into the sync service's tables
 * with bulk SQL (INSERT … SELECT over generate_series), as the service itself would have
 * left it after packs were loaded, assigned, pushed and derived:
 *
 *   packs, media_objects, clips (pack JSON as text, its sha256, due_at / priority /
 *   duration / authority read from the JSON exactly as ops/packs.ts reads them),
 *   reviewers, devices (one per reviewer) with their used enrollment codes, assignments
 *   and their numbered assignment_changes, push_batches (the batch body is the real JSON
 *   of the decisions it carried, one batch per reviewer and hour), decisions (with
 *   revisions), decision_heads (the same statement as migration 0003), decision_pairs (the
 *   same statement as migration 0005), outcomes with their history (pending → consensus /
 *   disputed, a revision back into agreement), clip_outcomes, outcome_feed (one row per
 *   outcome and basis reviewer), adjudications (open for every disputed clip, resolved by
 *   agreement for the revised ones).
 *
 * What it does not make: signatures that verify (the seeded batches carry 64 placeholder
 * bytes: no measured path checks them; the pushes of figure 5 are really signed), QA rules
 * and samples, leads (the bench adds its own), DSA runs.
 *
 * Per block of 55 clips (10,000 blocks at full scale; `unit` below):
 *
 *   k  0– 4  disputed     r1 and r2 disagree                 2 decisions   (50,000 clips)
 *   k  5–14  restricted   r1 and r2 agree on a restriction   2 decisions  (100,000 clips)
 *   k 15–41  allow        r1 and r2 agree on allow           2 decisions  (270,000 clips)
 *   k 42–44  revised      r1 removes, r2 allows, r1 revises
 *                         into allow: consensus again        3 decisions   (30,000 clips)
 *   k 45–48  single       r1 alone, allow                    1 decision    (40,000 clips)
 *   k 49–51  pending      r1 decided, r2 not yet             1 decision    (30,000 clips)
 *   k 52–54  undecided    r1 and r2 assigned, no decision    0             (30,000 clips)
 *
 * That is 100 decisions per block: 1,000,000 decisions (970,000 in force) on 550,000 clips
 * in 10 packs, 1,070,000 assignments, 1,000,000 outcomes. Plus the pack `pk-bench-push`
 * (clips for figure 5's pushes, loaded but not assigned). Reviewers r1 ≠ r2 rotate over
 * the 100; times spread over the 30 days before the seed; due times from capture to 30
 * days after it (about half overdue); 2 % of clips flagged by an authority's request.
 */

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { migrationsFolder } from '../src/server/db/open'

export const SEED_VERSION = 3
export const REVIEWERS = 100
export const PACKS = 10
export const BLOCK = 55

export interface SeedShape {
  /** Blocks of 55 clips; 10,000 at full scale. Even, so packs split evenly. */
  unit: number
  /** Clips of the push pack (figure 5). */
  pushClips: number
}

export function expected(shape: SeedShape) {
  const u = shape.unit
  return {
    clips: BLOCK * u,
    decisions: 100 * u,
    heads: 97 * u,
    disputed: 5 * u,
    restricted: 10 * u,
    /** Clips two or more reviewers decided (what the agreement report covers). */
    pairs: 45 * u,
  }
}

/**
 * decision_pairs as migration 0005 derives them, read from the migration itself (its comment
 * lines dropped) so the seed and an upgraded service can never derive them differently.
 */
const PAIRS_BACKFILL = readFileSync(path.join(migrationsFolder(), '0005_decision-pairs-backfill.sql'), 'utf8')
  .split('\n')
  .filter((line) => !line.startsWith('--'))
  .join('\n')
  .trim()

const iso = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
const isoMs = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** A clip object in field-pack v1's shape (as src/core/testing/make-pack.ts makes them), as json text, key order kept. */
function clipJson(n: string, id: string, captured: string, media: string): string {
  return `json_build_object(
    'id', ${id},
    'captured_at', ${iso(captured)},
    'media', json_build_object('path', 'media/m-' || (${n} % 16) || '.webm', 'sha256', ${media}, 'bytes', 65536 + ${n} % 16,
      'mime', 'video/webm', 'duration_ms', 30000, 'width', 640, 'height', 360),
    'stream', json_build_object('id', 'live-' || ${id}, 'title', 'Stream ' || ${id} || ' (jualan malam)', 'started_at', ${iso(`${captured} - interval '25 minutes'`)},
      'region', 'ID-JK', 'language', 'id', 'commerce', ${n} % 3 = 0, 'viewer_peak', 100 + ${n} % 5000),
    'account', json_build_object('id', 'acct-' || (${n} % 20000), 'handle', 'seller.' || (${n} % 20000), 'display_name', 'Seller ' || (${n} % 20000),
      'type', CASE WHEN ${n} % 4 = 0 THEN 'private' ELSE 'business' END, 'followers', ${n} % 100000, 'prior_strikes', ${n} % 3),
    'segment', json_build_object('start_ms', 1510000, 'end_ms', 1540000),
    'flags', CASE WHEN ${n} % 50 = 7
      THEN json_build_array(
        json_build_object('source', 'classifier', 'label', 'violence.arson', 'score', 0.5 + (${n} % 50) / 100.0, 'at_ms', 12000),
        json_build_object('source', 'authority_request', 'label', 'public_safety.provocation', 'reference', 'REQ-2025-' || ${n}, 'due_at', ${iso(`${captured} + interval '2 hours'`)}))
      ELSE json_build_array(
        json_build_object('source', 'classifier', 'label', 'violence.arson', 'score', 0.5 + (${n} % 50) / 100.0, 'at_ms', 12000),
        json_build_object('source', 'user_report', 'label', 'public_safety.provocation', 'count', 1 + ${n} % 40)) END,
    'transcript', json_build_array(json_build_object('at_ms', 11000, 'end_ms', 14000, 'text', 'ayo kumpul di depan pasar jam delapan')),
    'chat', json_build_array(json_build_object('at_ms', 12500, 'author', 'user' || (${n} % 997), 'text', 'bakar!'),
      json_build_object('at_ms', 13100, 'author', 'user' || (${n} % 991), 'text', 'jangan, ada polisi')),
    'priority', (${n} * 31) % 101,
    'due_at', ${iso(`${captured} + ((${n} * 13) % 720) * interval '1 hour'`)}
  )::text`
}

/** The clips columns from the clip's JSON (`jb`, the text `j` parsed once), as ops/packs.ts derives them from its text. */
const CLIP_DERIVED = `(jb ->> 'due_at')::timestamptz, (jb ->> 'priority')::integer, (jb -> 'media' ->> 'duration_ms')::integer,
  jsonb_path_exists(jb, '$.flags[*] ? (@.source == "authority_request")')`

export interface SeedStep {
  name: string
  sql: string
}

/** The statements, in order; `t` is the seed's "now" (an RFC 3339 literal). */
export function seedSteps(shape: SeedShape, t: string): SeedStep[] {
  const u = shape.unit
  if (!Number.isInteger(u) || u < 2 || u % 2 !== 0) throw new Error(`seed unit must be an even integer ≥ 2, not ${u}`)
  const total = BLOCK * u
  const perPack = total / PACKS
  const T = `'${t}'::timestamptz`
  const dec = (slot: string) => `md5(clip_id || '/' || ${slot})::uuid::text`
  return [
    {
      name: 'reviewers, devices, enrollment codes',
      sql: `
        INSERT INTO reviewers (id, name, created_at)
        SELECT 'rv-' || lpad(i::text, 3, '0'), 'Reviewer ' || lpad(i::text, 3, '0'), ${T} - interval '60 days' FROM generate_series(0, ${REVIEWERS - 1}) i;
        INSERT INTO devices (id, reviewer_id, public_key, name, token_hash, enrolled_at, last_sync_at)
        SELECT 'dev-seed-rv-' || lpad(i::text, 3, '0'), 'rv-' || lpad(i::text, 3, '0'),
          'ed25519:' || encode(sha256(('seed-key-' || i)::bytea), 'base64'), 'laptop ' || i,
          encode(sha256(('seed-token-' || i)::bytea), 'hex'), ${T} - interval '59 days', ${T} - i * interval '1 minute'
        FROM generate_series(0, ${REVIEWERS - 1}) i;
        INSERT INTO enrollment_codes (code_hash, reviewer_id, created_at, expires_at, used_at, used_by_device)
        SELECT encode(sha256(('seed-code-' || i)::bytea), 'hex'), 'rv-' || lpad(i::text, 3, '0'), ${T} - interval '60 days',
          ${T} - interval '53 days', ${T} - interval '59 days', 'dev-seed-rv-' || lpad(i::text, 3, '0')
        FROM generate_series(0, ${REVIEWERS - 1}) i;`,
    },
    {
      name: 'packs, media',
      sql: `
        CREATE UNLOGGED TABLE bench_media AS
        SELECT i, encode(sha256(('seed-media-' || i)::bytea), 'hex') AS sha256 FROM generate_series(0, 15) i;
        INSERT INTO media_objects (sha256, bytes, mime) SELECT sha256, 65536 + i, 'video/webm' FROM bench_media;
        INSERT INTO packs (id, manifest_sha256, created_at, issuer, policy, signed, extra, clip_count, loaded_at, updated_at)
        SELECT 'pk-bench-' || lpad(p::text, 2, '0'), encode(sha256(('seed-pack-' || p)::bytea), 'hex'),
          ${iso(`${T} - interval '30 days' + p * interval '2.9 days' - interval '1 day'`)},
          '{"name": "T&S Bench"}'::jsonb, '{"id": "live-safety", "version": "2025.09"}'::jsonb, false, '{}'::jsonb, ${perPack},
          ${T} - interval '30 days' + p * interval '2.9 days' - interval '1 hour', ${T} - interval '30 days' + p * interval '2.9 days' - interval '1 hour'
        FROM generate_series(0, ${PACKS - 1}) p;
        INSERT INTO packs (id, manifest_sha256, created_at, issuer, policy, signed, extra, clip_count, loaded_at, updated_at)
        VALUES ('pk-bench-push', encode(sha256('seed-pack-push'::bytea), 'hex'), ${iso(`${T} - interval '3 hours'`)},
          '{"name": "T&S Bench"}'::jsonb, '{"id": "live-safety", "version": "2025.09"}'::jsonb, false, '{}'::jsonb, ${shape.pushClips},
          ${T} - interval '2 hours', ${T} - interval '2 hours');`,
    },
    {
      name: 'clip plan (staging)',
      sql: `
        CREATE UNLOGGED TABLE bench_plan AS
        SELECT n, k, b,
          'c-' || lpad(n::text, 7, '0') AS clip_id,
          'pk-bench-' || lpad((n / ${perPack})::text, 2, '0') AS pack_id,
          (n % ${perPack})::int AS idx,
          CASE WHEN k < 5 THEN 'disputed' WHEN k < 15 THEN 'restricted' WHEN k < 42 THEN 'allow' WHEN k < 45 THEN 'revised'
               WHEN k < 49 THEN 'single' WHEN k < 52 THEN 'pending' ELSE 'undecided' END AS cls,
          'rv-' || lpad(((b + 7 * k) % ${REVIEWERS})::text, 3, '0') AS r1,
          'rv-' || lpad((((b + 7 * k) % ${REVIEWERS} + 1 + b % ${REVIEWERS - 1}) % ${REVIEWERS})::text, 3, '0') AS r2,
          ${T} - interval '30 days' + (n::float8 / ${total}) * interval '29 days' AS captured
        FROM (SELECT n, n % ${BLOCK} AS k, n / ${BLOCK} AS b FROM generate_series(0, ${total - 1}) n) s;
        CREATE INDEX ON bench_plan (clip_id);`,
    },
    {
      name: 'clips',
      sql: `
        INSERT INTO clips (id, pack_id, idx, json, json_sha256, media_sha256, poster_sha256, due_at, priority, duration_ms, authority, updated_at)
        SELECT clip_id, pack_id, idx, j, encode(sha256(convert_to(j, 'UTF8')), 'hex'), media, NULL, ${CLIP_DERIVED}, loaded
        FROM (
          SELECT *, j::jsonb AS jb FROM (
            SELECT p.clip_id, p.pack_id, p.idx, m.sha256 AS media, pk.loaded_at AS loaded, ${clipJson('p.n', 'p.clip_id', 'p.captured', 'm.sha256')} AS j
            FROM bench_plan p JOIN bench_media m ON m.i = p.n % 16 JOIN packs pk ON pk.id = p.pack_id OFFSET 0
          ) y OFFSET 0
        ) x;
        INSERT INTO clips (id, pack_id, idx, json, json_sha256, media_sha256, poster_sha256, due_at, priority, duration_ms, authority, updated_at)
        SELECT id, 'pk-bench-push', n, j, encode(sha256(convert_to(j, 'UTF8')), 'hex'), media, NULL, ${CLIP_DERIVED}, ${T} - interval '2 hours'
        FROM (
          SELECT *, j::jsonb AS jb FROM (
            SELECT g.n, 'cp-' || lpad(g.n::text, 7, '0') AS id, m.sha256 AS media,
              ${clipJson('g.n', `('cp-' || lpad(g.n::text, 7, '0'))`, `${T} - interval '3 hours' + g.n * interval '100 milliseconds'`, 'm.sha256')} AS j
            FROM generate_series(0, ${shape.pushClips - 1}) g(n) JOIN bench_media m ON m.i = g.n % 16 OFFSET 0
          ) y OFFSET 0
        ) x;`,
    },
    {
      name: 'assignments, assignment changes',
      sql: `
        CREATE UNLOGGED TABLE bench_asg AS
        SELECT p.r1 AS reviewer_id, p.clip_id, p.pack_id, p.idx, pk.loaded_at + interval '10 minutes' AS at
          FROM bench_plan p JOIN packs pk ON pk.id = p.pack_id
        UNION ALL
        SELECT p.r2, p.clip_id, p.pack_id, p.idx, pk.loaded_at + interval '10 minutes'
          FROM bench_plan p JOIN packs pk ON pk.id = p.pack_id WHERE p.cls <> 'single';
        INSERT INTO assignments (reviewer_id, clip_id, active, purpose, first_assigned_at)
        SELECT reviewer_id, clip_id, true, 'review', at FROM bench_asg ORDER BY reviewer_id, clip_id;
        INSERT INTO assignment_changes (reviewer_id, clip_id, pack_id, kind, at)
        SELECT reviewer_id, clip_id, pack_id, 'assigned', at FROM bench_asg ORDER BY at, pack_id, reviewer_id, idx;
        DROP TABLE bench_asg;`,
    },
    {
      name: 'decisions (staging)',
      sql: `
        CREATE UNLOGGED TABLE bench_dec AS
        WITH slots AS (
          SELECT p.*, s.slot FROM bench_plan p CROSS JOIN (VALUES (1), (2), (3)) s(slot)
           WHERE (s.slot = 1 AND p.cls <> 'undecided')
              OR (s.slot = 2 AND p.cls IN ('disputed', 'restricted', 'allow', 'revised'))
              OR (s.slot = 3 AND p.cls = 'revised')
        ), shaped AS (
          SELECT clip_id, pack_id, cls, n, b, slot, CASE WHEN slot = 2 THEN r2 ELSE r1 END AS reviewer_id,
            captured + interval '20 minutes' + (n % 600) * interval '1 second'
              + CASE WHEN slot >= 2 THEN interval '35 minutes' + (n % 300) * interval '1 second' ELSE interval '0' END
              + CASE WHEN slot = 3 THEN interval '2 hours' ELSE interval '0' END AS decided,
            CASE
              WHEN cls = 'restricted' THEN (ARRAY['remove', 'limit', 'age_restrict', 'label', 'end_live', 'suspend_account'])[b % 6 + 1]
              WHEN cls IN ('allow', 'single') THEN 'allow'
              WHEN cls = 'disputed' THEN CASE b % 3 WHEN 0 THEN (ARRAY['remove', 'allow'])[slot] WHEN 1 THEN (ARRAY['remove', 'limit'])[slot] ELSE 'remove' END
              WHEN cls = 'revised' THEN (ARRAY['remove', 'allow', 'allow'])[slot]
              ELSE (ARRAY['remove', 'allow'])[b % 2 + 1]
            END AS action,
            CASE
              WHEN cls = 'restricted' THEN CASE b % 6
                WHEN 0 THEN '["violence.arson"]' WHEN 1 THEN '["public_safety.provocation"]' WHEN 2 THEN '["violence.graphic"]'
                WHEN 3 THEN '["misinformation"]' WHEN 5 THEN '["commerce.fraud"]'
                -- the same set in another order: agreement is on the set
                ELSE (ARRAY['["violence.incitement", "public_safety.coordination"]', '["public_safety.coordination", "violence.incitement"]'])[slot] END
              WHEN cls = 'allow' THEN (ARRAY['["ok.commerce"]', '["ok.news"]', '["ok.expression"]', '["ok.other"]'])[b % 4 + 1]
              WHEN cls = 'single' THEN '["ok.other"]'
              WHEN cls = 'disputed' THEN CASE b % 3 WHEN 0 THEN (ARRAY['["violence.arson"]', '["ok.news"]'])[slot] WHEN 1 THEN '["hate"]'
                ELSE (ARRAY['["violence.arson"]', '["violence.incitement"]'])[slot] END
              WHEN cls = 'revised' THEN (ARRAY['["violence.incitement"]', '["ok.expression"]', '["ok.expression"]'])[slot]
              ELSE (ARRAY['["violence.arson"]', '["ok.other"]'])[b % 2 + 1]
            END::jsonb AS categories
          FROM slots
        )
        SELECT ${dec('slot')} AS id, clip_id, pack_id, cls, slot, reviewer_id, 'dev-seed-' || reviewer_id AS device_id,
          CASE WHEN slot = 3 THEN ${dec('1')} END AS revises_id,
          decided, ${isoMs('decided')} AS decided_at, action, categories,
          CASE WHEN action = 'allow' THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('start_ms', 1000 * (n % 20 + 1), 'end_ms', 1000 * (n % 20 + 4), 'label', 'call to burn', 'note', '')) END AS ranges,
          CASE WHEN action = 'allow' THEN '' ELSE 'Seen at 0:' || lpad((n % 60)::text, 2, '0') || ': urges the crowd to burn the market stalls; chat joins in.' END AS rationale,
          'seed-' || reviewer_id || '-' || to_char(date_trunc('hour', decided AT TIME ZONE 'UTC'), 'YYYYMMDDHH24') AS batch_ref,
          (date_trunc('hour', decided AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '1 hour 1 minute' AS received
        FROM shaped;
        CREATE INDEX ON bench_dec (clip_id, slot);`,
    },
    {
      name: 'push batches (the real JSON body of each batch)',
      sql: `
        INSERT INTO push_batches (kind, device_id, reviewer_id, public_key, batch_ref, body, signature, received_at)
        SELECT 'push', dv.id, g.reviewer_id, dv.public_key, g.batch_ref,
          convert_to(json_build_object('batch_id', g.batch_ref, 'device_id', dv.id, 'decisions', g.decisions)::text, 'UTF8'),
          decode(md5(g.batch_ref) || md5(g.batch_ref || '/1') || md5(g.batch_ref || '/2') || md5(g.batch_ref || '/3'), 'hex'),
          g.received
        FROM (
          SELECT batch_ref, reviewer_id, min(received) AS received,
            json_agg(json_build_object('id', id, 'clip_id', clip_id, 'pack_id', pack_id, 'revises_id', revises_id, 'decided_at', decided_at,
              'reviewer_id', reviewer_id, 'device_id', device_id, 'policy_id', 'live-safety', 'policy_version', '2025.09',
              'categories', categories, 'action', action, 'escalation_target', NULL, 'ranges', ranges, 'rationale', rationale) ORDER BY decided, id) AS decisions
          FROM bench_dec GROUP BY batch_ref, reviewer_id
        ) g JOIN devices dv ON dv.id = 'dev-seed-' || g.reviewer_id
        ORDER BY g.received, g.batch_ref;`,
    },
    {
      name: 'decisions',
      sql: `
        INSERT INTO decisions (id, clip_id, pack_id, revises_id, decided_at, reviewer_id, device_id, policy_id, policy_version,
          categories, action, escalation_target, ranges, rationale, batch_id, received_at)
        SELECT d.id, d.clip_id, d.pack_id, d.revises_id, d.decided_at, d.reviewer_id, d.device_id, 'live-safety', '2025.09',
          d.categories, d.action, NULL, d.ranges, d.rationale, pb.id, pb.received_at
        FROM bench_dec d JOIN push_batches pb ON pb.batch_ref = d.batch_ref
        ORDER BY pb.id, d.decided, d.id;`,
    },
    {
      name: 'decision heads (as migration 0003 derives them)',
      sql: `
        INSERT INTO decision_heads (clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at)
        SELECT DISTINCT ON (d.clip_id, d.reviewer_id) d.clip_id, d.reviewer_id, d.id, d.pack_id, d.action, d.categories,
          d.escalation_target, d.decided_at::timestamptz
        FROM decisions d
        WHERE NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
        ORDER BY d.clip_id, d.reviewer_id, d.decided_at::timestamptz DESC, d.id DESC;`,
    },
    {
      name: 'decision pairs (as migration 0005 derives them)',
      sql: PAIRS_BACKFILL,
    },
    {
      name: 'outcomes with their history',
      sql: `
        CREATE UNLOGGED TABLE bench_out AS
        SELECT p.clip_id, p.pack_id, s.step, s.kind, s.basis, s.source, s.at_slot, md5('o/' || p.clip_id || '/' || s.step)::uuid::text AS id
        FROM bench_plan p JOIN (VALUES
          ('disputed', 1, 'pending', '{1}'::int[], NULL::int, 1), ('disputed', 2, 'disputed', '{1,2}', NULL, 2),
          ('restricted', 1, 'pending', '{1}', NULL, 1), ('restricted', 2, 'consensus', '{1,2}', 1, 2),
          ('allow', 1, 'pending', '{1}', NULL, 1), ('allow', 2, 'consensus', '{1,2}', 1, 2),
          ('revised', 1, 'pending', '{1}', NULL, 1), ('revised', 2, 'disputed', '{1,2}', NULL, 2), ('revised', 3, 'consensus', '{2,3}', 2, 3),
          ('single', 1, 'single_review', '{1}', 1, 1),
          ('pending', 1, 'pending', '{1}', NULL, 1)
        ) AS s(cls, step, kind, basis, source, at_slot) ON s.cls = p.cls;
        INSERT INTO outcomes (id, clip_id, pack_id, kind, action, categories, escalation_target, ranges, rationale, policy_id, policy_version,
          basis, source_decision_id, lead_id, adjudication_id, previous_id, created_at)
        SELECT o.id, o.clip_id, o.pack_id, o.kind, src.action,
          CASE WHEN src.id IS NULL THEN NULL ELSE
            (SELECT jsonb_agg(DISTINCT c ORDER BY c) FROM (SELECT e COLLATE "C" AS c FROM jsonb_array_elements_text(src.categories) e) q) END,
          NULL, src.ranges, src.rationale, CASE WHEN src.id IS NULL THEN NULL ELSE 'live-safety' END, CASE WHEN src.id IS NULL THEN NULL ELSE '2025.09' END,
          (SELECT jsonb_agg(jsonb_build_object('id', d.id, 'reviewer_id', d.reviewer_id, 'action', d.action, 'categories', d.categories) ORDER BY d.reviewer_id)
             FROM bench_dec d WHERE d.clip_id = o.clip_id AND d.slot = ANY(o.basis)),
          src.id, NULL, NULL, lag(o.id) OVER (PARTITION BY o.clip_id ORDER BY o.step), at.received
        FROM bench_out o
        LEFT JOIN bench_dec src ON src.clip_id = o.clip_id AND src.slot = o.source
        JOIN bench_dec at ON at.clip_id = o.clip_id AND at.slot = o.at_slot
        ORDER BY at.received, o.clip_id, o.step;`,
    },
    {
      name: 'clip outcomes, outcome feed, adjudications',
      sql: `
        INSERT INTO clip_outcomes (clip_id, pack_id, outcome_id, kind, action, due_at, authority, updated_at)
        SELECT DISTINCT ON (o.clip_id) o.clip_id, o.pack_id, o.id, o.kind, o.action, c.due_at, c.authority, o.created_at
        FROM outcomes o JOIN clips c ON c.id = o.clip_id ORDER BY o.clip_id, o.seq DESC;
        INSERT INTO outcome_feed (reviewer_id, clip_id, outcome_id)
        SELECT b ->> 'reviewer_id', o.clip_id, o.id FROM outcomes o CROSS JOIN LATERAL jsonb_array_elements(o.basis) b
        ORDER BY o.seq, b ->> 'reviewer_id';
        INSERT INTO adjudications (clip_id, pack_id, state, opened_at, resolved_at, resolution, settled_by, settled_outcome_id, decisions)
        SELECT o.clip_id, o.pack_id, CASE WHEN nxt.id IS NULL THEN 'open' ELSE 'resolved' END, o.created_at, nxt.created_at,
          CASE WHEN nxt.id IS NULL THEN NULL ELSE 'agreement' END, NULL, NULL, o.basis
        FROM outcomes o LEFT JOIN outcomes nxt ON nxt.previous_id = o.id
        WHERE o.kind = 'disputed' ORDER BY o.seq;`,
    },
    {
      name: 'drop staging',
      sql: `DROP TABLE bench_out; DROP TABLE bench_dec; DROP TABLE bench_plan; DROP TABLE bench_media;`,
    },
  ]
}
