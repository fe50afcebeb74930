import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Append-only record of every view of a referral, every change, every sign-in and failed attempt, and every
 * export. Each row carries the hash of the row before it, so deleting or editing a row breaks the chain; SQLite
 * triggers (migration `audit_triggers`) also refuse UPDATE and DELETE outright.
 *
 * `detail` is JSON with non-sensitive facts only (status names, priorities, staff ids, field names): never
 * answers, notes, names or contact details.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** The member of staff who acted; null for failed sign-ins with an unknown email and for the system. */
    actorId: text('actor_id'),
    action: text('action').notNull(),
    referralId: text('referral_id'),
    /** The office the event concerns, so managers see the entries for their offices. */
    officeId: text('office_id'),
    /** The member of staff acted upon (added, disabled, signed in...). */
    targetStaffId: text('target_staff_id'),
    detail: text('detail').notNull().default('{}'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull().unique(),
  },
  (t) => [
    index('audit_referral_idx').on(t.referralId, t.seq),
    index('audit_office_idx').on(t.officeId, t.seq),
    index('audit_actor_idx').on(t.actorId, t.seq),
    index('audit_action_idx').on(t.action, t.seq),
  ],
);
