-- The outbox's seq becomes the plain rowid: SQLite rebuilds the table to drop AUTOINCREMENT.
-- Outbox rows are never deleted (a trigger, below, now makes the database refuse it), so the
-- rowid's next value is always past every seq ever used, which is all AUTOINCREMENT added;
-- without it a save no longer updates sqlite_sequence, one WAL page less a save. Every row keeps
-- its seq; DROP TABLE removes the sqlite_sequence entry.
-- No PRAGMA foreign_keys here: the migrations run in one transaction, where it does nothing,
-- and nothing refers to the outbox, so dropping it checks no key.
CREATE TABLE `__new_outbox` (
	`seq` integer PRIMARY KEY NOT NULL,
	`decision_id` text NOT NULL,
	`enqueued_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`acked_at` text,
	`rejected_at` text,
	`rejection` text,
	FOREIGN KEY (`decision_id`) REFERENCES `decisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("seq", "decision_id", "enqueued_at", "attempts", "last_error", "acked_at", "rejected_at", "rejection") SELECT "seq", "decision_id", "enqueued_at", "attempts", "last_error", "acked_at", "rejected_at", "rejection" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_decision_id_unique` ON `outbox` (`decision_id`);--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`seq`) WHERE "outbox"."acked_at" IS NULL AND "outbox"."rejected_at" IS NULL;--> statement-breakpoint
CREATE INDEX `outbox_rejected` ON `outbox` (`seq`) WHERE "outbox"."rejected_at" IS NOT NULL;--> statement-breakpoint
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox rows are kept: a seq must never be used twice'); END;
