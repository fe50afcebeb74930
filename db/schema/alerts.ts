import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * Who gets each office's alerts. `triage`: every new referral and the daily digest. `duty`: referrals that
 * need contact today, at once, in or out of hours. `managers`: escalations, capacity warnings and the digest.
 * Seeded from server/offices/offices.config.json on first start; admins edit them in the back office.
 */
export const alertRecipients = sqliteTable(
  'alert_recipients',
  {
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    list: text('list', { enum: ['triage', 'duty', 'managers'] }).notNull(),
    email: text('email').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.list, t.email] })],
);
