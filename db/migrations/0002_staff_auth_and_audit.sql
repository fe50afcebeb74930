CREATE TABLE `auth_throttles` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `sign_in_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`staff_id` text,
	`password_ok` integer NOT NULL,
	`account_key` text NOT NULL,
	`ip_key` text NOT NULL,
	`return_to` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sign_in_challenges_expiry_idx` ON `sign_in_challenges` (`expires_at`);--> statement-breakpoint
CREATE TABLE `staff_recovery_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `staff_recovery_codes_staff_idx` ON `staff_recovery_codes` (`staff_id`);--> statement-breakpoint
CREATE TABLE `staff_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`mfa_verified_at` integer NOT NULL,
	`flash_enc` text,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `staff_sessions_staff_idx` ON `staff_sessions` (`staff_id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`referral_id` text,
	`office_id` text,
	`target_staff_id` text,
	`detail` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_hash_unique` ON `audit_events` (`hash`);--> statement-breakpoint
CREATE INDEX `audit_referral_idx` ON `audit_events` (`referral_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_office_idx` ON `audit_events` (`office_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_events` (`actor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_events` (`action`,`seq`);--> statement-breakpoint
ALTER TABLE `staff_users` ADD `password_hash` text;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `totp_secret_enc` text;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `totp_confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `totp_last_step` integer;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `enrolment_token_hash` text;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `enrolment_expires_at` integer;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `enrolled_at` integer;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `disabled_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_enrolment_token_hash_unique` ON `staff_users` (`enrolment_token_hash`);