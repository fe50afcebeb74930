import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { firstContactSlots } from '../../../db/schema/scheduling.ts';
import {
  appointments,
  contactAttempts,
  contactIncidents,
  escalations,
  referralAssignments,
} from '../../../db/schema/casework.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { bookFirstContact } from '../../../server/offices/first-contact.ts';
import { assigneeFilterOptions, openReferralsOf } from '../../../server/casework/handover.ts';
import { recipientWarnings } from '../../../server/casework/recipients-health.ts';
import { refreshMissedSlot } from '../../../server/casework/first-contact.ts';
import { contactPlan } from '../../../server/casework/contact-plan.ts';
import { safeContactFrom } from '../../../server/casework/safe-contact.ts';
import { isCountingDown } from '../../../server/casework/statuses.ts';
import { calendarFor } from '../../../server/offices/calendar.ts';
import { fitDeadlineToSafeTimes, SAFE_TIMES_OUTSIDE_OFFICE_HOURS } from '../../../server/scheduling/safe-deadline.ts';
import { disableStaff } from '../../../server/staff/accounts.ts';
import { sampleAnswers } from '../../../server/backoffice/sample-referrals.ts';
import { enrolStaff, seedTestOffices, signedIn, type StaffClient, type TestStaffMember } from './staff-client.ts';

/**
 * Each failure found trying the back office as a caseworker and a manager would (issue 9), reproduced against the
 * real app and a real SQLite file, and now refused or handled.
 */

// Tuesday 10 March 2026, 10:00 London (GMT).
const clock = fixedClock('2026-03-10T10:00:00Z');

