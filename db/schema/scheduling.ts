import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';
import { referrals } from './referrals.ts';
import { staffUsers } from './staff.ts';

/**
 * An office's weekly opening hours, one row per office. The row also marks the office as set up: the
 * config file seeds an office only when it has no row here, so an admin's later edits are never undone.
 * `weekly_hours_json` is `OfficeHours[]` (server/scheduling/types.ts), validated on every read and write;
 * a weekday missing from the list is a closed day.
 */
export const officeHours = sqliteTable('office_hours', {
  officeId: text('office_id')
    .primaryKey()
    .references(() => offices.id, { onDelete: 'cascade' }),
  weeklyHoursJson: text('weekly_hours_json').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Extra days an office is shut (training days, the days between Christmas and New Year). Bank holidays come from date-holidays. */
export const officeClosures = sqliteTable(
  'office_closures',
  {
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    /** London date, YYYY-MM-DD. */
    date: text('date').notNull(),
    /** Shown to staff only, e.g. "Team training day". */
    reason: text('reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.date] })],
);

/**
 * When a member of staff can make first contacts, and how many a day. A person's capacity is theirs, not an
 * office's: someone covering two offices has one daily limit, and serves the offices linked in staff_offices.
 * `weekly_shifts_json` is `CaseworkerShift[]`. Staff without a row are never offered first-contact slots.
 */
export const caseworkerPatterns = sqliteTable('caseworker_patterns', {
  staffId: text('staff_id')
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: 'cascade' }),
  weeklyShiftsJson: text('weekly_shifts_json').notNull(),
  maxFirstContactsPerDay: integer('max_first_contacts_per_day').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * The first-contact slot proposed when a referral arrived. Proposed slots count as booked for later
 * proposals, so caseworkers are not double-booked and their daily limit holds. A `deadline_fallback` row
 * means nothing fitted: it has no caseworker and starts at the deadline, and managers were told.
 * `reason` explains a fallback for staff in the back office; it may mention his contact preferences, so it
 * never goes into an email.
 */
export const firstContactSlots = sqliteTable(
  'first_contact_slots',
  {
    referralId: text('referral_id')
      .primaryKey()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id),
    staffId: text('staff_id').references(() => staffUsers.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: ['slot', 'deadline_fallback'] }).notNull(),
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
    endsAt: integer('ends_at', { mode: 'timestamp_ms' }).notNull(),
    channel: text('channel', { enum: ['phone', 'email'] }),
    reasonId: text('reason_id'),
    reason: text('reason'),
    /** When this proposal replaced one that passed without contact: the missed slot's start. */
    replacesMissedAt: integer('replaces_missed_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('first_contact_slots_staff_idx').on(t.staffId, t.startsAt)],
);
