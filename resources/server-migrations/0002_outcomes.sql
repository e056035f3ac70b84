CREATE TABLE "clip_outcomes" (
	"clip_id" text PRIMARY KEY NOT NULL,
	"pack_id" text NOT NULL,
	"outcome_id" text NOT NULL,
	"kind" text NOT NULL,
	"action" text,
	"due_at" timestamp with time zone,
	"authority" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decision_heads" (
	"clip_id" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"decision_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"action" text NOT NULL,
	"categories" jsonb NOT NULL,
	"escalation_target" text,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "decision_heads_clip_id_reviewer_id_pk" PRIMARY KEY("clip_id","reviewer_id")
);
--> statement-breakpoint
CREATE TABLE "dsa_export_files" (
	"run_id" text NOT NULL,
	"idx" integer NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "dsa_export_files_run_id_idx_pk" PRIMARY KEY("run_id","idx")
);
--> statement-breakpoint
CREATE TABLE "dsa_export_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"since_last" boolean NOT NULL,
	"statements" integer NOT NULL,
	"files" integer NOT NULL,
	"skipped" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dsa_filed" (
	"clip_id" text PRIMARY KEY NOT NULL,
	"outcome_id" text NOT NULL,
	"filing_key" text NOT NULL,
	"run_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dsa_filings" (
	"run_id" text NOT NULL,
	"clip_id" text NOT NULL,
	"outcome_id" text NOT NULL,
	"filing_key" text NOT NULL,
	"puid" text NOT NULL,
	CONSTRAINT "dsa_filings_run_id_clip_id_pk" PRIMARY KEY("run_id","clip_id")
);
--> statement-breakpoint
CREATE TABLE "lead_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"lead_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outcome_feed" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outcome_feed_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reviewer_id" text NOT NULL,
	"clip_id" text NOT NULL,
	"outcome_id" text NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outcomes" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "outcomes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"clip_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"kind" text NOT NULL,
	"action" text,
	"categories" jsonb,
	"escalation_target" text,
	"ranges" jsonb,
	"rationale" text,
	"policy_id" text,
	"policy_version" text,
	"basis" jsonb NOT NULL,
	"source_decision_id" text,
	"lead_id" text,
	"adjudication_id" bigint,
	"previous_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_rules" (
	"pack_id" text PRIMARY KEY NOT NULL,
	"percent" integer NOT NULL,
	"stratify_by_action" boolean NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_samples" (
	"clip_id" text NOT NULL,
	"pack_id" text NOT NULL,
	"decision_id" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"qa_reviewer_id" text NOT NULL,
	"stratum" text NOT NULL,
	"sampled_by" text NOT NULL,
	"sampled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qa_samples_clip_id_qa_reviewer_id_pk" PRIMARY KEY("clip_id","qa_reviewer_id")
);
--> statement-breakpoint
CREATE TABLE "service_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "service_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_tasks" (
	"name" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "adjudications" ADD COLUMN "resolution" text;--> statement-breakpoint
ALTER TABLE "adjudications" ADD COLUMN "settled_by" text;--> statement-breakpoint
ALTER TABLE "adjudications" ADD COLUMN "settled_outcome_id" text;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "purpose" text DEFAULT 'review' NOT NULL;--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "priority" integer;--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "authority" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "status" jsonb;--> statement-breakpoint
ALTER TABLE "dsa_export_files" ADD CONSTRAINT "dsa_export_files_run_id_dsa_export_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."dsa_export_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_sessions" ADD CONSTRAINT "lead_sessions_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_rules" ADD CONSTRAINT "qa_rules_pack_id_packs_id_fk" FOREIGN KEY ("pack_id") REFERENCES "public"."packs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clip_outcomes_kind_due" ON "clip_outcomes" USING btree ("kind","due_at","clip_id");--> statement-breakpoint
CREATE INDEX "clip_outcomes_kind_auth_due" ON "clip_outcomes" USING btree ("kind","authority","due_at","clip_id");--> statement-breakpoint
CREATE INDEX "clip_outcomes_pack" ON "clip_outcomes" USING btree ("pack_id","kind");--> statement-breakpoint
CREATE INDEX "decision_heads_reviewer" ON "decision_heads" USING btree ("reviewer_id","decided_at");--> statement-breakpoint
CREATE INDEX "decision_heads_pack" ON "decision_heads" USING btree ("pack_id");--> statement-breakpoint
CREATE INDEX "dsa_filings_outcome" ON "dsa_filings" USING btree ("outcome_id");--> statement-breakpoint
CREATE INDEX "lead_sessions_lead" ON "lead_sessions" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "outcome_feed_reviewer" ON "outcome_feed" USING btree ("reviewer_id","txid","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "outcomes_seq" ON "outcomes" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "outcomes_clip" ON "outcomes" USING btree ("clip_id","seq");--> statement-breakpoint
CREATE INDEX "qa_samples_pack" ON "qa_samples" USING btree ("pack_id","reviewer_id");--> statement-breakpoint
CREATE INDEX "service_audit_at" ON "service_audit" USING btree ("at");