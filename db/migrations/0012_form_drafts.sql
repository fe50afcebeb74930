CREATE TABLE `form_drafts` (
	`staff_id` text PRIMARY KEY NOT NULL,
	`draft_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE cascade
);
