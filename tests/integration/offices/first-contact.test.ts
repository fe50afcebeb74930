import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../../db/client.ts';
import { firstContactSlots } from '../../../db/schema/scheduling.ts';
import { appointments, referralAssignments } from '../../../db/schema/casework.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import {
  bookFirstContact,
  firstContactSlotsForStaff,
  getFirstContactSlot,
  proposeFirstContact,
  seedOffices,
  setCaseworkerPattern,
  type FirstContactRequest,
} from '../../../server/offices/index.ts';
import { contactBy } from '../../../server/scheduling/deadline.ts';
import { calendarFor } from '../../../server/offices/calendar.ts';
import { addReferral, addStaff, migratedMemoryDb } from '../alerts/support.ts';

// Monday 7 December 2026, 10:07 London (GMT).
const RECEIVED = new Date('2026-12-07T10:07:00Z');
let database: OpenedDatabase;
let alex: string;
let sam: string;

beforeEach(async () => {
  database = await migratedMemoryDb();
  seedOffices(database.db, RECEIVED);
  alex = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
  sam = addStaff(database.db, { name: 'Sam', offices: ['leeds', 'manchester'] });
});
afterEach(() => database.sqlite.close());

const mondayToFriday = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

function request(officeId: string, overrides: Partial<FirstContactRequest> = {}): FirstContactRequest {
  const deadline = contactBy('within_7_days', RECEIVED, calendarFor(database.db, officeId)).contactBy;
  const { id } = addReferral(database.db, {
    officeId,
    priority: 'within_7_days',
    receivedAt: RECEIVED,
    contactBy: deadline,
  });
  return {
    referralId: id,
    officeId,
    receivedAt: RECEIVED,
    deadline,
    phoneSafe: true,
    emailSafe: false,
    safeTimes: [],
    ...overrides,
  };
}

