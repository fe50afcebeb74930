import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { appointments, contactAttempts, escalations, referralAssignments } from '../../../db/schema/casework.ts';
import { firstContactSlots } from '../../../db/schema/scheduling.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { buildInboxPage, firstCallFlags } from '../../../server/backoffice/casework/inbox-page.ts';
import { DEFAULT_FILTERS, parseInboxFilters } from '../../../server/backoffice/casework/inbox.ts';
import { buildMyWorkPage } from '../../../server/backoffice/casework/my-work.ts';
import { buildCalendarPage, parseCalendarQuery, weekStart } from '../../../server/backoffice/casework/calendar.ts';
import { loadStaffIdentity, type SessionStaff } from '../../../server/auth/sessions.ts';
import { enrolStaff, seedTestOffices, signedIn } from './staff-client.ts';

/**
 * The views of issue 9 read from a real database: the inbox's name, first-call flags, last attempt, next
 * appointment and "with a manager" filter; My work; the office calendar. Names are decrypted for listed rows only.
 */
describe('views that fit the day', () => {
  const clock = fixedClock('2026-12-07T13:30:00Z'); // Monday
  let t: TestApp;
  let caseworker: SessionStaff;
  let other: SessionStaff;
  let manager: SessionStaff;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    seedTestOffices(db);
    const now = clock.now();
    const a = await enrolStaff(db, keyring, now, { role: 'caseworker', officeIds: ['leeds'], name: 'Casey Worker' });
    const b = await enrolStaff(db, keyring, now, { role: 'caseworker', officeIds: ['leeds'], name: 'Bo Other' });
    const m = await enrolStaff(db, keyring, now, { role: 'manager', officeIds: ['leeds'], name: 'Morgan Manager' });
    caseworker = loadStaffIdentity(db, a.id)!;
    other = loadStaffIdentity(db, b.id)!;
    manager = loadStaffIdentity(db, m.id)!;

    const risky = insertSampleReferral(db, keyring, {
      receivedAt: new Date('2026-12-07T09:00:00Z'),
      priority: 'today',
      answers: { name: 'Rowan Hartley', thoughtsOfEndingLife: 'often', childrenInHousehold: 'yes' },
    });
    const calm = insertSampleReferral(db, keyring, {
      receivedAt: new Date('2026-12-07T10:00:00Z'),
      priority: 'within_7_days',
      answers: { name: 'Calum Fenwick', voicemail: 'yes', sayWhoWeAre: 'yes' },
    });
    const closed = insertSampleReferral(db, keyring, {
      receivedAt: new Date('2026-11-20T10:00:00Z'),
      priority: 'within_7_days',
      answers: { name: 'Closed Person' },
    });
    ids.risky = risky.id;
    ids.calm = calm.id;
    ids.closed = closed.id;
    db.update(referrals).set({ status: 'closed' }).where(eq(referrals.id, closed.id)).run();
    for (const id of [risky.id, calm.id])
      db.insert(referralAssignments).values({ referralId: id, staffId: a.id, assignedAt: now, assignedBy: m.id }).run();
    db.insert(contactAttempts)
      .values({
        id: randomUUID(),
        referralId: risky.id,
        staffId: a.id,
        attemptedAt: new Date('2026-12-07T11:00:00Z'),
        channel: 'phone',
        outcome: 'no_answer',
        createdAt: now,
      })
      .run();
    db.insert(escalations)
      .values({ id: randomUUID(), referralId: risky.id, reason: 'unable_to_contact', raisedBy: a.id, raisedAt: now })
      .run();
    db.insert(firstContactSlots)
      .values({
        referralId: calm.id,
        officeId: 'leeds',
        staffId: a.id,
        kind: 'slot',
        startsAt: new Date('2026-12-07T15:00:00Z'),
        endsAt: new Date('2026-12-07T15:30:00Z'),
        channel: 'phone',
        createdAt: now,
      })
      .onConflictDoNothing()
      .run();
    const appointment = (id: string, staffId: string, startsAt: string, status = 'booked') =>
      db
        .insert(appointments)
        .values({
          id: randomUUID(),
          referralId: id,
          bookedBy: staffId,
          staffId,
          startsAt: new Date(startsAt),
          durationMinutes: 45,
          mode: 'office',
          officeId: 'leeds',
          status: status as 'booked',
          createdAt: now,
        })
        .run();
    appointment(calm.id, a.id, '2026-12-09T10:00:00Z');
    appointment(calm.id, b.id, '2026-12-09T11:00:00Z');
    appointment(calm.id, a.id, '2026-12-08T10:00:00Z', 'cancelled');
    appointment(calm.id, a.id, '2026-12-21T10:00:00Z'); // two weeks on: not this week
  });
  afterAll(async () => t.cleanup());

  const inbox = (query: Record<string, string>, staff = caseworker) =>
    buildInboxPage(t.database.db, t.app.services.keyring, staff, clock.now(), parseInboxFilters(query), null, null);

  it('the inbox shows his name, the first-call flags, last attempt and next appointment', () => {
    const page = inbox({});
    const risky = page.rows.find((row) => row.id === ids.risky)!;
    const calm = page.rows.find((row) => row.id === ids.calm)!;
    expect(risky.name).toBe('Rowan Hartley');
    expect(risky.flags).toEqual({ risk: true, children: true, noVoicemail: true, doNotSayWhoWeAre: true });
    expect(calm.flags).toEqual({ risk: false, children: false, noVoicemail: false, doNotSayWhoWeAre: false });
    expect(risky.lastAttempt?.text).toBe('Phone call: no answer');
    expect(calm.lastAttempt).toBeNull();
    // The cancelled one on Tuesday does not count; Wednesday 10:00 is the next.
    expect(calm.nextAppointment?.toISOString()).toBe('2026-12-09T10:00:00.000Z');
    expect(risky.escalated).toBe(true);
  });

  it('"with a manager" is a filter', () => {
    const page = inbox({ manager: '1', status: 'all' });
    expect(page.rows.map((row) => row.id)).toEqual([ids.risky]);
    expect(page.filterQuery).toContain('manager=1');
    expect(inbox({ status: 'all' }).rows.length).toBe(3);
  });

  it('a closed referral does not count down', () => {
    const closed = inbox({ status: 'all' }).rows.find((row) => row.id === ids.closed)!;
    expect(closed.open).toBe(false);
    expect(closed.urgency).toBeNull();
  });

  it('first-call flags read his answers the safe way (anything unclear counts as "no")', () => {
    expect(firstCallFlags({})).toEqual({ risk: false, children: false, noVoicemail: true, doNotSayWhoWeAre: true });
    expect(firstCallFlags({ ableToKeepSafe: 'not_sure' }).risk).toBe(true);
  });

  it('My work: my referrals by deadline, today proposed contacts, this week appointments, with a manager', () => {
    const page = buildMyWorkPage(t.database.db, t.app.services.keyring, caseworker, clock.now());
    expect(page.referrals.map((r) => r.id)).toEqual([ids.risky, ids.calm]); // Today's deadline first
    expect(page.referrals[0]!.name).toBe('Rowan Hartley');
    expect(page.firstContactsToday).toHaveLength(1);
    expect(page.firstContactsToday[0]).toMatchObject({ referralId: ids.calm, channel: 'phone', missed: false });
    expect(page.appointmentsThisWeek.map((a) => a.startsAt.toISOString())).toEqual(['2026-12-09T10:00:00.000Z']);
    expect(page.withManager.map((r) => r.id)).toEqual([ids.risky]);

    const theirs = buildMyWorkPage(t.database.db, t.app.services.keyring, other, clock.now());
    expect(theirs.referrals).toEqual([]);
    expect(theirs.withManager).toEqual([]);
    expect(theirs.appointmentsThisWeek.map((a) => a.startsAt.toISOString())).toEqual(['2026-12-09T11:00:00.000Z']);
    // A manager sees everything in their offices that waits for a decision.
    const managers = buildMyWorkPage(t.database.db, t.app.services.keyring, manager, clock.now());
    expect(managers.withManager.map((r) => r.id)).toEqual([ids.risky]);
  });

  it('the office calendar shows the week by day and caseworker', () => {
    expect(weekStart('2026-12-10')).toBe('2026-12-07');
    const page = buildCalendarPage(t.database.db, manager, clock.now(), parseCalendarQuery({}, clock.now()));
    expect(page.weekOf).toBe('2026-12-07');
    const wednesday = page.days.find((day) => day.date === '2026-12-09')!;
    expect(wednesday.people.map((p) => p.staffName)).toEqual(['Bo Other', 'Casey Worker']);
    expect(wednesday.people[1]!.appointments[0]!.endsAt.toISOString()).toBe('2026-12-09T10:45:00.000Z');
    const tuesday = page.days.find((day) => day.date === '2026-12-08')!;
    expect(tuesday.people[0]!.appointments[0]!.status).toBe('Cancelled');
    expect(page.total).toBe(3);
    const later = buildCalendarPage(
      t.database.db,
      manager,
      clock.now(),
      parseCalendarQuery({ week: '2026-12-23' }, clock.now()),
    );
    expect(later.weekOf).toBe('2026-12-21');
    expect(later.total).toBe(1);
    // Another office's person sees none of it.
    const elsewhere = { ...manager, officeIds: ['manchester'] };
    expect(buildCalendarPage(t.database.db, elsewhere, clock.now(), { from: '2026-12-07', officeId: null }).total).toBe(
      0,
    );
  });

  it('serves both screens through the app, for caseworkers and managers', async () => {
    const { db } = t.database;
    const member = await enrolStaff(db, t.app.services.keyring, clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
    });
    const client = await signedIn(t, member, clock, '10.9.7.1');
    const work = await client.get('/staff/my-work');
    expect(work.statusCode).toBe(200);
    expect(work.body).toContain('<h1>My work</h1>');
    const calendar = await client.get('/staff/calendar?week=2026-12-07');
    expect(calendar.statusCode).toBe(200);
    expect(calendar.body).toContain('Casey Worker');
    expect(DEFAULT_FILTERS.withManager).toBe(false);
  });
});
