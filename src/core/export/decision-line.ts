// Its own module, free of imports: the sync client's push (core/sync/push.ts) needs only
// this, and loading the decision pack writer (yazl and the rest) at every start cost time.

/**
 * One decision as one line of decisions.json, made by SQLite's JSON functions: per row, JS
 * receives one finished line instead of an object to parse the stored JSON columns into
 * and stringify again (measured about a third faster at 100,000 decisions). Fields in the
 * documented order; stored ranges (`startMs`…) are renamed to the format's `start_ms`…;
 * `json()` refuses a malformed stored value rather than passing it on. A sync push sends the
 * same lines (core/sync/push.ts); `d` is the decision row, `c` its clip's.
 */
const CORE_FIELDS = `json_object(
  'id', d.id, 'clip_id', d.clip_id, 'pack_id', c.pack_id, 'revises_id', d.revises_id, 'decided_at', d.decided_at,
  'reviewer_id', d.reviewer_id, 'device_id', d.device_id, 'policy_id', d.policy_id, 'policy_version', d.policy_version,
  'categories', json(d.categories), 'action', d.action, 'escalation_target', d.escalation_target,
  'ranges', CASE WHEN d.ranges = '[]' THEN json('[]') ELSE (
    SELECT json_group_array(json_object('start_ms', r.value ->> 'startMs', 'end_ms', r.value ->> 'endMs',
      'label', coalesce(r.value ->> 'label', ''), 'note', coalesce(r.value ->> 'note', '')))
    FROM json_each(d.ranges) r) END,
  'rationale', d.rationale)`

/**
 * `matched_from` (shared/matched-from.ts) goes last and only when the decision has one, so a
 * decision made from scratch is the same line, byte for byte, as before the field existed.
 * It is stored already in the pack's form; `json()` passes it on as an object, not a string.
 */
export const DECISION_LINE = `CASE WHEN d.matched_from IS NULL THEN ${CORE_FIELDS}
  ELSE json_insert(${CORE_FIELDS}, '$.matched_from', json(d.matched_from)) END`