describe('booking first contact against stored patterns and bookings', () => {
  it('books the earliest free slot and counts it as booked for the next referral', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const first = bookFirstContact(database.db, request('leeds'), RECEIVED);
    const second = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(first).toMatchObject({
      kind: 'slot',
      staffId: alex,
      channel: 'phone',
      startsAt: new Date('2026-12-07T10:15:00Z'),
    });
    expect(second).toMatchObject({ kind: 'slot', staffId: alex, startsAt: new Date('2026-12-07T10:45:00Z') });
    expect(
      firstContactSlotsForStaff(database.db, alex, RECEIVED, new Date('2026-12-08T00:00:00Z')).map((s) => s.referralId),
    ).toEqual([first.referralId, second.referralId]);
  });

  it('keeps to each caseworker’s daily limit, across the offices they cover', () => {
    setCaseworkerPattern(database.db, sam, { weekly: mondayToFriday, maxFirstContactsPerDay: 1 }, RECEIVED);
    const manchester = bookFirstContact(database.db, request('manchester'), RECEIVED);
    const leeds = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(manchester).toMatchObject({ staffId: sam, startsAt: new Date('2026-12-07T10:15:00Z') });
    // Sam's one first contact on Monday is taken (for Manchester), so Leeds gets Tuesday.
    expect(leeds).toMatchObject({ staffId: sam, startsAt: new Date('2026-12-08T09:00:00Z') });
  });

  it('spreads the load to the caseworker with fewer contacts that day', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    setCaseworkerPattern(database.db, sam, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const a = bookFirstContact(database.db, request('leeds'), RECEIVED);
    const b = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect([a.staffId, b.staffId].sort()).toEqual([alex, sam].sort());
    expect(a.startsAt).toEqual(b.startsAt);
  });

  it('respects his safe times and keeps the slot inside office hours', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const slot = bookFirstContact(database.db, request('leeds', { safeTimes: ['afternoon'] }), RECEIVED);
    expect(slot).toMatchObject({
      kind: 'slot',
      startsAt: new Date('2026-12-07T12:00:00Z'),
      endsAt: new Date('2026-12-07T12:30:00Z'),
    });
  });

  it('proposes the deadline itself, with the reason, when nobody is rostered', () => {
    const req = request('leeds');
    const slot = bookFirstContact(database.db, req, RECEIVED);
    expect(slot).toMatchObject({
      kind: 'deadline_fallback',
      staffId: null,
      channel: null,
      reasonId: 'no_caseworker_rostered',
      endsAt: req.deadline,
    });
    expect(slot.startsAt.getTime()).toBe(req.deadline.getTime() - 30 * 60_000);
  });

  it('ignores disabled staff and staff of other offices', () => {
    const gone = addStaff(database.db, { name: 'Gone', status: 'disabled', offices: ['leeds'] });
    const elsewhere = addStaff(database.db, { name: 'Elsewhere', offices: ['manchester'] });
    for (const id of [gone, elsewhere])
      setCaseworkerPattern(database.db, id, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    expect(bookFirstContact(database.db, request('leeds'), RECEIVED).kind).toBe('deadline_fallback');
  });

  it('never proposes anything after the deadline', () => {
    setCaseworkerPattern(
      database.db,
      alex,
      { weekly: [{ weekday: 5, start: '16:45', end: '17:00' }], maxFirstContactsPerDay: 5 },
      RECEIVED,
    );
    const req = request('leeds');
    const slot = bookFirstContact(database.db, req, RECEIVED);
    expect(slot.kind).toBe('deadline_fallback');
    expect(slot.endsAt.getTime()).toBeLessThanOrEqual(req.deadline.getTime());
  });

  it('is idempotent: a referral keeps the slot it was given', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const req = request('leeds');
    const first = bookFirstContact(database.db, req, RECEIVED);
    const again = bookFirstContact(database.db, req, new Date(RECEIVED.getTime() + 60_000));
    expect(again).toEqual(first);
    expect(getFirstContactSlot(database.db, req.referralId)).toEqual(first);
  });

  it('proposes without booking (for triage:explain)', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const { referralId: _unused, ...req } = request('leeds');
    expect(proposeFirstContact(database.db, req)).toMatchObject({
      kind: 'slot',
      start: new Date('2026-12-07T10:15:00Z'),
    });
    expect(proposeFirstContact(database.db, req)).toMatchObject({
      kind: 'slot',
      start: new Date('2026-12-07T10:15:00Z'),
    });
    expect(database.db.select().from(firstContactSlots).all()).toEqual([]);
  });

  it('goes when its referral is deleted', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
    const req = request('leeds');
    bookFirstContact(database.db, req, RECEIVED);
    database.db.delete(referrals).where(eq(referrals.id, req.referralId)).run();
    expect(getFirstContactSlot(database.db, req.referralId)).toBeNull();
  });
});

