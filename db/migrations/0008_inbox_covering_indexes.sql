-- The inbox counts and filters whole lists (every referral needing contact, in the offices someone works for).
-- With the office, status and id inside the index those counts never touch the table rows, which hold the large
-- encrypted answers. Same expression and status list as 0007 (server/backoffice/casework/inbox.ts), wider columns.
DROP INDEX IF EXISTS `referrals_inbox_open_idx`;
--> statement-breakpoint
DROP INDEX IF EXISTS `referrals_inbox_rank_idx`;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `referrals_inbox_open_idx` ON `referrals` ((CASE `priority` WHEN 'today' THEN 0 WHEN 'next_working_day' THEN 1 ELSE 2 END), `contact_by`, `office_id`, `status`, `id`) WHERE `status` IN ('new', 'contact_attempted');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `referrals_inbox_rank_idx` ON `referrals` ((CASE `priority` WHEN 'today' THEN 0 WHEN 'next_working_day' THEN 1 ELSE 2 END), `contact_by`, `office_id`, `status`, `id`);
