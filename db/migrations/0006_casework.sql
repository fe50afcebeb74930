CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`booked_by` text NOT NULL,
	`starts_at` integer NOT NULL,
	`mode` text NOT NULL,
	`office_id` text,
	`late_reason_enc` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`booked_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appointments_referral_idx` ON `appointments` (`referral_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `case_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`body_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_notes_referral_idx` ON `case_notes` (`referral_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `contact_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`attempted_at` integer NOT NULL,
	`channel` text NOT NULL,
	`outcome` text NOT NULL,
	`note_enc` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_attempts_referral_idx` ON `contact_attempts` (`referral_id`,`attempted_at`);--> statement-breakpoint
CREATE TABLE `escalations` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`reason` text NOT NULL,
	`raised_by` text NOT NULL,
	`raised_at` integer NOT NULL,
	`resolved_by` text,
	`resolved_at` integer,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`raised_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`resolved_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `escalations_referral_idx` ON `escalations` (`referral_id`,`resolved_at`);--> statement-breakpoint
CREATE TABLE `priority_overrides` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`from_priority` text NOT NULL,
	`to_priority` text NOT NULL,
	`contact_by_before` integer NOT NULL,
	`contact_by_after` integer NOT NULL,
	`reason_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `priority_overrides_referral_idx` ON `priority_overrides` (`referral_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `referral_assignments` (
	`referral_id` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`assigned_at` integer NOT NULL,
	`assigned_by` text NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `referral_assignments_staff_idx` ON `referral_assignments` (`staff_id`);--> statement-breakpoint
CREATE TABLE `status_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`closed_reason` text,
	`changed_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `status_changes_referral_idx` ON `status_changes` (`referral_id`,`changed_at`);