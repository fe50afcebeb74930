CREATE TABLE `referral_name_parts` (
	`referral_id` text NOT NULL,
	`part_hash` text NOT NULL,
	PRIMARY KEY(`referral_id`, `part_hash`),
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referral_name_parts_hash_idx` ON `referral_name_parts` (`part_hash`);