-- The audit trail is append-only: the database itself refuses to change or remove an entry.
-- (The hash chain in each row shows tampering done around these triggers, e.g. with a copy of the file.)
CREATE TRIGGER IF NOT EXISTS `audit_events_no_update` BEFORE UPDATE ON `audit_events`
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only: entries cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `audit_events_no_delete` BEFORE DELETE ON `audit_events`
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only: entries cannot be deleted');
END;
