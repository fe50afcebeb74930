import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * De-identified statistics about one referral, kept after retention deletes the referral itself, so that
 * evaluation still counts him. A row holds only coded values: no reference, no referral id, no names,
 * contact details, free text or exact dates (the ISO week he referred in, never the day).
 *
 * Written by retention when it deletes a referral (server/retention). Evaluation (server/evaluation) counts
 * live referrals from their own tables and adds these rows, so the two never overlap.
 */
export const referralStatistics = sqliteTable(
  'referral_statistics',
  {
    /** Random id of this row; it links to nothing. */
    id: text('id').primaryKey(),
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id),
    /** ISO week he referred in, e.g. 2026-W49. */
    isoWeekReceived: text('iso_week_received').notNull(),
    /** The Monday that starts that ISO week, YYYY-MM-DD (for period filters; the same information as the week). */
    weekStart: text('week_start').notNull(),
    nation: text('nation').notNull(),
    stage: text('stage').notNull(),
    /** How he heard about us; null when he did not say. */
    source: text('source'),
    /** The priority when the referral closed. */
    priority: text('priority').notNull(),
    /** Whether staff ever changed the priority triage gave. */
    priorityChanged: integer('priority_changed', { mode: 'boolean' }).notNull(),
    /** 'asap' or 'later': his wish about how soon to meet. */
    meetPreference: text('meet_preference').notNull(),
    /** Coded flags, comma-separated in a fixed order (e.g. 'risk,children'); empty when none. */
    flags: text('flags').notNull().default(''),
    /** How it ended: a closing reason code (e.g. engaged, declined, unable_to_contact, support_completed). */
    outcome: text('outcome').notNull(),
    /** Working hours from referral to first contact that reached him; null when he was never reached. */
    workingHoursToFirstContact: real('working_hours_to_first_contact'),
    /** First contact within 7 calendar days of the referral; null when never reached. */
    contactedWithin7Days: integer('contacted_within_7_days', { mode: 'boolean' }),
    /** First contact by the contact-by time; null when never reached. */
    metContactBy: integer('met_contact_by', { mode: 'boolean' }),
    /** Coded reason a deadline was missed, when it was. */
    missedDeadlineReason: text('missed_deadline_reason'),
    /** An appointment was offered within 7 days of the referral. */
    appointmentWithin7Days: integer('appointment_within_7_days', { mode: 'boolean' }).notNull(),
    contactAttempts: integer('contact_attempts').notNull(),
    appointments: integer('appointments').notNull(),
    /** Month the referral was deleted, YYYY-MM, and the retention rule that deleted it (for the deletion report). */
    deletedMonth: text('deleted_month').notNull(),
    deletionRule: text('deletion_rule').notNull(),
  },
  (t) => [index('referral_statistics_office_week_idx').on(t.officeId, t.weekStart)],
);

export type ReferralStatisticsRow = typeof referralStatistics.$inferSelect;
