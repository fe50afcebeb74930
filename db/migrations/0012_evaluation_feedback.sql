CREATE TABLE `feedback_invitations` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`office_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `feedback_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`office_id` text NOT NULL,
	`iso_week` text NOT NULL,
	`week_start` text NOT NULL,
	`talk` integer,
	`not_judged` integer,
	`fits_me` integer,
	`safer` integer,
	`know_what_to_expect` integer,
	`recommend` integer,
	`comment_enc` text,
	`comment_hidden` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`office_id`) REFERENCES `offices`(`id`) ON UPDATE no action ON DELETE no action
);
-- Covering indexes so the evaluation dashboard counts a period without reading the wide referral rows.
--> statement-breakpoint
CREATE INDEX `referrals_evaluation_idx` ON `referrals` (`office_id`,`received_at`,`priority`,`status`,`contact_by`,`meet_preference`,`nation`,`stage`,`source`,`id`);
--> statement-breakpoint
CREATE INDEX `contact_attempts_first_contact_idx` ON `contact_attempts` (`referral_id`,`outcome`,`attempted_at`);
