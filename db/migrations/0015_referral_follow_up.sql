ALTER TABLE `referrals` ADD `follow_up_due_at` integer;--> statement-breakpoint
CREATE INDEX `referrals_follow_up_idx` ON `referrals` (`follow_up_due_at`) WHERE follow_up_due_at IS NOT NULL;