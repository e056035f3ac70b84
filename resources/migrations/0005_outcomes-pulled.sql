CREATE TABLE `clip_outcomes` (
	`clip_id` text PRIMARY KEY NOT NULL,
	`outcome_id` text NOT NULL,
	`kind` text NOT NULL,
	`action` text,
	`categories` text,
	`rationale` text,
	`lead_name` text,
	`upheld` integer,
	`your_decision_id` text,
	`settled_at` text NOT NULL,
	`received_at` text NOT NULL
);
