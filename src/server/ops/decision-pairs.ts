import type { SQL } from 'drizzle-orm'
import { one, sql, textArray, type Db } from '../db/open'
import { prepared } from '../db/prepared'

/**
 * decision_pairs (db/schema.ts) kept in step with decision_heads: whoever changes a clip's
 * heads calls refreshDecisionPairs for the clip in the same transaction, under the clip lock
 * (lockClips) that already orders the writers of its heads, so two pushes on one clip cannot
 * each write pairs from heads the other has not committed yet.
 *
 * Migration 0005 fills the table with the same SELECT over every clip; keep them equal
 * (src/server/decision-pairs.test.ts checks both against a derivation written in TypeScript).
 */

/** The pairs of the clips whose ids `clips` (a text[] expression) holds, as decision_pairs stores them. */
function pairsOf(clips: SQL): SQL {
  return sql`
    SELECT n.heads AS clip_heads, x.decided_at AS first_at, y.decided_at AS second_at, x.action AS first_action, y.action AS second_action,
      x.reviewer_id AS first_reviewer, y.reviewer_id AS second_reviewer,
      ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(x.categories) c WHERE y.categories ? c ORDER BY c) AS both_categories,
      ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(x.categories) c WHERE NOT y.categories ? c ORDER BY c) AS first_categories,
      ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(y.categories) c WHERE NOT x.categories ? c ORDER BY c) AS second_categories,
      x.clip_id, CASE WHEN x.pack_id = y.pack_id THEN x.pack_id END AS pack_id
    FROM (SELECT clip_id, count(*)::int AS heads FROM decision_heads WHERE clip_id = ANY(${clips}) GROUP BY clip_id HAVING count(*) >= 2) n
    JOIN decision_heads x ON x.clip_id = n.clip_id
    JOIN decision_heads y ON y.clip_id = n.clip_id AND (x.decided_at, x.reviewer_id) < (y.decided_at, y.reviewer_id)`
}

const COLUMNS = sql.raw(`clip_heads, first_at, second_at, first_action, second_action, first_reviewer, second_reviewer,
  both_categories, first_categories, second_categories, clip_id, pack_id`)

/**
 * The rewrite of these clips' pairs from their heads as common table expressions (`pairs_gone`
 * and `pairs_put` return a row for each row deleted, and inserted or updated), touching only rows that
 * differ: the pairs that no longer exist go, new or changed ones are upserted (their keys are
 * disjoint, so the two never meet on a row). They read decision_heads as an earlier statement
 * left it, so a push puts them in its derivations' statement (derive-clips.ts), after the one
 * that refreshed the heads. The text does not vary with the clips (one prepared statement).
 */
export function pairWrites(clipIds: readonly string[]): SQL {
  const ids = textArray([...new Set(clipIds)])
  return sql`pairs_wanted AS (${pairsOf(ids)}),
      pairs_gone AS (
        DELETE FROM decision_pairs p WHERE p.clip_id = ANY(${ids})
          AND NOT EXISTS (SELECT 1 FROM pairs_wanted w WHERE w.clip_id = p.clip_id AND w.first_reviewer = p.first_reviewer AND w.second_reviewer = p.second_reviewer)
        RETURNING 1),
      pairs_put AS (
        INSERT INTO decision_pairs (${COLUMNS}) SELECT ${COLUMNS} FROM pairs_wanted
        ON CONFLICT (clip_id, first_reviewer, second_reviewer) DO UPDATE SET clip_heads = excluded.clip_heads, first_at = excluded.first_at,
          second_at = excluded.second_at, first_action = excluded.first_action, second_action = excluded.second_action,
          both_categories = excluded.both_categories, first_categories = excluded.first_categories,
          second_categories = excluded.second_categories, pack_id = excluded.pack_id
        WHERE (decision_pairs.clip_heads, decision_pairs.first_at, decision_pairs.second_at, decision_pairs.first_action, decision_pairs.second_action,
               decision_pairs.both_categories, decision_pairs.first_categories, decision_pairs.second_categories, decision_pairs.pack_id)
          IS DISTINCT FROM (excluded.clip_heads, excluded.first_at, excluded.second_at, excluded.first_action, excluded.second_action,
               excluded.both_categories, excluded.first_categories, excluded.second_categories, excluded.pack_id)
        RETURNING 1)`
}

/**
 * Rewrites the pairs of these clips from their heads, in one statement (pairWrites). Returns
 * the rows deleted, inserted or updated: 0 when the table was already right, which is what
 * the bench checks its seed by.
 */
export async function refreshDecisionPairs(tx: Db, clipIds: readonly string[]): Promise<number> {
  if (clipIds.length === 0) return 0
  const r = await one<{ changed: number }>(tx, prepared(sql`WITH ${pairWrites(clipIds)} SELECT ((SELECT count(*) FROM pairs_gone) + (SELECT count(*) FROM pairs_put))::int AS changed`))
  return r!.changed
}
