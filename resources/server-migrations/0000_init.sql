CREATE TABLE "adjudications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "adjudications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"clip_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"state" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"decisions" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignment_changes" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "assignment_changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reviewer_id" text NOT NULL,
	"clip_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"reviewer_id" text NOT NULL,
	"clip_id" text NOT NULL,
	"active" boolean NOT NULL,
	"first_assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assignments_reviewer_id_clip_id_pk" PRIMARY KEY("reviewer_id","clip_id")
);
--> statement-breakpoint
CREATE TABLE "clips" (
	"id" text PRIMARY KEY NOT NULL,
	"pack_id" text NOT NULL,
	"idx" integer NOT NULL,
	"json" text NOT NULL,
	"json_sha256" text NOT NULL,
	"media_sha256" text NOT NULL,
	"poster_sha256" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"clip_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"revises_id" text,
	"decided_at" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"device_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"policy_version" text NOT NULL,
	"categories" jsonb NOT NULL,
	"action" text NOT NULL,
	"escalation_target" text,
	"ranges" jsonb NOT NULL,
	"rationale" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"reviewer_id" text NOT NULL,
	"public_key" text NOT NULL,
	"name" text,
	"token_hash" text NOT NULL,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "enrollment_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"reviewer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_device" text
);
--> statement-breakpoint
CREATE TABLE "media_objects" (
	"sha256" text PRIMARY KEY NOT NULL,
	"bytes" bigint NOT NULL,
	"mime" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "packs" (
	"id" text PRIMARY KEY NOT NULL,
	"manifest_sha256" text NOT NULL,
	"created_at" text NOT NULL,
	"issuer" jsonb,
	"policy" jsonb,
	"signed" boolean NOT NULL,
	"extra" jsonb NOT NULL,
	"clip_count" integer NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "push_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "push_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"device_id" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"public_key" text NOT NULL,
	"batch_ref" text NOT NULL,
	"body" "bytea" NOT NULL,
	"signature" "bytea" NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limits_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "reviewers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_reviewer_id_reviewers_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."reviewers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_clip_id_clips_id_fk" FOREIGN KEY ("clip_id") REFERENCES "public"."clips"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clips" ADD CONSTRAINT "clips_pack_id_packs_id_fk" FOREIGN KEY ("pack_id") REFERENCES "public"."packs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_batch_id_push_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."push_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_reviewer_id_reviewers_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."reviewers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_reviewer_id_reviewers_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."reviewers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "adjudications_clip" ON "adjudications" USING btree ("clip_id");--> statement-breakpoint
CREATE UNIQUE INDEX "adjudications_open" ON "adjudications" USING btree ("clip_id") WHERE "adjudications"."state" = 'open';--> statement-breakpoint
CREATE INDEX "assignment_changes_reviewer" ON "assignment_changes" USING btree ("reviewer_id","seq");--> statement-breakpoint
CREATE INDEX "assignments_clip" ON "assignments" USING btree ("clip_id");--> statement-breakpoint
CREATE INDEX "clips_pack" ON "clips" USING btree ("pack_id","idx");--> statement-breakpoint
CREATE INDEX "clips_media" ON "clips" USING btree ("media_sha256");--> statement-breakpoint
CREATE INDEX "clips_poster" ON "clips" USING btree ("poster_sha256");--> statement-breakpoint
CREATE INDEX "decisions_clip" ON "decisions" USING btree ("clip_id");--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_revises" ON "decisions" USING btree ("revises_id") WHERE "decisions"."revises_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "decisions_reviewer" ON "decisions" USING btree ("reviewer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_token" ON "devices" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "devices_reviewer" ON "devices" USING btree ("reviewer_id");--> statement-breakpoint
CREATE INDEX "devices_key" ON "devices" USING btree ("public_key");