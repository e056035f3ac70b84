CREATE TABLE `media_hash_pushes` (
	`sha256` text NOT NULL,
	`hasher` text NOT NULL,
	`outcome` text NOT NULL,
	`message` text,
	`answered_at` text NOT NULL,
	PRIMARY KEY(`sha256`, `hasher`)
);
