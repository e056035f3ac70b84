CREATE TABLE `media_hash_pushes` (
	`sha256` text NOT NULL,
	`hasher` text NOT NULL,
	`outcome` text NOT NULL,
	`message` text,
	`answered_at` text NOT NULL,
	PRIMARY KEY(`sha256`, `hasher`)
);
--> statement-breakpoint
CREATE TABLE `team_hashes_waiting` (
	`sha256` text NOT NULL,
	`hasher` text NOT NULL,
	`frame_count` integer NOT NULL,
	`hashes` blob NOT NULL,
	`qualities` blob NOT NULL,
	`times_ms` blob NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`sha256`, `hasher`)
);
