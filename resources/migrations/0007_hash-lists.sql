CREATE TABLE `hash_list_entries` (
	`list_id` text NOT NULL,
	`entry_id` text NOT NULL,
	`label` text NOT NULL,
	`kind` text NOT NULL,
	`media_sha256` text,
	`hasher` text NOT NULL,
	`frame_count` integer NOT NULL,
	`hashes` blob NOT NULL,
	`qualities` blob NOT NULL,
	`times_ms` blob NOT NULL,
	`action` text NOT NULL,
	`categories` text NOT NULL,
	`rationale` text NOT NULL,
	`policy_id` text,
	`policy_version` text,
	`decided_by` text,
	`decided_at` text,
	`source_clip_id` text,
	PRIMARY KEY(`list_id`, `entry_id`),
	FOREIGN KEY (`list_id`) REFERENCES `hash_lists`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `hash_list_entries_media` ON `hash_list_entries` (`media_sha256`);--> statement-breakpoint
CREATE TABLE `hash_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	`issuer_name` text NOT NULL,
	`issuer_key` text NOT NULL,
	`json_sha256` text,
	`entry_count` integer NOT NULL,
	`frame_count` integer NOT NULL,
	`imported_at` text NOT NULL
);
