DROP INDEX `clip_flags_label`;--> statement-breakpoint
DROP INDEX `clip_flags_source`;--> statement-breakpoint
ALTER TABLE `clips` ADD `manifest_sha256` text;--> statement-breakpoint
ALTER TABLE `clips` ADD `json_offset` integer;--> statement-breakpoint
ALTER TABLE `clips` ADD `json_length` integer;