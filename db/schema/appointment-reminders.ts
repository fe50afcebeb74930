import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { appointments, contactAttempts } from './casework.ts';
import { referrals } from './referrals.ts';
import { staffUsers } from './staff.ts';

/**
 * A reminder of an appointment that a caseworker sent him by hand (a text, a call or a letter: there is no SMS
 * gateway, and only the channels he allows are used). One row per appointment time: moving the appointment
 * needs a new reminder. The message itself is in the contact log (`contact_attempts`), checked against his
 * wishes like any other; this row says which appointment it was for. Emailed reminders go through the outbox.
 */
export const appointmentReminders = sqliteTable(
  'appointment_reminders',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    appointmentId: text('appointment_id')
      .notNull()
      .references(() => appointments.id, { onDelete: 'cascade' }),
    /** The appointment's time when he was reminded (a reschedule makes the reminder due again). */
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
    channel: text('channel', { enum: ['text', 'phone', 'letter'] }).notNull(),
    contactAttemptId: text('contact_attempt_id')
      .notNull()
      .references(() => contactAttempts.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('appointment_reminders_appointment_idx').on(t.appointmentId, t.startsAt),
    index('appointment_reminders_referral_idx').on(t.referralId),
  ],
);
