CREATE TABLE `clip_search_state` (
	`clip_rowid` integer PRIMARY KEY NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
DROP INDEX `clips_status_due`;--> statement-breakpoint
DROP INDEX `clips_due`;--> statement-breakpoint
ALTER TABLE `clips` ADD `authority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `clips_status_due` ON `clips` (`status`,`due_sort`,`id`,`authority`);--> statement-breakpoint
CREATE INDEX `clips_due` ON `clips` (`due_sort`,`id`,`authority`);--> statement-breakpoint
UPDATE `clips` SET `authority` = 1 WHERE `id` IN (SELECT `clip_id` FROM `clip_flags` WHERE `source` = 'authority_request');--> statement-breakpoint
CREATE VIRTUAL TABLE `clip_search` USING fts5(`title`, `transcript`, `chat`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
