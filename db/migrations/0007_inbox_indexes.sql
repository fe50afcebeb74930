-- The back-office inbox sorts by priority (today, next working day, within 7 days) and then by contact-by time.
-- The priority rank is an expression, so these are expression indexes (drizzle-kit cannot declare them).
-- server/backoffice/inbox.ts uses exactly the same expression and status list; a test checks the query plan.
-- Open referrals ("still needing contact") are usually a small part of the table: a partial index keeps them in order.
CREATE INDEX IF NOT EXISTS `referrals_inbox_open_idx` ON `referrals` ((CASE `priority` WHEN 'today' THEN 0 WHEN 'next_working_day' THEN 1 ELSE 2 END), `contact_by`) WHERE `status` IN ('new', 'contact_attempted');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `referrals_inbox_rank_idx` ON `referrals` ((CASE `priority` WHEN 'today' THEN 0 WHEN 'next_working_day' THEN 1 ELSE 2 END), `contact_by`);
