CREATE TABLE "decision_pairs" (
	"clip_heads" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"second_at" timestamp with time zone NOT NULL,
	"first_action" text NOT NULL,
	"second_action" text NOT NULL,
	"first_reviewer" text NOT NULL,
	"second_reviewer" text NOT NULL,
	"both_categories" text[] NOT NULL,
	"first_categories" text[] NOT NULL,
	"second_categories" text[] NOT NULL,
	"clip_id" text NOT NULL,
	"pack_id" text,
	CONSTRAINT "decision_pairs_clip_id_first_reviewer_second_reviewer_pk" PRIMARY KEY("clip_id","first_reviewer","second_reviewer")
);
--> statement-breakpoint
CREATE INDEX "decision_pairs_time" ON "decision_pairs" USING btree ("first_at");--> statement-breakpoint
CREATE INDEX "decision_pairs_pack" ON "decision_pairs" USING btree ("pack_id","first_at");--> statement-breakpoint
CREATE INDEX "decision_pairs_crowded" ON "decision_pairs" USING btree ("first_at") WHERE "decision_pairs"."clip_heads" > 2;