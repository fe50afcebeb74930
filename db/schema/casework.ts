import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { referrals } from './referrals.ts';
import { staffUsers } from './staff.ts';
import { offices } from './offices.ts';

/**
 * Casework on a referral in the back office. The referral row keeps its current status and priority (the
 * inbox sorts on them); these tables keep who did what and when. Anything a member of staff types about him
 * (notes, reasons) is encrypted with the AAD `casework:<table>:<row id>`.
 */

/** Who is working on a referral now (one row per referral; history is in the audit trail). */
export const referralAssignments = sqliteTable(
  'referral_assignments',
  {
    referralId: text('referral_id')
      .primaryKey()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    assignedAt: integer('assigned_at', { mode: 'timestamp_ms' }).notNull(),
    assignedBy: text('assigned_by')
      .notNull()
      .references(() => staffUsers.id),
  },
  // Covers "assigned to X" in the inbox without reading the rows.
  (t) => [index('referral_assignments_staff_idx').on(t.staffId, t.referralId)],
);

/** Each try to reach him: how, what happened, and an optional note. */
export const contactAttempts = sqliteTable(
  'contact_attempts',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    /** When the attempt happened (staff may record it a little later). */
    attemptedAt: integer('attempted_at', { mode: 'timestamp_ms' }).notNull(),
    /** `he_contacted_us`: he called, wrote or came in himself (that is contact too). */
    channel: text('channel', { enum: ['phone', 'text', 'email', 'letter', 'he_contacted_us'] }).notNull(),
    /** `sent`: a text, email or letter went out and no reply has come yet. */
    outcome: text('outcome', {
      enum: ['spoke', 'no_answer', 'voicemail_left', 'wrong_number', 'declined', 'sent'],
    }).notNull(),
    /** Phone calls: whether the number was withheld (checked against his wish). Null when not asked. */
    withheldNumber: integer('withheld_number', { mode: 'boolean' }),
    /** Whether we said who we are (to whoever answered, in a voicemail, text, email or on a letter). */
    saidWhoWeAre: integer('said_who_we_are', { mode: 'boolean' }),
    noteEnc: text('note_enc'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('contact_attempts_referral_idx').on(t.referralId, t.attemptedAt)],
);

/** The first appointment (and any later one). */
export const appointments = sqliteTable(
  'appointments',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    bookedBy: text('booked_by')
      .notNull()
      .references(() => staffUsers.id),
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
    /** How long it lasts; rows from before lengths were recorded count as an hour. */
    durationMinutes: integer('duration_minutes').notNull().default(60),
    mode: text('mode', { enum: ['office', 'remote'] }).notNull(),
    /** For office appointments. */
    officeId: text('office_id').references(() => offices.id),
    /** The caseworker who will see him (null only on rows from before this was recorded). */
    staffId: text('staff_id').references(() => staffUsers.id),
    /** booked, then one of: cancelled, attended, did_not_attend. A reschedule moves a booked one. */
    status: text('status', { enum: ['booked', 'cancelled', 'attended', 'did_not_attend'] })
      .notNull()
      .default('booked'),
    /** Required when the appointment is after the 7-day window: why (encrypted). */
    lateReasonEnc: text('late_reason_enc'),
    /** Required when it is outside office hours: why (encrypted). */
    outOfHoursReasonEnc: text('out_of_hours_reason_enc'),
    /** Why it was cancelled or moved (encrypted). */
    changeReasonEnc: text('change_reason_enc'),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('appointments_referral_idx').on(t.referralId, t.startsAt),
    index('appointments_staff_idx').on(t.staffId, t.startsAt),
  ],
);

/** Case notes, encrypted: they are the most sensitive thing staff write. */
export const caseNotes = sqliteTable(
  'case_notes',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    bodyEnc: text('body_enc').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('case_notes_referral_idx').on(t.referralId, t.createdAt)],
);

/** Every status change, with the closing reason when it closes. */
export const statusChanges = sqliteTable(
  'status_changes',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    closedReason: text('closed_reason', {
      enum: ['declined', 'not_suitable', 'referred_elsewhere', 'unable_to_contact', 'support_completed'],
    }),
    /** Why it closed or reopened, and where he was referred to, in the staff member's words (encrypted). */
    reasonEnc: text('reason_enc'),
    changedAt: integer('changed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('status_changes_referral_idx').on(t.referralId, t.changedAt)],
);

/** A manager's change of priority, with the required reason (encrypted) and the deadline before and after. */
export const priorityOverrides = sqliteTable(
  'priority_overrides',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    fromPriority: text('from_priority').notNull(),
    toPriority: text('to_priority').notNull(),
    contactByBefore: integer('contact_by_before', { mode: 'timestamp_ms' }).notNull(),
    contactByAfter: integer('contact_by_after', { mode: 'timestamp_ms' }).notNull(),
    reasonEnc: text('reason_enc').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('priority_overrides_referral_idx').on(t.referralId, t.createdAt)],
);

/**
 * A referral handed to a manager: "unable to contact" on a Today or Next working day referral is never
 * closed by a caseworker; it waits here until a manager resolves it.
 */
export const escalations = sqliteTable(
  'escalations',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: ['unable_to_contact'] }).notNull(),
    /** The manager's decision when resolved (server/casework/decisions.ts); null when resolved by contact. */
    decision: text('decision', {
      enum: ['another_attempt', 'gp_welfare_check', 'safeguarding_action', 'close'],
    }),
    decisionNoteEnc: text('decision_note_enc'),
    raisedBy: text('raised_by')
      .notNull()
      .references(() => staffUsers.id),
    raisedAt: integer('raised_at', { mode: 'timestamp_ms' }).notNull(),
    resolvedBy: text('resolved_by').references(() => staffUsers.id),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('escalations_referral_idx').on(t.referralId, t.resolvedAt)],
);

/**
 * A wish of his that was broken by mistake (a voicemail left when he said no, a call outside his safe times).
 * Recorded, audited and shown to managers: pretending it did not happen helps nobody.
 */
export const contactIncidents = sqliteTable(
  'contact_incidents',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    wish: text('wish', {
      enum: [
        'unsafe_channel',
        'voicemail',
        'text',
        'withheld_number',
        'said_who_we_are',
        'outside_safe_times',
        'letter',
        'email',
      ],
    }).notNull(),
    happenedAt: integer('happened_at', { mode: 'timestamp_ms' }).notNull(),
    noteEnc: text('note_enc'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('contact_incidents_referral_idx').on(t.referralId, t.happenedAt)],
);
