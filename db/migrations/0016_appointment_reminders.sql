CREATE TABLE `appointment_reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`appointment_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`channel` text NOT NULL,
	`contact_attempt_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`sent_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`appointment_id`) REFERENCES `appointments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_attempt_id`) REFERENCES `contact_attempts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appointment_reminders_appointment_idx` ON `appointment_reminders` (`appointment_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `appointment_reminders_referral_idx` ON `appointment_reminders` (`referral_id`);