CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`device_id` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`payload` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `clip_flags` (
	`clip_id` text NOT NULL,
	`idx` integer NOT NULL,
	`source` text NOT NULL,
	`label` text NOT NULL,
	`score` real,
	`at_ms` integer,
	`count` integer,
	`reference` text,
	`due_at` text,
	PRIMARY KEY(`clip_id`, `idx`),
	FOREIGN KEY (`clip_id`) REFERENCES `clips`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clip_flags_label` ON `clip_flags` (`label`);--> statement-breakpoint
CREATE INDEX `clip_flags_source` ON `clip_flags` (`source`);--> statement-breakpoint
CREATE TABLE `clips` (
	`id` text PRIMARY KEY NOT NULL,
	`pack_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`captured_at` text NOT NULL,
	`due_at` text,
	`due_sort` integer NOT NULL,
	`priority` real,
	`media_sha256` text NOT NULL,
	`poster_sha256` text,
	`duration_ms` integer,
	`stream_title` text,
	`account_handle` text,
	`region` text,
	`commerce` integer NOT NULL,
	`flag_labels` text NOT NULL,
	`flag_sources` text NOT NULL,
	`raw_json` text NOT NULL,
	`imported_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`pack_id`) REFERENCES `packs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`media_sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`poster_sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clips_status_due` ON `clips` (`status`,`due_sort`,`id`);--> statement-breakpoint
CREATE INDEX `clips_due` ON `clips` (`due_sort`,`id`);--> statement-breakpoint
CREATE INDEX `clips_pack` ON `clips` (`pack_id`);--> statement-breakpoint
CREATE TABLE `decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`clip_id` text NOT NULL,
	`revises_id` text,
	`policy_id` text NOT NULL,
	`policy_version` text NOT NULL,
	`categories` text NOT NULL,
	`action` text NOT NULL,
	`escalation_target` text,
	`ranges` text NOT NULL,
	`rationale` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`device_id` text NOT NULL,
	`decided_at` text NOT NULL,
	FOREIGN KEY (`clip_id`) REFERENCES `clips`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revises_id`) REFERENCES `decisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decisions_clip` ON `decisions` (`clip_id`,`decided_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `decisions_revises` ON `decisions` (`revises_id`) WHERE "decisions"."revises_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `decisions_time` ON `decisions` (`decided_at`);--> statement-breakpoint
CREATE TABLE `media_objects` (
	`sha256` text PRIMARY KEY NOT NULL,
	`bytes` integer NOT NULL,
	`mime` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`decision_id` text NOT NULL,
	`enqueued_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`acked_at` text,
	FOREIGN KEY (`decision_id`) REFERENCES `decisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_decision_id_unique` ON `outbox` (`decision_id`);--> statement-breakpoint
CREATE TABLE `packs` (
	`id` text PRIMARY KEY NOT NULL,
	`manifest_sha256` text NOT NULL,
	`created_at` text NOT NULL,
	`issuer_name` text,
	`issuer_key` text,
	`policy_id` text,
	`policy_version` text,
	`signed` integer NOT NULL,
	`clip_count` integer NOT NULL,
	`header_json` text NOT NULL,
	`imported_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
