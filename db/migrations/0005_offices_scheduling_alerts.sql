CREATE TABLE `caseworker_patterns` (
	`staff_id` text PRIMARY KEY NOT NULL,
	`weekly_shifts_json` text NOT NULL,
	`max_first_contacts_per_day` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `first_contact_slots` (
	`referral_id` text PRIMARY KEY NOT NULL,
	`office_id` text NOT NULL,
	`staff_id` text,
	`kind` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`channel` text,
	`reason_id` text,
	`reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `first_contact_slots_staff_idx` ON `first_contact_slots` (`staff_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `office_closures` (
	`office_id` text NOT NULL,
	`date` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`office_id`, `date`),
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `office_hours` (
	`office_id` text PRIMARY KEY NOT NULL,
	`weekly_hours_json` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alert_recipients` (
	`office_id` text NOT NULL,
	`list` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`office_id`, `list`, `email`),
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE cascade
);
