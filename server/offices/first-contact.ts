import { and, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import { appointments, referralAssignments } from '../../db/schema/casework.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { firstContactSlots } from '../../db/schema/scheduling.ts';
import { DEFAULT_SLOT_MINUTES, proposeSlot } from '../scheduling/slot.ts';
import type { BookedContact, SafeTime, SlotFallbackReasonId, SlotProposal } from '../scheduling/types.ts';
import { calendarFor } from './calendar.ts';
import { caseworkersForOffice } from './caseworkers.ts';
import type { SqliteDb } from './db.ts';

const DAY_MS = 86_400_000;
/**
 * How long a back-office appointment keeps its caseworker busy. The appointments table stores only a start,
 * so we assume an hour (a typical support session) rather than guess shorter and offer a clashing call.
 */
export const APPOINTMENT_BUSY_MINUTES = 60;

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
 * Appointments booked in the back office, held by the referral's current assignee. An appointment row names
 * only who booked it (`booked_by`, often a manager booking for someone else), not who will see him, so the
 * assignee is the caseworker it belongs to. An appointment on an unassigned referral belongs to nobody yet:
 * it cannot block any one caseworker, so it is left out (the inner join drops it). Appointments have no
 * cancelled state; a closed referral is final, so its appointments will not happen and are left out too.
 * They are marked 'appointment' so they block the time without using up the daily limit of first contacts.
 */
function appointmentBookings(db: SqliteDb, staffIds: string[], from: Date, to: Date): BookedContact[] {
  return db
    .select({ staffId: referralAssignments.staffId, start: appointments.startsAt })
    .from(appointments)
    .innerJoin(referralAssignments, eq(referralAssignments.referralId, appointments.referralId))
    .innerJoin(referrals, eq(referrals.id, appointments.referralId))
    .where(
      and(
        inArray(referralAssignments.staffId, staffIds),
        ne(referrals.status, 'closed'),
        gte(appointments.startsAt, from),
        lte(appointments.startsAt, to),
      ),
    )
    .all()
    .map((row) => ({
      staffId: row.staffId,
      start: row.start,
      end: new Date(row.start.getTime() + APPOINTMENT_BUSY_MINUTES * 60_000),
      kind: 'appointment' as const,
    }));
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