describe('appointments booked in the back office', () => {
  /**
   * An appointment on another (existing) referral with `caseworker` (appointments.staff_id), as the back office
   * stores it. The referral is assigned to the same caseworker unless `assignee` says otherwise (null: nobody).
   */
  function bookAppointmentFor(
    caseworker: string | null,
    startsAt: string,
    options: {
      status?: string;
      bookedBy?: string;
      assignee?: string | null;
      durationMinutes?: number;
      appointmentStatus?: 'booked' | 'cancelled' | 'attended' | 'did_not_attend';
    } = {},
  ): void {
    const deadline = contactBy('within_7_days', RECEIVED, calendarFor(database.db, 'leeds')).contactBy;
    const { id: referralId } = addReferral(database.db, {
      officeId: 'leeds',
      priority: 'within_7_days',
      receivedAt: new Date('2026-12-01T10:00:00Z'),
      contactBy: deadline,
      status: options.status ?? 'appointment_booked',
    });
    const assignee = options.assignee === undefined ? caseworker : options.assignee;
    if (assignee !== null) {
      database.db
        .insert(referralAssignments)
        .values({ referralId, staffId: assignee, assignedAt: RECEIVED, assignedBy: sam })
        .run();
    }
    // Booked by Sam (say, a manager) on the caseworker's behalf unless told: who booked it is not who it blocks.
    database.db
      .insert(appointments)
      .values({
        id: randomUUID(),
        referralId,
        bookedBy: options.bookedBy ?? sam,
        staffId: caseworker,
        startsAt: new Date(startsAt),
        ...(options.durationMinutes ? { durationMinutes: options.durationMinutes } : {}),
        ...(options.appointmentStatus ? { status: options.appointmentStatus } : {}),
        mode: 'remote',
        createdAt: RECEIVED,
      })
      .run();
  }

  beforeEach(() => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 5 }, RECEIVED);
  });

  it('does not offer a caseworker a time that clashes with their appointment, and moves to the next free time', () => {
    // 10:15 would be the earliest slot; the hour-long appointment covers 10:15-11:15.
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z');
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ kind: 'slot', staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('blocks a slot that would overlap the start of an appointment', () => {
    bookAppointmentFor(alex, '2026-12-07T10:30:00Z');
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:30:00Z') });
  });

  // Each case below pairs an appointment that must block (10:15-11:15, so the slot moves to 11:15) with one that
  // must not (at 11:15): the slot lands at 11:15 only when the first counts and the second is ignored.
  it('does not block when the appointment is another caseworker’s', () => {
    const jo = addStaff(database.db, { name: 'Jo', offices: ['leeds'] });
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z');
    bookAppointmentFor(jo, '2026-12-07T11:15:00Z');
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('does not block when the appointment was cancelled', () => {
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z');
    bookAppointmentFor(alex, '2026-12-07T11:15:00Z', { appointmentStatus: 'cancelled' });
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('blocks only its own caseworker: not the referral’s assignee, nor whoever booked it', () => {
    const jo = addStaff(database.db, { name: 'Jo', offices: ['leeds'] });
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z');
    // Jo sees him at 11:15, although Alex holds the referral and booked it.
    bookAppointmentFor(jo, '2026-12-07T11:15:00Z', { assignee: alex, bookedBy: alex });
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('blocks its caseworker even when the referral is not assigned to anyone', () => {
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z', { assignee: null });
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('blocks its caseworker for its own length', () => {
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z', { durationMinutes: 30 });
    expect(bookFirstContact(database.db, request('leeds'), RECEIVED)).toMatchObject({
      startsAt: new Date('2026-12-07T10:45:00Z'),
    });
  });

  it('blocks a long appointment to its end', () => {
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z', { durationMinutes: 120 });
    expect(bookFirstContact(database.db, request('leeds'), RECEIVED)).toMatchObject({
      startsAt: new Date('2026-12-07T12:15:00Z'),
    });
  });

  it('does not use up the daily limit of first contacts', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 1 }, RECEIVED);
    bookAppointmentFor(alex, '2026-12-07T10:15:00Z');
    const slot = bookFirstContact(database.db, request('leeds'), RECEIVED);
    // The appointment blocks 10:15-11:15; counted as a contact, it would also fill Monday and push this to Tuesday.
    expect(slot).toMatchObject({ staffId: alex, startsAt: new Date('2026-12-07T11:15:00Z') });
  });

  it('leaves first-contact slots as they were: they still block time and count towards the limit', () => {
    setCaseworkerPattern(database.db, alex, { weekly: mondayToFriday, maxFirstContactsPerDay: 2 }, RECEIVED);
    bookAppointmentFor(alex, '2026-12-07T11:00:00Z');
    const first = bookFirstContact(database.db, request('leeds'), RECEIVED);
    const second = bookFirstContact(database.db, request('leeds'), RECEIVED);
    const third = bookFirstContact(database.db, request('leeds'), RECEIVED);
    expect(first).toMatchObject({ startsAt: new Date('2026-12-07T10:15:00Z') });
    // 10:45 would run into the 11:00 appointment; the next free time is after it.
    expect(second).toMatchObject({ startsAt: new Date('2026-12-07T12:00:00Z') });
    // Two first contacts fill Monday; the appointment did not count, so the third is Tuesday's first.
    expect(third).toMatchObject({ startsAt: new Date('2026-12-08T09:00:00Z') });
  });
});
