-- Hand-written. What 0002 added, filled in for a service that already holds packs and
-- decisions, and the append-only rules for the new records. No decision is touched.

-- Clips: urgency columns from the clip's own JSON (as pack loads now write them).
UPDATE clips SET
  due_at = (json::jsonb ->> 'due_at')::timestamptz,
  priority = (json::jsonb ->> 'priority')::integer,
  duration_ms = (json::jsonb -> 'media' ->> 'duration_ms')::integer,
  authority = jsonb_path_exists(json::jsonb, '$.flags[*] ? (@.source == "authority_request")');
--> statement-breakpoint
-- Each reviewer's decision in force per clip: the head of their latest chain, as
-- ops/adjudications.ts has always judged it.
INSERT INTO decision_heads (clip_id, reviewer_id, decision_id, pack_id, action, categories, escalation_target, decided_at)
SELECT DISTINCT ON (d.clip_id, d.reviewer_id) d.clip_id, d.reviewer_id, d.id, d.pack_id, d.action, d.categories,
  d.escalation_target, d.decided_at::timestamptz
FROM decisions d
WHERE NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)
ORDER BY d.clip_id, d.reviewer_id, d.decided_at::timestamptz DESC, d.id DESC;
--> statement-breakpoint
-- Adjudications resolved before leads existed were resolved by agreement.
UPDATE adjudications SET resolution = 'agreement' WHERE state = 'resolved';
--> statement-breakpoint
-- Outcomes are derived by the service's own code at its next start (db/start-tasks.ts).
INSERT INTO service_tasks (name) SELECT 'derive-outcomes' WHERE EXISTS (SELECT 1 FROM decision_heads);
--> statement-breakpoint
CREATE TRIGGER outcomes_append_only BEFORE UPDATE OR DELETE ON outcomes FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER outcomes_no_truncate BEFORE TRUNCATE ON outcomes FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER outcome_feed_append_only BEFORE UPDATE OR DELETE ON outcome_feed FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER outcome_feed_no_truncate BEFORE TRUNCATE ON outcome_feed FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER qa_samples_append_only BEFORE UPDATE OR DELETE ON qa_samples FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER qa_samples_no_truncate BEFORE TRUNCATE ON qa_samples FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_export_runs_append_only BEFORE UPDATE OR DELETE ON dsa_export_runs FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_export_runs_no_truncate BEFORE TRUNCATE ON dsa_export_runs FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_export_files_append_only BEFORE UPDATE OR DELETE ON dsa_export_files FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_export_files_no_truncate BEFORE TRUNCATE ON dsa_export_files FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_filings_append_only BEFORE UPDATE OR DELETE ON dsa_filings FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER dsa_filings_no_truncate BEFORE TRUNCATE ON dsa_filings FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER service_audit_append_only BEFORE UPDATE OR DELETE ON service_audit FOR EACH ROW EXECUTE FUNCTION tinjau_refuse_change();
--> statement-breakpoint
CREATE TRIGGER service_audit_no_truncate BEFORE TRUNCATE ON service_audit FOR EACH STATEMENT EXECUTE FUNCTION tinjau_refuse_change();
