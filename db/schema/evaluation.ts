import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { referrals } from './referrals.ts';

/**
 * One narrow row per live referral with everything the evaluation dashboard counts: the coded columns copied from
 * `referrals` and the first-contact facts summarised from the casework tables (first attempt, first attempt that
 * reached him, first appointment, counts, whether staff changed the priority, the latest closing reason). The
 * dashboard reads a period as one range scan of `referral_evaluation_period_idx` instead of looking up each
 * referral's contact log, appointments and priority changes (which cost seconds for a year at 100,000).
 *
 * Kept in step by SQLite triggers (written by hand at the end of this table's migration): every insert, update and
 * delete on referrals, contact_attempts, appointments, priority_overrides and status_changes recomputes the
 * affected referral's row from its own tables, so no write path (casework, routes, scripts, restores) can forget it. Deleting a referral deletes its
 * row (cascade); retention's de-identified `referral_statistics` rows keep counting it.
 * tests/integration/evaluation/referral-evaluation.test.ts recomputes every row the old way and compares.
 */
export const referralEvaluation = sqliteTable(
  'referral_evaluation',
  {
    referralId: text('referral_id')
      .primaryKey()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    // Copied from referrals (the same names and meaning).
    officeId: text('office_id').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    priority: text('priority').notNull(),
    contactBy: integer('contact_by', { mode: 'timestamp_ms' }).notNull(),
    status: text('status').notNull(),
    meetPreference: text('meet_preference').notNull(),
    nation: text('nation').notNull(),
    stage: text('stage').notNull(),
    source: text('source'),
    // Summarised from the casework tables.
    /** Earliest contact attempt of any outcome. */
    firstAttemptAt: integer('first_attempt_at', { mode: 'timestamp_ms' }),
    /** Earliest attempt that reached him (FIRST_CONTACT_OUTCOMES in server/evaluation/definitions.ts). */
    firstContactAt: integer('first_contact_at', { mode: 'timestamp_ms' }),
    /** Earliest start of any appointment booked for him (whatever became of it). */
    firstAppointmentAt: integer('first_appointment_at', { mode: 'timestamp_ms' }),
    contactAttempts: integer('contact_attempts').notNull().default(0),
    appointments: integer('appointments').notNull().default(0),
    /** Whether staff ever changed the priority triage gave (a priority_overrides row exists). */
    priorityChanged: integer('priority_changed', { mode: 'boolean' }).notNull().default(false),
    /** The closing reason of the latest status change that has one. */
    closedReason: text('closed_reason'),
  },
  (t) => [
    // Covers the dashboard's period scan: no lookup into the table for any row.
    index('referral_evaluation_period_idx').on(
      t.officeId,
      t.receivedAt,
      t.priority,
      t.contactBy,
      t.status,
      t.meetPreference,
      t.nation,
      t.stage,
      t.source,
      t.firstAttemptAt,
      t.firstContactAt,
      t.firstAppointmentAt,
      t.priorityChanged,
      t.closedReason,
    ),
  ],
);

export type ReferralEvaluationRow = typeof referralEvaluation.$inferSelect;
