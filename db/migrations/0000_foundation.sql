CREATE TABLE `offices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`nation` text NOT NULL,
	`created_at` integer NOT NULL
);
