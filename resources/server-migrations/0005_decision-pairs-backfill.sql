-- Hand-written. decision_pairs for a service that already holds decisions: every two
-- decisions in force on a clip, first and second by (decided_at, reviewer_id), exactly as
-- refreshDecisionPairs (src/server/ops/decision-pairs.ts) writes them after each push, so
-- the agreement report gives the same figures before and after the upgrade.
INSERT INTO decision_pairs (clip_heads, first_at, second_at, first_action, second_action, first_reviewer, second_reviewer,
  both_categories, first_categories, second_categories, clip_id, pack_id)
SELECT n.heads, x.decided_at, y.decided_at, x.action, y.action, x.reviewer_id, y.reviewer_id,
  ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(x.categories) c WHERE y.categories ? c ORDER BY c),
  ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(x.categories) c WHERE NOT y.categories ? c ORDER BY c),
  ARRAY(SELECT DISTINCT c FROM jsonb_array_elements_text(y.categories) c WHERE NOT x.categories ? c ORDER BY c),
  x.clip_id, CASE WHEN x.pack_id = y.pack_id THEN x.pack_id END
FROM (SELECT clip_id, count(*)::int AS heads FROM decision_heads GROUP BY clip_id HAVING count(*) >= 2) n
JOIN decision_heads x ON x.clip_id = n.clip_id
JOIN decision_heads y ON y.clip_id = n.clip_id AND (x.decided_at, x.reviewer_id) < (y.decided_at, y.reviewer_id)
ORDER BY x.clip_id;
