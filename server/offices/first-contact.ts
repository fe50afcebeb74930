import { and, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import { appointments } from '../../db/schema/casework.ts';
import { firstContactSlots } from '../../db/schema/scheduling.ts';
import { DEFAULT_SLOT_MINUTES, proposeSlot } from '../scheduling/slot.ts';
import type { BookedContact, SafeTime, SlotFallbackReasonId, SlotProposal } from '../scheduling/types.ts';
import { calendarFor } from './calendar.ts';
import { caseworkersForOffice } from './caseworkers.ts';
import type { SqliteDb } from './db.ts';

const DAY_MS = 86_400_000;
/** The longest appointment the back office books (appointments.ts allows 15 minutes to 4 hours). */
const LONGEST_APPOINTMENT_MS = 4 * 3_600_000;

export interface FirstContactRequest {
  referralId: string;
  officeId: string;
  receivedAt: Date;
  /** The contact-by deadline. Nothing is ever proposed after it. */
  deadline: Date;
  phoneSafe: boolean;
  emailSafe: boolean;
  /** His safe times to call; empty means any time. */
  safeTimes: SafeTime[];
}

export interface StoredFirstContactSlot {
  referralId: string;
  officeId: string;
  kind: 'slot' | 'deadline_fallback';
  staffId: string | null;
  startsAt: Date;
  endsAt: Date;
  channel: 'phone' | 'email' | null;
  reasonId: SlotFallbackReasonId | null;
  /** For staff in the back office only: it may mention his contact preferences. */
  reason: string | null;
}

/**
 * The slot this office would offer now, without booking it (triage:explain uses this; so does booking).
 * Reads the office's calendar, the rostered caseworkers and every slot and appointment they already hold
 * around the window, whichever office it was booked for, because a person's time and daily limit cover all
 * their offices.
 */
export function proposeFirstContact(db: SqliteDb, req: Omit<FirstContactRequest, 'referralId'>): SlotProposal {
  const caseworkers = caseworkersForOffice(db, req.officeId);
  return proposeSlot({
    receivedAt: req.receivedAt,
    deadline: req.deadline,
    cfg: calendarFor(db, req.officeId),
    caseworkers,
    booked: bookedContacts(
      db,
      caseworkers.map((c) => c.staffId),
      // A whole day either side so each day's count is complete.
      new Date(req.receivedAt.getTime() - DAY_MS),
      new Date(req.deadline.getTime() + DAY_MS),
    ),
    safeTimes: req.safeTimes,
    phoneSafe: req.phoneSafe,
    emailSafe: req.emailSafe,
  });
}

/** Everything that keeps these caseworkers busy between `from` and `to`: first-contact slots and appointments. */
export function bookedContacts(db: SqliteDb, staffIds: string[], from: Date, to: Date): BookedContact[] {
  if (staffIds.length === 0) return [];
  return [...firstContactBookings(db, staffIds, from, to), ...appointmentBookings(db, staffIds, from, to)];
}

function firstContactBookings(db: SqliteDb, staffIds: string[], from: Date, to: Date): BookedContact[] {
  return db
    .select({ staffId: firstContactSlots.staffId, start: firstContactSlots.startsAt, end: firstContactSlots.endsAt })
    .from(firstContactSlots)
    .where(
      and(
        eq(firstContactSlots.kind, 'slot'),
        inArray(firstContactSlots.staffId, staffIds),
        gte(firstContactSlots.startsAt, from),
        lte(firstContactSlots.startsAt, to),
      ),
    )
    .all()
    .flatMap((row) =>
      row.staffId === null
        ? []
        : [{ staffId: row.staffId, start: row.start, end: row.end, kind: 'first_contact' as const }],
    );
}

/**
 * Appointments booked in the back office, following their life cycle: each one keeps its own caseworker
 * (`appointments.staff_id`, who will see him, not who booked it) busy for its own length. A cancelled one blocks
 * nothing; closing a referral asks whether to cancel its future appointments, so one that was kept still blocks.
 * An appointment that started before `from` but is still running is included. They are marked 'appointment' so
 * they block the time without using up the daily limit of first contacts.
 */
function appointmentBookings(db: SqliteDb, staffIds: string[], from: Date, to: Date): BookedContact[] {
  return db
    .select({ staffId: appointments.staffId, start: appointments.startsAt, minutes: appointments.durationMinutes })
    .from(appointments)
    .where(
      and(
        inArray(appointments.staffId, staffIds),
        ne(appointments.status, 'cancelled'),
        gte(appointments.startsAt, new Date(from.getTime() - LONGEST_APPOINTMENT_MS)),
        lte(appointments.startsAt, to),
      ),
    )
    .all()
    .flatMap((row) => {
      const end = new Date(row.start.getTime() + row.minutes * 60_000);
      if (row.staffId === null || end <= from) return [];
      return [{ staffId: row.staffId, start: row.start, end, kind: 'appointment' as const }];
    });
}

/**
 * Proposes and stores the first-contact slot for a new referral, so it counts as booked for the next one.
 * Runs inside the referral transaction. Idempotent: a referral that already has a slot keeps it.
 */
export function bookFirstContact(db: SqliteDb, req: FirstContactRequest, now: Date): StoredFirstContactSlot {
  const existing = getFirstContactSlot(db, req.referralId);
  if (existing) return existing;
  const proposal = proposeFirstContact(db, req);
  const row: StoredFirstContactSlot =
    proposal.kind === 'slot'
      ? {
          referralId: req.referralId,
          officeId: req.officeId,
          kind: 'slot',
          staffId: proposal.staffId,
          startsAt: proposal.start,
          endsAt: proposal.end,
          channel: proposal.channel,
          reasonId: null,
          reason: null,
        }
      : {
          referralId: req.referralId,
          officeId: req.officeId,
          kind: 'deadline_fallback',
          staffId: null,
          startsAt: proposal.start,
          endsAt: new Date(Math.min(req.deadline.getTime(), proposal.start.getTime() + DEFAULT_SLOT_MINUTES * 60_000)),
          channel: null,
          reasonId: proposal.reasonId,
          reason: proposal.reason,
        };
  db.insert(firstContactSlots)
    .values({ ...row, createdAt: now })
    .run();
  return row;
}

function storedSlotFromRow(row: typeof firstContactSlots.$inferSelect): StoredFirstContactSlot {
  return {
    referralId: row.referralId,
    officeId: row.officeId,
    kind: row.kind,
    staffId: row.staffId,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    channel: row.channel,
    reasonId: row.reasonId as SlotFallbackReasonId | null,
    reason: row.reason,
  };
}

export function getFirstContactSlot(db: SqliteDb, referralId: string): StoredFirstContactSlot | null {
  const row = db.select().from(firstContactSlots).where(eq(firstContactSlots.referralId, referralId)).get();
  return row ? storedSlotFromRow(row) : null;
}

/** Slots a member of staff holds in a period, earliest first (for a caseworker's own list in the back office). */
export function firstContactSlotsForStaff(
  db: SqliteDb,
  staffId: string,
  from: Date,
  to: Date,
): StoredFirstContactSlot[] {
  return db
    .select()
    .from(firstContactSlots)
    .where(
      and(
        eq(firstContactSlots.staffId, staffId),
        gte(firstContactSlots.startsAt, from),
        lte(firstContactSlots.startsAt, to),
      ),
    )
    .orderBy(firstContactSlots.startsAt)
    .all()
    .map(storedSlotFromRow);
}
