DROP INDEX `referral_assignments_staff_idx`;--> statement-breakpoint
CREATE INDEX `referral_assignments_staff_idx` ON `referral_assignments` (`staff_id`,`referral_id`);