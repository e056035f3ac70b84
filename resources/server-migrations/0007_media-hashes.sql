CREATE TABLE "media_hashes" (
	"sha256" text NOT NULL,
	"hasher" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "media_hashes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"hashes_per_frame" integer NOT NULL,
	"frame_count" integer NOT NULL,
	"hashes" "bytea" NOT NULL,
	"qualities" "bytea" NOT NULL,
	"times_ms" jsonb NOT NULL,
	"reviewer_id" text NOT NULL,
	"device_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "media_hashes_sha256_hasher_pk" PRIMARY KEY("sha256","hasher")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "media_hashes_seq" ON "media_hashes" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "media_hashes_feed" ON "media_hashes" USING btree ("txid","seq");--> statement-breakpoint
CREATE INDEX "outcomes_feed" ON "outcomes" USING btree ("txid","seq");