CREATE TABLE `audit_heads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`mac` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `contact_match_hashes` (
	`referral_id` text NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`key_id` text NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_match_hash_idx` ON `contact_match_hashes` (`hash`);--> statement-breakpoint
CREATE INDEX `contact_match_referral_idx` ON `contact_match_hashes` (`referral_id`);--> statement-breakpoint
CREATE TABLE `legal_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason_enc` text NOT NULL,
	`placed_by` text NOT NULL,
	`placed_at` integer NOT NULL,
	`review_by` text NOT NULL,
	`reviewed_at` integer,
	`released_by` text,
	`released_at` integer,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`placed_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`released_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `legal_holds_referral_idx` ON `legal_holds` (`referral_id`,`released_at`);--> statement-breakpoint
CREATE TABLE `retention_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`keep_value` integer NOT NULL,
	`keep_unit` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`updated_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `safeguarding_markers` (
	`referral_id` text PRIMARY KEY NOT NULL,
	`marked_by` text NOT NULL,
	`marked_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`marked_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `outbox_messages` ADD `body_cleared_at` integer;--> statement-breakpoint
-- Recorded audit heads are append-only like the audit trail itself.
CREATE TRIGGER IF NOT EXISTS `audit_heads_no_update` BEFORE UPDATE ON `audit_heads`
BEGIN
	SELECT RAISE(ABORT, 'audit_heads is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `audit_heads_no_delete` BEFORE DELETE ON `audit_heads`
BEGIN
	SELECT RAISE(ABORT, 'audit_heads is append-only');
END;