describe('casework keeps the portal’s promises', () => {
  let t: TestApp;
  let lee: TestStaffMember;
  let kim: TestStaffMember;
  let mona: TestStaffMember;
  let worker: StaffClient;
  let manager: StaffClient;
  const hours = (n: number) => new Date(clock.now().getTime() + n * 3_600_000);

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    for (const [list, email] of [
      ['triage', 'triage@saferlives.test'],
      ['managers', 'managers@saferlives.test'],
      ['duty', 'duty@example.org'],
    ] as const)
      db.insert(alertRecipients).values({ officeId: 'leeds', list, email, createdAt: clock.now() }).run();
    const keyring = t.app.services.keyring;
    lee = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'], name: 'Lee Worker' });
    kim = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'], name: 'Kim Worker' });
    mona = await enrolStaff(db, keyring, clock.now(), { role: 'manager', officeIds: ['leeds'], name: 'Mona Manager' });
    worker = await signedIn(t, lee, clock, '10.2.0.1');
    manager = await signedIn(t, mona, clock, '10.2.0.2');
  });
  afterAll(async () => t.cleanup());

  function addReferral(options: Partial<Parameters<typeof insertSampleReferral>[2]> = {}) {
    return insertSampleReferral(t.database.db, t.app.services.keyring, { receivedAt: hours(-2), ...options });
  }
  const statusOf = (id: string) => t.database.db.select().from(referrals).where(eq(referrals.id, id)).get()!.status;
  async function flashAfter(client: StaffClient, res: { headers: Record<string, unknown> }) {
    return (await client.get(String(res.headers.location))).body;
  }
  /** An attempt recorded straight in the database (for earlier days; the session would time out). */
  function pastAttempt(referralId: string, at: string, channel: 'phone' | 'email' | 'text', outcome = 'no_answer') {
    t.database.db
      .insert(contactAttempts)
      .values({
        id: randomUUID(),
        referralId,
        staffId: lee.id,
        attemptedAt: new Date(at),
        channel,
        outcome: outcome as 'no_answer',
        createdAt: clock.now(),
      })
      .run();
  }

  it('refuses a caseworker closing a never-contacted referral as "not suitable", with no attempt and no reason', async () => {
    const r = addReferral({ priority: 'within_7_days' });
    const res = await worker.post(`/staff/referrals/${r.id}/close`, { closedReason: 'not_suitable' });
    const page = await flashAfter(worker, res);
    expect(page).toContain('Say why it is closing as');
    const withReason = await worker.post(`/staff/referrals/${r.id}/close`, {
      closedReason: 'not_suitable',
      reason: 'Does not seem to fit',
    });
    expect(await flashAfter(worker, withReason)).toContain('only a manager can close');
    expect(statusOf(r.id)).toBe('new');
  });

  it('refuses "unable to contact" two hours in, after one letter and one unanswered call', async () => {
    const r = addReferral({
      priority: 'within_7_days',
      answers: { postalAddress: '1 Example Street, Leeds LS1 1AA', letterSafe: 'yes' },
    });
    const letter = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'sent',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(letter.statusCode).toBe(303);
    await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      note: '',
    });
    expect(t.database.db.select().from(contactAttempts).where(eq(contactAttempts.referralId, r.id)).all()).toHaveLength(
      2,
    );
    for (const client of [worker, manager]) {
      const res = await client.post(`/staff/referrals/${r.id}/close`, {
        closedReason: 'unable_to_contact',
        reason: 'No reply to the letter or the call',
      });
      expect(await flashAfter(client, res)).toContain('The contact plan is not finished');
    }
    expect(statusOf(r.id)).toBe('contact_attempted');
    expect(t.database.db.select().from(escalations).where(eq(escalations.referralId, r.id)).all()).toHaveLength(0);
  });

  it('keeps a man never spoken to in the needs-contact queue and the escalations when an appointment is booked', async () => {
    const r = addReferral({ priority: 'today' });
    const text = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'text',
      outcome: 'sent',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(text.statusCode).toBe(303);
    const book = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T11:00',
      mode: 'remote',
      officeId: 'leeds',
      durationMinutes: '60',
    });
    expect(await flashAfter(worker, book)).toContain('booked, not yet confirmed with him');
    expect(statusOf(r.id)).toBe('contact_attempted');
    const inbox = await worker.get('/staff');
    expect(inbox.body).toContain(r.reference);
    // A manual "in contact" is refused too: only an attempt that reached him does that.
    const manual = await worker.post(`/staff/referrals/${r.id}/status`, { status: 'in_contact' });
    expect(await flashAfter(worker, manual)).toMatch(/not possible|Nobody has reached him/);
    expect(statusOf(r.id)).toBe('contact_attempted');
  });

  it('checks letters against his wishes: an address he said is safe, "do not say who we are", and "sent" only', async () => {
    const noAddress = addReferral();
    const refused = await worker.post(`/staff/referrals/${noAddress.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'sent',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(await flashAfter(worker, refused)).toContain('He did not give a postal address');
    const unsafe = addReferral({ answers: { postalAddress: '2 Example Road', letterSafe: 'no' } });
    const res2 = await worker.post(`/staff/referrals/${unsafe.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'sent',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(await flashAfter(worker, res2)).toContain('He did not give a postal address');
    const safe = addReferral({ answers: { postalAddress: '3 Example Road', letterSafe: 'yes' } });
    const spoke = await worker.post(`/staff/referrals/${safe.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'spoke',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(await flashAfter(worker, spoke)).toContain('A letter can only be recorded as sent');
    const named = await worker.post(`/staff/referrals/${safe.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'sent',
      note: '',
    });
    expect(await flashAfter(worker, named)).toContain('He said we must not say who we are');
    const withheld = await worker.post(`/staff/referrals/${safe.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      note: '',
      withheldNumber: 'yes',
    });
    expect(withheld.statusCode).toBe(303); // he said a withheld number is fine
    const noWithheld = addReferral({ answers: { withheldNumber: 'no' } });
    const res3 = await worker.post(`/staff/referrals/${noWithheld.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      note: '',
      withheldNumber: 'yes',
    });
    expect(await flashAfter(worker, res3)).toContain('must not call from a withheld number');
    const ok = await worker.post(`/staff/referrals/${safe.id}/contact-attempts`, {
      channel: 'letter',
      outcome: 'sent',
      note: '',
      saidWhoWeAre: 'no',
    });
    expect(ok.statusCode).toBe(303);
    // A letter is never first contact.
    expect(statusOf(safe.id)).toBe('contact_attempted');
  });

  it('records a wish broken by mistake as an audited incident managers can see', async () => {
    const r = addReferral();
    const res = await worker.post(`/staff/referrals/${r.id}/incidents`, {
      wish: 'voicemail',
      note: 'Left a voicemail by mistake; told my manager at once',
    });
    expect(res.statusCode).toBe(303);
    expect(
      t.database.db.select().from(contactIncidents).where(eq(contactIncidents.referralId, r.id)).all(),
    ).toHaveLength(1);
    const audit = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'wish_broken_recorded'), eq(auditEvents.referralId, r.id)))
      .get();
    expect(audit?.detail).not.toContain('voicemail by mistake');
  });

  it('fits the deadline to his safe times, and says why when they are outside office hours', () => {
    const cfg = calendarFor(t.database.db, 'leeds');
    const received = new Date('2026-03-10T09:19:00Z');
    // Evenings only (5 to 8pm), office shuts at 5pm: the deadline stays, and the reason is given.
    const evening = fitDeadlineToSafeTimes(new Date('2026-03-17T17:00:00Z'), received, received, cfg, {
      phoneSafe: true,
      emailSafe: false,
      safeTimes: ['evening'],
    });
    expect(evening.kind).toBe('outside_office_hours');
    expect(evening.contactBy.toISOString()).toBe('2026-03-17T17:00:00.000Z');
    expect(evening.kind !== 'fits' && evening.explanation).toBe(SAFE_TIMES_OUTSIDE_OFFICE_HOURS);
    // Afternoons only, raised to Today at 09:19 with contact by 11:00: moved to the end of his safe afternoon.
    const afternoon = fitDeadlineToSafeTimes(new Date('2026-03-10T11:00:00Z'), received, received, cfg, {
      phoneSafe: true,
      emailSafe: false,
      safeTimes: ['afternoon'],
    });
    expect(afternoon.kind).toBe('moved');
    expect(afternoon.contactBy.getTime()).toBeGreaterThan(new Date('2026-03-10T12:00:00Z').getTime());
  });

  it('recomputes the deadline and the proposed slot together when a priority is raised', async () => {
    const r = addReferral({
      priority: 'within_7_days',
      receivedAt: new Date('2026-03-10T09:00:00Z'),
      answers: { safeTimes: ['afternoon'] },
    });
    const referral = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    bookFirstContact(
      t.database.db,
      {
        referralId: r.id,
        officeId: 'leeds',
        receivedAt: referral.receivedAt,
        deadline: referral.contactBy,
        phoneSafe: true,
        emailSafe: true,
        safeTimes: ['afternoon'],
      },
      clock.now(),
    );
    t.database.db
      .insert(referralAssignments)
      .values({ referralId: r.id, staffId: lee.id, assignedAt: clock.now(), assignedBy: mona.id })
      .run();
    const res = await manager.post(`/staff/referrals/${r.id}/priority`, {
      priority: 'today',
      reason: 'Police said he is very low',
    });
    expect(res.statusCode).toBe(303);
    const after = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    // Never before his only safe time (afternoons, from 12 noon).
    expect(after.contactBy.getTime()).toBeGreaterThan(new Date('2026-03-10T12:00:00Z').getTime());
    const slot = t.database.db.select().from(firstContactSlots).where(eq(firstContactSlots.referralId, r.id)).get()!;
    expect(slot.startsAt.getTime()).toBeLessThanOrEqual(after.contactBy.getTime());
    // The assignee is told, without personal data.
    const mail = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.kind, 'assignee_priority_raised'))
      .all();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain(r.reference);
    expect(mail[0]!.subject).not.toContain('Barnaby');
  });

  it('marks a passed slot missed and proposes a new one', () => {
    const r = addReferral({ priority: 'within_7_days', receivedAt: new Date('2026-03-09T09:00:00Z') });
    t.database.db
      .insert(firstContactSlots)
      .values({
        referralId: r.id,
        officeId: 'leeds',
        staffId: lee.id,
        kind: 'slot',
        startsAt: new Date('2026-03-09T10:00:00Z'),
        endsAt: new Date('2026-03-09T10:30:00Z'),
        channel: 'phone',
        createdAt: clock.now(),
      })
      .run();
    const head = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    const fresh = refreshMissedSlot(t.database.db, t.app.services.keyring, head, clock.now());
    expect(fresh).not.toBeNull();
    const slot = t.database.db.select().from(firstContactSlots).where(eq(firstContactSlots.referralId, r.id)).get()!;
    expect(slot.replacesMissedAt?.toISOString()).toBe('2026-03-09T10:00:00.000Z');
    expect(slot.startsAt.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 15 * 60_000);
    expect(
      t.database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'first_contact_slot_missed'), eq(auditEvents.referralId, r.id)))
        .all(),
    ).toHaveLength(1);
  });

  it('refuses office appointments at 19:00 and on Saturday, and always names a caseworker', async () => {
    const r = addReferral();
    for (const startsAt of ['2026-03-12T19:00', '2026-03-14T11:00']) {
      const res = await manager.post(`/staff/referrals/${r.id}/appointments`, {
        startsAt,
        mode: 'office',
        officeId: 'leeds',
        durationMinutes: '60',
      });
      expect(await flashAfter(manager, res)).toMatch(/office is closed then|Choose the caseworker/);
    }
    // Unassigned, booked by a manager: the caseworker must be chosen.
    const noOne = await manager.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T11:00',
      mode: 'office',
      officeId: 'leeds',
    });
    expect(await flashAfter(manager, noOne)).toContain('Choose the caseworker who will see him');
    const remoteEvening = await manager.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T19:00',
      mode: 'remote',
      officeId: 'leeds',
      staffId: kim.id,
    });
    expect(await flashAfter(manager, remoteEvening)).toContain('This is outside office hours');
    const ok = await manager.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T19:00',
      mode: 'remote',
      officeId: 'leeds',
      staffId: kim.id,
      outOfHoursReason: 'His only safe time is the evening',
    });
    expect(ok.statusCode).toBe(303);
    const rows = t.database.db.select().from(appointments).where(eq(appointments.referralId, r.id)).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ staffId: kim.id, durationMinutes: 60, status: 'booked' });
  });

  it('offers "support completed", cancels future appointments on closing if asked, and lets a manager reopen', async () => {
    const r = addReferral();
    const reached = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'spoke',
      note: '',
      at: '2026-03-10T09:30',
    });
    expect(reached.statusCode).toBe(303);
    expect(statusOf(r.id)).toBe('in_contact');
    const book = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T11:00',
      mode: 'office',
      officeId: 'leeds',
      durationMinutes: '45',
    });
    expect(await flashAfter(worker, book)).toContain('Appointment booked.');
    expect(statusOf(r.id)).toBe('appointment_booked');
    t.database.db.update(referrals).set({ status: 'engaged' }).where(eq(referrals.id, r.id)).run();
    const ask = await worker.post(`/staff/referrals/${r.id}/close`, { closedReason: 'support_completed' });
    expect(await flashAfter(worker, ask)).toContain('still to come');
    const done = await worker.post(`/staff/referrals/${r.id}/close`, {
      closedReason: 'support_completed',
      futureAppointments: 'cancel',
    });
    expect(await flashAfter(worker, done)).toContain('Referral closed: support completed');
    expect(t.database.db.select().from(appointments).where(eq(appointments.referralId, r.id)).get()?.status).toBe(
      'cancelled',
    );
    expect(isCountingDown(statusOf(r.id))).toBe(false);
    const byWorker = await worker.post(`/staff/referrals/${r.id}/reopen`, { reason: 'He came back' });
    expect(byWorker.statusCode).toBe(403);
    const reopen = await manager.post(`/staff/referrals/${r.id}/reopen`, { reason: 'He phoned to ask for more help' });
    expect(await flashAfter(manager, reopen)).toContain('Referral reopened');
    expect(statusOf(r.id)).toBe('in_contact');
  });

  it('takes an unassigned referral for whoever records an attempt, and emails an assignee on assignment', async () => {
    const r = addReferral();
    await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      note: '',
    });
    expect(
      t.database.db.select().from(referralAssignments).where(eq(referralAssignments.referralId, r.id)).get()?.staffId,
    ).toBe(lee.id);
    await manager.post(`/staff/referrals/${r.id}/assign`, { assignee: kim.id });
    const mail = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.kind, 'assignee_assigned'))
      .all()
      .filter((m) => m.subject.includes(r.reference));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).not.toContain('Barnaby');
  });

  it('lists a disabled caseworker’s open referrals, keeps them in the filter, and lets a manager reassign them all', async () => {
    const leaver = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
      name: 'Lou Leaver',
    });
    const a = addReferral();
    const b = addReferral();
    for (const r of [a, b])
      t.database.db
        .insert(referralAssignments)
        .values({ referralId: r.id, staffId: leaver.id, assignedAt: clock.now(), assignedBy: mona.id })
        .run();
    disableStaff(t.database.db, leaver.id, null, clock.now());
    expect(
      openReferralsOf(t.database.db, leaver.id)
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    const option = assigneeFilterOptions(t.database.db, ['leeds']).find((p) => p.id === leaver.id);
    expect(option).toMatchObject({ disabled: true, openCount: 2 });
    const byWorker = await worker.post('/staff/reassign', { fromStaffId: leaver.id, toStaffId: lee.id });
    expect(byWorker.statusCode).toBe(403);
    const res = await manager.post('/staff/reassign', { fromStaffId: leaver.id, toStaffId: kim.id });
    expect(await flashAfter(manager, res)).toContain('2 referrals reassigned');
    expect(openReferralsOf(t.database.db, leaver.id)).toHaveLength(0);
    expect(openReferralsOf(t.database.db, kim.id).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(t.database.db.select().from(staffUsers).where(eq(staffUsers.id, leaver.id)).get()?.status).toBe('disabled');
  });

  it('flags placeholder recipient addresses', () => {
    const warnings = recipientWarnings(t.database.db, t.app.services.keyring, clock.now(), ['leeds']);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ list: 'duty', email: 'duty@example.org', problem: 'placeholder' }),
      ]),
    );
    // .test is reserved too: nothing sent there is ever delivered.
    expect(warnings.some((w) => w.email === 'managers@saferlives.test' && w.problem === 'placeholder')).toBe(true);
    expect(warnings.some((w) => w.list === 'triage' && w.problem === 'empty_list')).toBe(false);
  });

  it('lets a manager decide on an unreachable Today referral: the plan, the options, the decision recorded', async () => {
    const r = addReferral({ priority: 'today', receivedAt: new Date('2026-03-09T09:00:00Z') });
    pastAttempt(r.id, '2026-03-09T09:30:00Z', 'phone');
    pastAttempt(r.id, '2026-03-09T14:00:00Z', 'email', 'sent');
    pastAttempt(r.id, '2026-03-10T09:40:00Z', 'phone');
    const head = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    const answers = sampleAnswers();
    const plan = contactPlan(t.database.db, head, safeContactFrom(answers), clock.now());
    expect(plan.exhausted).toBe(true);
    const propose = await worker.post(`/staff/referrals/${r.id}/close`, {
      closedReason: 'unable_to_contact',
      reason: 'Three tries over two days, no reply',
    });
    expect(await flashAfter(worker, propose)).toContain('gone to a manager');
    expect(statusOf(r.id)).not.toBe('closed');
    const decisionPage = await manager.get(`/staff/referrals/${r.id}/decision`);
    expect(decisionPage.statusCode).toBe(303);
    const decide = await manager.post(`/staff/referrals/${r.id}/decision`, {
      option: 'gp_welfare_check',
      reason: 'He agreed to a GP check; asking the surgery today',
    });
    expect(await flashAfter(manager, decide)).toContain('Decision recorded');
    const row = t.database.db.select().from(escalations).where(eq(escalations.referralId, r.id)).get()!;
    expect(row.decision).toBe('gp_welfare_check');
    expect(row.resolvedBy).toBe(mona.id);
    expect(statusOf(r.id)).not.toBe('closed');
  });
});
