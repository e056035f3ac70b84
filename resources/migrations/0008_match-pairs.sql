CREATE TABLE `media_match_pairs` (
	`query_sha256` text NOT NULL,
	`compared_sha256` text NOT NULL,
	`query_match_percent` real NOT NULL,
	`compared_match_percent` real NOT NULL,
	`best_distance` integer NOT NULL,
	PRIMARY KEY(`query_sha256`, `compared_sha256`),
	FOREIGN KEY (`query_sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`compared_sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `media_match_pairs_compared` ON `media_match_pairs` (`compared_sha256`);--> statement-breakpoint
CREATE TABLE `media_match_scans` (
	`sha256` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	FOREIGN KEY (`sha256`) REFERENCES `media_objects`(`sha256`) ON UPDATE no action ON DELETE no action
);
