CREATE TABLE `referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`reference` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`priority` text NOT NULL,
	`contact_by` integer NOT NULL,
	`rule_version` text NOT NULL,
	`received_at` integer NOT NULL,
	`office_id` text NOT NULL,
	`office_preference` text NOT NULL,
	`nation` text NOT NULL,
	`stage` text NOT NULL,
	`source` text,
	`meet_preference` text NOT NULL,
	`confidentiality_version` text NOT NULL,
	`answers_enc` text NOT NULL,
	`triage_enc` text NOT NULL,
	`name_search_hash` text NOT NULL,
	`idempotency_key` text NOT NULL,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referrals_reference_unique` ON `referrals` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `referrals_idempotency_key_unique` ON `referrals` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `referrals_queue_idx` ON `referrals` (`status`,`contact_by`);--> statement-breakpoint
CREATE INDEX `referrals_office_idx` ON `referrals` (`office_id`,`status`);--> statement-breakpoint
CREATE INDEX `referrals_received_idx` ON `referrals` (`received_at`);--> statement-breakpoint
CREATE INDEX `referrals_name_search_idx` ON `referrals` (`name_search_hash`);