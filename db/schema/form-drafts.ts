import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
import { staffUsers } from './staff.ts';

/**
 * What a member of staff typed into a back-office form that arrived after their session had ended (idle
 * timeout): kept so nothing typed is lost, and put back into the same form after they sign in again. One per
 * person (the latest wins), encrypted with the AAD `form-draft:<staff id>`, and deleted once restored or after
 * 12 hours. Nothing about it is ever logged or put in an address.
 */
export const formDrafts = sqliteTable('form_drafts', {
  staffId: text('staff_id')
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: 'cascade' }),
  draftEnc: text('draft_enc').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
