CREATE TABLE `referral_evaluation` (
	`referral_id` text PRIMARY KEY NOT NULL,
	`office_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`priority` text NOT NULL,
	`contact_by` integer NOT NULL,
	`status` text NOT NULL,
	`meet_preference` text NOT NULL,
	`nation` text NOT NULL,
	`stage` text NOT NULL,
	`source` text,
	`first_attempt_at` integer,
	`first_contact_at` integer,
	`first_appointment_at` integer,
	`contact_attempts` integer DEFAULT 0 NOT NULL,
	`appointments` integer DEFAULT 0 NOT NULL,
	`priority_changed` integer DEFAULT false NOT NULL,
	`closed_reason` text,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referral_evaluation_period_idx` ON `referral_evaluation` (`office_id`,`received_at`,`priority`,`contact_by`,`status`,`meet_preference`,`nation`,`stage`,`source`,`first_attempt_at`,`first_contact_at`,`first_appointment_at`,`priority_changed`,`closed_reason`);--> statement-breakpoint
-- Hand-written (fix-14b): triggers keep referral_evaluation in step with every write, then a backfill.
-- Each trigger recomputes the touched referral's summary from its own rows, so inserts, updates and deletes,
-- in any order and from any code path, leave the row equal to a from-scratch computation.
-- 'spoke', 'declined' is FIRST_CONTACT_OUTCOMES (server/evaluation/definitions.ts; a test checks they match).
CREATE TRIGGER `referral_evaluation_referral_insert` AFTER INSERT ON `referrals`
BEGIN
	INSERT INTO `referral_evaluation` (`referral_id`, `office_id`, `received_at`, `priority`, `contact_by`, `status`,
		`meet_preference`, `nation`, `stage`, `source`)
	VALUES (NEW.`id`, NEW.`office_id`, NEW.`received_at`, NEW.`priority`, NEW.`contact_by`, NEW.`status`,
		NEW.`meet_preference`, NEW.`nation`, NEW.`stage`, NEW.`source`);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_referral_update` AFTER UPDATE OF `office_id`, `received_at`, `priority`,
	`contact_by`, `status`, `meet_preference`, `nation`, `stage`, `source` ON `referrals`
BEGIN
	UPDATE `referral_evaluation` SET `office_id` = NEW.`office_id`, `received_at` = NEW.`received_at`,
		`priority` = NEW.`priority`, `contact_by` = NEW.`contact_by`, `status` = NEW.`status`,
		`meet_preference` = NEW.`meet_preference`, `nation` = NEW.`nation`, `stage` = NEW.`stage`, `source` = NEW.`source`
	WHERE `referral_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_attempt_insert` AFTER INSERT ON `contact_attempts`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_attempt_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c WHERE c.`referral_id` = NEW.`referral_id`),
		`first_contact_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c
			WHERE c.`referral_id` = NEW.`referral_id` AND c.`outcome` IN ('spoke', 'declined')),
		`contact_attempts` = (SELECT COUNT(*) FROM `contact_attempts` c WHERE c.`referral_id` = NEW.`referral_id`)
	WHERE `referral_id` = NEW.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_attempt_update` AFTER UPDATE OF `referral_id`, `attempted_at`, `outcome` ON `contact_attempts`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_attempt_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c WHERE c.`referral_id` = `referral_evaluation`.`referral_id`),
		`first_contact_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c
			WHERE c.`referral_id` = `referral_evaluation`.`referral_id` AND c.`outcome` IN ('spoke', 'declined')),
		`contact_attempts` = (SELECT COUNT(*) FROM `contact_attempts` c WHERE c.`referral_id` = `referral_evaluation`.`referral_id`)
	WHERE `referral_id` IN (OLD.`referral_id`, NEW.`referral_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_attempt_delete` AFTER DELETE ON `contact_attempts`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_attempt_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c WHERE c.`referral_id` = OLD.`referral_id`),
		`first_contact_at` = (SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c
			WHERE c.`referral_id` = OLD.`referral_id` AND c.`outcome` IN ('spoke', 'declined')),
		`contact_attempts` = (SELECT COUNT(*) FROM `contact_attempts` c WHERE c.`referral_id` = OLD.`referral_id`)
	WHERE `referral_id` = OLD.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_appointment_insert` AFTER INSERT ON `appointments`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_appointment_at` = (SELECT MIN(a.`starts_at`) FROM `appointments` a WHERE a.`referral_id` = NEW.`referral_id`),
		`appointments` = (SELECT COUNT(*) FROM `appointments` a WHERE a.`referral_id` = NEW.`referral_id`)
	WHERE `referral_id` = NEW.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_appointment_update` AFTER UPDATE OF `referral_id`, `starts_at` ON `appointments`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_appointment_at` = (SELECT MIN(a.`starts_at`) FROM `appointments` a WHERE a.`referral_id` = `referral_evaluation`.`referral_id`),
		`appointments` = (SELECT COUNT(*) FROM `appointments` a WHERE a.`referral_id` = `referral_evaluation`.`referral_id`)
	WHERE `referral_id` IN (OLD.`referral_id`, NEW.`referral_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_appointment_delete` AFTER DELETE ON `appointments`
BEGIN
	UPDATE `referral_evaluation` SET
		`first_appointment_at` = (SELECT MIN(a.`starts_at`) FROM `appointments` a WHERE a.`referral_id` = OLD.`referral_id`),
		`appointments` = (SELECT COUNT(*) FROM `appointments` a WHERE a.`referral_id` = OLD.`referral_id`)
	WHERE `referral_id` = OLD.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_override_insert` AFTER INSERT ON `priority_overrides`
BEGIN
	UPDATE `referral_evaluation` SET `priority_changed` = 1 WHERE `referral_id` = NEW.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_override_update` AFTER UPDATE OF `referral_id` ON `priority_overrides`
BEGIN
	UPDATE `referral_evaluation` SET `priority_changed` = EXISTS (SELECT 1 FROM `priority_overrides` o
		WHERE o.`referral_id` = `referral_evaluation`.`referral_id`)
	WHERE `referral_id` IN (OLD.`referral_id`, NEW.`referral_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_override_delete` AFTER DELETE ON `priority_overrides`
BEGIN
	UPDATE `referral_evaluation` SET `priority_changed` = EXISTS (SELECT 1 FROM `priority_overrides` o
		WHERE o.`referral_id` = OLD.`referral_id`)
	WHERE `referral_id` = OLD.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_status_insert` AFTER INSERT ON `status_changes`
BEGIN
	UPDATE `referral_evaluation` SET `closed_reason` = (SELECT s.`closed_reason` FROM `status_changes` s
		WHERE s.`referral_id` = NEW.`referral_id` AND s.`closed_reason` IS NOT NULL ORDER BY s.`changed_at` DESC LIMIT 1)
	WHERE `referral_id` = NEW.`referral_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_status_update` AFTER UPDATE OF `referral_id`, `closed_reason`, `changed_at` ON `status_changes`
BEGIN
	UPDATE `referral_evaluation` SET `closed_reason` = (SELECT s.`closed_reason` FROM `status_changes` s
		WHERE s.`referral_id` = `referral_evaluation`.`referral_id` AND s.`closed_reason` IS NOT NULL
		ORDER BY s.`changed_at` DESC LIMIT 1)
	WHERE `referral_id` IN (OLD.`referral_id`, NEW.`referral_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `referral_evaluation_status_delete` AFTER DELETE ON `status_changes`
BEGIN
	UPDATE `referral_evaluation` SET `closed_reason` = (SELECT s.`closed_reason` FROM `status_changes` s
		WHERE s.`referral_id` = OLD.`referral_id` AND s.`closed_reason` IS NOT NULL ORDER BY s.`changed_at` DESC LIMIT 1)
	WHERE `referral_id` = OLD.`referral_id`;
END;
--> statement-breakpoint
-- Backfill: every referral already stored, computed from its own rows (in arrival order, so the table's pages
-- follow the period scans).
INSERT INTO `referral_evaluation` (`referral_id`, `office_id`, `received_at`, `priority`, `contact_by`, `status`,
	`meet_preference`, `nation`, `stage`, `source`, `first_attempt_at`, `first_contact_at`, `first_appointment_at`,
	`contact_attempts`, `appointments`, `priority_changed`, `closed_reason`)
SELECT r.`id`, r.`office_id`, r.`received_at`, r.`priority`, r.`contact_by`, r.`status`, r.`meet_preference`,
	r.`nation`, r.`stage`, r.`source`,
	(SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c WHERE c.`referral_id` = r.`id`),
	(SELECT MIN(c.`attempted_at`) FROM `contact_attempts` c WHERE c.`referral_id` = r.`id` AND c.`outcome` IN ('spoke', 'declined')),
	(SELECT MIN(a.`starts_at`) FROM `appointments` a WHERE a.`referral_id` = r.`id`),
	(SELECT COUNT(*) FROM `contact_attempts` c WHERE c.`referral_id` = r.`id`),
	(SELECT COUNT(*) FROM `appointments` a WHERE a.`referral_id` = r.`id`),
	EXISTS (SELECT 1 FROM `priority_overrides` o WHERE o.`referral_id` = r.`id`),
	(SELECT s.`closed_reason` FROM `status_changes` s WHERE s.`referral_id` = r.`id` AND s.`closed_reason` IS NOT NULL
		ORDER BY s.`changed_at` DESC LIMIT 1)
FROM `referrals` r ORDER BY r.`received_at`;
