ALTER TABLE `outbox` ADD `rejected_at` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `rejection` text;--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`seq`) WHERE "outbox"."acked_at" IS NULL AND "outbox"."rejected_at" IS NULL;