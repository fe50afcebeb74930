CREATE TABLE `contact_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`wish` text NOT NULL,
	`happened_at` integer NOT NULL,
	`note_enc` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_incidents_referral_idx` ON `contact_incidents` (`referral_id`,`happened_at`);--> statement-breakpoint
CREATE TABLE `form_drafts` (
	`staff_id` text PRIMARY KEY NOT NULL,
	`draft_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `first_contact_slots` ADD `replaces_missed_at` integer;--> statement-breakpoint
ALTER TABLE `appointments` ADD `duration_minutes` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `appointments` ADD `staff_id` text REFERENCES staff_users(id);--> statement-breakpoint
ALTER TABLE `appointments` ADD `status` text DEFAULT 'booked' NOT NULL;--> statement-breakpoint
ALTER TABLE `appointments` ADD `out_of_hours_reason_enc` text;--> statement-breakpoint
ALTER TABLE `appointments` ADD `change_reason_enc` text;--> statement-breakpoint
ALTER TABLE `appointments` ADD `updated_at` integer;--> statement-breakpoint
CREATE INDEX `appointments_staff_idx` ON `appointments` (`staff_id`,`starts_at`);--> statement-breakpoint
ALTER TABLE `contact_attempts` ADD `withheld_number` integer;--> statement-breakpoint
ALTER TABLE `contact_attempts` ADD `said_who_we_are` integer;--> statement-breakpoint
ALTER TABLE `escalations` ADD `decision` text;--> statement-breakpoint
ALTER TABLE `escalations` ADD `decision_note_enc` text;--> statement-breakpoint
ALTER TABLE `status_changes` ADD `reason_enc` text;--> statement-breakpoint
-- Appointments from before caseworkers were recorded belong to the referral's assignee, else to whoever booked them.
UPDATE `appointments` SET `staff_id` = COALESCE((SELECT a.`staff_id` FROM `referral_assignments` a WHERE a.`referral_id` = `appointments`.`referral_id`), `booked_by`) WHERE `staff_id` IS NULL;
