import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import { firstContactSlots } from '../../db/schema/scheduling.ts';
import { DEFAULT_SLOT_MINUTES, proposeSlot } from '../scheduling/slot.ts';
import type { BookedContact, SafeTime, SlotFallbackReasonId, SlotProposal } from '../scheduling/types.ts';
import { calendarFor } from './calendar.ts';
import { caseworkersForOffice } from './caseworkers.ts';
import type { SqliteDb } from './db.ts';

const DAY_MS = 86_400_000;

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
 * Reads the office's calendar, the rostered caseworkers and every slot they already hold around the window,
 * whichever office it was booked for, because a person's daily limit covers all their offices.
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

export function bookedContacts(db: SqliteDb, staffIds: string[], from: Date, to: Date): BookedContact[] {
  if (staffIds.length === 0) return [];
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
    .flatMap((row) => (row.staffId === null ? [] : [{ staffId: row.staffId, start: row.start, end: row.end }]));
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
  db.insert(firstContactSlots).values({ ...row, createdAt: now }).run();
  return row;
}

export function getFirstContactSlot(db: SqliteDb, referralId: string): StoredFirstContactSlot | null {
  const row = db.select().from(firstContactSlots).where(eq(firstContactSlots.referralId, referralId)).get();
  if (!row) return null;
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

/** Slots a member of staff holds in a period, earliest first (for a caseworker's own list in the back office). */
export function firstContactSlotsForStaff(db: SqliteDb, staffId: string, from: Date, to: Date): StoredFirstContactSlot[] {
  return db
    .select()
    .from(firstContactSlots)
    .where(and(eq(firstContactSlots.staffId, staffId), gte(firstContactSlots.startsAt, from), lte(firstContactSlots.startsAt, to)))
    .orderBy(firstContactSlots.startsAt)
    .all()
    .map((row) => ({
      referralId: row.referralId,
      officeId: row.officeId,
      kind: row.kind,
      staffId: row.staffId,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      channel: row.channel,
      reasonId: row.reasonId as SlotFallbackReasonId | null,
      reason: row.reason,
    }));
}
