CREATE TABLE `referral_statistics` (
	`id` text PRIMARY KEY NOT NULL,
	`office_id` text NOT NULL,
	`iso_week_received` text NOT NULL,
	`week_start` text NOT NULL,
	`nation` text NOT NULL,
	`stage` text NOT NULL,
	`source` text,
	`priority` text NOT NULL,
	`priority_changed` integer NOT NULL,
	`meet_preference` text NOT NULL,
	`flags` text DEFAULT '' NOT NULL,
	`outcome` text NOT NULL,
	`working_hours_to_first_contact` real,
	`contacted_within_7_days` integer,
	`met_contact_by` integer,
	`missed_deadline_reason` text,
	`appointment_within_7_days` integer NOT NULL,
	`contact_attempts` integer NOT NULL,
	`appointments` integer NOT NULL,
	`deleted_month` text NOT NULL,
	`deletion_rule` text NOT NULL,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `referral_statistics_office_week_idx` ON `referral_statistics` (`office_id`,`week_start`);