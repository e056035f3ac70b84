CREATE TABLE `media_hashes` (
	`sha256` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`hasher` text NOT NULL,
	`frame_count` integer DEFAULT 0 NOT NULL,
	`hashes` blob,
	`qualities` blob,
	`times_ms` blob,
	`error` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `media_hashes_status` ON `media_hashes` (`status`);--> statement-breakpoint
CREATE INDEX `clips_media` ON `clips` (`media_sha256`);