DROP INDEX "clip_outcomes_kind_due";--> statement-breakpoint
DROP INDEX "clip_outcomes_kind_auth_due";--> statement-breakpoint
CREATE INDEX "clip_outcomes_disputed_due" ON "clip_outcomes" USING btree ("due_at","clip_id") WHERE "clip_outcomes"."kind" = 'disputed';--> statement-breakpoint
CREATE INDEX "clip_outcomes_disputed_auth_due" ON "clip_outcomes" USING btree ("authority","due_at","clip_id") WHERE "clip_outcomes"."kind" = 'disputed';