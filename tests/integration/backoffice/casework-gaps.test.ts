import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { contactAttempts, referralAssignments } from '../../../db/schema/casework.ts';
import { firstContactSlots } from '../../../db/schema/scheduling.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { randomUUID } from 'node:crypto';
import { appointments } from '../../../db/schema/casework.ts';
import { bodyAad, recipientsAad } from '../../../server/mail/outbox.ts';
import { decryptField, decryptJson } from '../../../server/security/field-encryption.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { openReferralsOf } from '../../../server/casework/handover.ts';
import { disableStaff } from '../../../server/staff/accounts.ts';
import { appointmentReminderEmails, insertAppointment } from './appointments.ts';
import { enrolStaff, seedTestOffices, signedIn, type StaffClient, type TestStaffMember } from './staff-client.ts';

/** The gaps left in issue 9's casework, each closed with a test against the real app and a real SQLite file. */

// Tuesday 10 March 2026, 10:00 London (GMT).
const clock = fixedClock('2026-03-10T10:00:00Z');

describe('casework gaps (issue 9)', () => {
  let t: TestApp;
  let kim: TestStaffMember;
  let mona: TestStaffMember;
  let admin: StaffClient;
  const hours = (n: number) => new Date(clock.now().getTime() + n * 3_600_000);

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    for (const [list, email] of [
      ['triage', 'triage@saferlives.org.uk'],
      ['managers', 'managers@saferlives.org.uk'],
    ] as const)
      db.insert(alertRecipients).values({ officeId: 'leeds', list, email, createdAt: clock.now() }).run();
    const keyring = t.app.services.keyring;
    kim = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'], name: 'Kim Worker' });
    mona = await enrolStaff(db, keyring, clock.now(), { role: 'manager', officeIds: ['leeds'], name: 'Mona Manager' });
    const ada = await enrolStaff(db, keyring, clock.now(), { role: 'admin', name: 'Ada Admin' });
    admin = await signedIn(t, ada, clock, '10.9.0.1');
  });
  afterAll(async () => t.cleanup());

  function addReferral(options: Partial<Parameters<typeof insertSampleReferral>[2]> = {}) {
    return insertSampleReferral(t.database.db, t.app.services.keyring, { receivedAt: hours(-2), ...options });
  }
  async function flashAfter(client: StaffClient, res: { headers: Record<string, unknown> }) {
    return (await client.get(String(res.headers.location))).body;
  }
  const statusOfStaff = (id: string) =>
    t.database.db.select().from(staffUsers).where(eq(staffUsers.id, id)).get()?.status;
  function assignTo(staffId: string, referralId: string) {
    t.database.db
      .insert(referralAssignments)
      .values({ referralId, staffId, assignedAt: clock.now(), assignedBy: mona.id })
      .run();
  }

  describe('disabling a caseworker', () => {
    it('lists their open referrals and refuses to disable until someone takes them, then hands them over', async () => {
      const lou = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
        role: 'caseworker',
        officeIds: ['leeds'],
        name: 'Lou Leaver',
      });
      const a = addReferral({ priority: 'today' });
      const b = addReferral();
      const closed = addReferral();
      for (const r of [a, b, closed]) assignTo(lou.id, r.id);
      t.database.db.run(`UPDATE referrals SET status = 'closed' WHERE id = '${closed.id}'`);

      const page = (await admin.get(`/staff/admin/staff/${lou.id}`)).body;
      expect(page).toContain('Open referrals they hold (2)');
      expect(page).toContain(a.reference);
      expect(page).toContain(b.reference);
      expect(page).not.toContain(closed.reference);
      expect(page).toContain('Who takes their open referrals');
      expect(page).toContain(`value="${kim.id}"`);
      expect(page).not.toContain(`value="${lou.id}"`);

      const refused = await admin.post(`/staff/admin/staff/${lou.id}/disable`, {});
      expect(refused.statusCode).toBe(303);
      expect(await flashAfter(admin, refused)).toContain('They hold 2 open referrals. Choose who takes them');
      expect(statusOfStaff(lou.id)).toBe('active');
      expect(openReferralsOf(t.database.db, lou.id)).toHaveLength(2);

      const done = await admin.post(`/staff/admin/staff/${lou.id}/disable`, { toStaffId: kim.id });
      expect(await flashAfter(admin, done)).toContain('Account disabled.');
      expect(statusOfStaff(lou.id)).toBe('disabled');
      expect(openReferralsOf(t.database.db, lou.id)).toHaveLength(0);
      expect(openReferralsOf(t.database.db, kim.id).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      const mail = t.database.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.kind, 'assignee_assigned'))
        .all()
        .filter((m) => m.subject.includes(a.reference) || m.subject.includes(b.reference));
      expect(mail).toHaveLength(2);
    });

    it('lets an admin hand over the referrals of someone disabled before, from the same screen', async () => {
      const old = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
        role: 'caseworker',
        officeIds: ['leeds'],
        name: 'Olly Old',
      });
      const r = addReferral();
      assignTo(old.id, r.id);
      disableStaff(t.database.db, old.id, null, clock.now());
      const page = (await admin.get(`/staff/admin/staff/${old.id}`)).body;
      expect(page).toContain('nobody is working on these');
      expect(page).toContain(r.reference);
      const wrong = await admin.post(`/staff/admin/staff/${old.id}/handover`, { toStaffId: old.id });
      expect(await flashAfter(admin, wrong)).toContain('Choose someone else');
      const res = await admin.post(`/staff/admin/staff/${old.id}/handover`, { toStaffId: mona.id });
      expect(await flashAfter(admin, res)).toContain('1 referral reassigned');
      expect(openReferralsOf(t.database.db, mona.id).map((x) => x.id)).toContain(r.id);
    });
  });

  describe('missed first contacts, found by the alert scheduler', () => {
    function pastSlot(referralId: string) {
      t.database.db
        .insert(firstContactSlots)
        .values({
          referralId,
          officeId: 'leeds',
          staffId: kim.id,
          kind: 'slot',
          startsAt: new Date('2026-03-09T10:00:00Z'),
          endsAt: new Date('2026-03-09T10:30:00Z'),
          channel: 'phone',
          createdAt: clock.now(),
        })
        .run();
    }
    const slotOf = (id: string) =>
      t.database.db.select().from(firstContactSlots).where(eq(firstContactSlots.referralId, id)).get()!;

    it('marks a passed slot missed and proposes a new one without anyone opening the record', () => {
      const missed = addReferral({ receivedAt: new Date('2026-03-09T09:00:00Z') });
      const tried = addReferral({ receivedAt: new Date('2026-03-09T09:00:00Z') });
      pastSlot(missed.id);
      pastSlot(tried.id);
      t.database.db
        .insert(contactAttempts)
        .values({
          id: randomUUID(),
          referralId: tried.id,
          staffId: kim.id,
          attemptedAt: new Date('2026-03-09T10:05:00Z'),
          channel: 'phone',
          outcome: 'no_answer',
          createdAt: clock.now(),
        })
        .run();

      const result = t.app.alertScheduler.runOnce(clock.now());
      expect(result.missedSlots).toBe(1);
      const fresh = slotOf(missed.id);
      expect(fresh.replacesMissedAt?.toISOString()).toBe('2026-03-09T10:00:00.000Z');
      expect(fresh.startsAt.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 15 * 60_000);
      // The one somebody tried in its slot is not missed.
      expect(slotOf(tried.id).replacesMissedAt).toBeNull();
      const audits = (id: string) =>
        t.database.db
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.action, 'first_contact_slot_missed'), eq(auditEvents.referralId, id)))
          .all();
      expect(audits(missed.id)).toHaveLength(1);
      expect(audits(tried.id)).toHaveLength(0);
      // Nothing is missed twice.
      expect(t.app.alertScheduler.runOnce(clock.now()).missedSlots).toBe(0);
      expect(audits(missed.id)).toHaveLength(1);
    });
  });

  describe('reminders', () => {
    const mailOf = (kind: string, reference: string) =>
      t.database.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.kind, kind))
        .all()
        .filter((m) => m.subject.includes(reference) || m.kind === 'appointment_reminder');
    const bodyOf = (m: { id: string; bodyEnc: string }) =>
      decryptField(t.app.services.keyring, m.bodyEnc, bodyAad(m.id));
    const toOf = (m: { id: string; recipientsEnc: string }) =>
      decryptJson(t.app.services.keyring, m.recipientsEnc, recipientsAad(m.id));

    it('emails the assignee once when his next safe window opens, without personal data', () => {
      // Sample man: safe mornings and evenings; Tuesday 10:00 is inside his morning and office hours.
      const r = addReferral();
      assignTo(kim.id, r.id);
      const nobody = addReferral();
      t.app.alertScheduler.runOnce(clock.now());
      const mail = mailOf('assignee_window_open', r.reference);
      expect(mail).toHaveLength(1);
      expect(toOf(mail[0]!)).toEqual([kim.email]);
      expect(mail[0]!.subject).not.toContain('Barnaby');
      expect(bodyOf(mail[0]!)).not.toContain('Barnaby');
      expect(bodyOf(mail[0]!)).toContain('A safe time to contact him has started');
      // Nobody holds this one: nobody to remind.
      expect(mailOf('assignee_window_open', nobody.reference)).toHaveLength(0);
      // At most once per window.
      t.app.alertScheduler.runOnce(new Date(clock.now().getTime() + 30 * 60_000));
      expect(mailOf('assignee_window_open', r.reference)).toHaveLength(1);
    });

    it('does not remind about a window outside his safe times', () => {
      const r = addReferral({ answers: { safeTimes: ['evening'], emailSafe: 'no' } });
      assignTo(kim.id, r.id);
      // 10:00: his only safe time is the evening, after the office shuts; email and letters are not safe.
      t.app.alertScheduler.runOnce(clock.now());
      expect(mailOf('assignee_window_open', r.reference)).toHaveLength(0);
    });

    const appointmentTomorrow = (referralId: string) =>
      insertAppointment(t.database.db, {
        referralId,
        staffId: kim.id,
        startsAt: new Date('2026-03-11T14:00:00Z'),
        createdAt: clock.now(),
      });
    const remindersFor = (appointmentId: string) => appointmentReminderEmails(t.database.db, appointmentId);

    it('emails him the day before an appointment only when email is safe, naming us only if he allows it', async () => {
      const quiet = addReferral({ answers: { email: 'quiet@example.org', sayWhoWeAre: 'no' } });
      const open = addReferral({ answers: { email: 'open@example.org', sayWhoWeAre: 'yes' } });
      const noEmail = addReferral({ answers: { emailSafe: 'no' } });
      const [a, b, c] = [quiet, open, noEmail].map((r) => appointmentTomorrow(r.id));
      // Before 09:00 the day before, nothing goes.
      t.app.alertScheduler.runOnce(new Date('2026-03-10T07:00:00Z'));
      expect(remindersFor(a!)).toHaveLength(0);
      t.app.alertScheduler.runOnce(clock.now());
      const [quietMail] = remindersFor(a!);
      expect(toOf(quietMail!)).toEqual(['quiet@example.org']);
      expect(quietMail!.subject).not.toContain(organisation.name);
      expect(bodyOf(quietMail!)).not.toContain(organisation.name);
      expect(bodyOf(quietMail!)).toContain('A reminder of your appointment');
      const [openMail] = remindersFor(b!);
      expect(toOf(openMail!)).toEqual(['open@example.org']);
      expect(bodyOf(openMail!)).toContain(organisation.name);
      expect(remindersFor(c!)).toHaveLength(0);
      // Once only.
      t.app.alertScheduler.runOnce(new Date(clock.now().getTime() + 3_600_000));
      expect(remindersFor(a!)).toHaveLength(1);

      const worker = await signedIn(t, kim, clock, '10.9.0.2');
      const page = (await worker.get(`/staff/referrals/${noEmail.id}`)).body;
      expect(page).toContain('asked on My work to remind him by text, in words that do not say who we are');
      expect((await worker.get(`/staff/referrals/${quiet.id}`)).body).toContain(
        'emailed a reminder the day before that does not say who we are',
      );
    });
  });

  describe('record forms', () => {
    it('offers a reschedule form for a booked appointment, and keeps what was typed when it is refused', async () => {
      const r = addReferral();
      assignTo(kim.id, r.id);
      const appointmentId = randomUUID();
      t.database.db
        .insert(appointments)
        .values({
          id: appointmentId,
          referralId: r.id,
          bookedBy: kim.id,
          staffId: kim.id,
          startsAt: new Date('2026-03-12T11:00:00Z'),
          mode: 'office',
          officeId: 'leeds',
          createdAt: clock.now(),
        })
        .run();
      const worker = await signedIn(t, kim, clock, '10.9.0.3');
      const page = (await worker.get(`/staff/referrals/${r.id}`)).body;
      expect(page).toContain(`action="/staff/referrals/${r.id}/appointments/${appointmentId}/reschedule"`);
      expect(page).toContain('Move it to another time');
      // Saturday 14 March, 19:00: the office is shut.
      const refused = await worker.post(`/staff/referrals/${r.id}/appointments/${appointmentId}/reschedule`, {
        startsAt: '2026-03-14T19:00',
        reason: 'He asked for a later time',
      });
      const after = await flashAfter(worker, refused);
      expect(after).toContain('The office is closed then');
      expect(after).toContain('He asked for a later time');
      expect(after).toMatch(/<details class="reschedule"[^>]* open/);
      const moved = await worker.post(`/staff/referrals/${r.id}/appointments/${appointmentId}/reschedule`, {
        startsAt: '2026-03-13T14:00',
        reason: 'He asked for a later time',
      });
      expect(moved.statusCode).toBe(303);
      expect(
        t.database.db.select().from(appointments).where(eq(appointments.id, appointmentId)).get()?.startsAt,
      ).toEqual(new Date('2026-03-13T14:00:00Z'));

      // Cancelling asks why, in its own form: the error shows there, and nothing is cancelled without a reason.
      const cancelAction = `/staff/referrals/${r.id}/appointments/${appointmentId}/cancel`;
      const noReason = await flashAfter(worker, await worker.post(cancelAction, { reason: '' }));
      expect(noReason).toContain(`href="#cancel-${appointmentId}-reason"`);
      expect(noReason).toContain('Say why it is cancelled.');
      expect(noReason).toMatch(/<details class="reschedule"[^>]* open/);
      expect(t.database.db.select().from(appointments).where(eq(appointments.id, appointmentId)).get()?.status).toBe(
        'booked',
      );
      await worker.post(cancelAction, { reason: 'He has found other support' });
      expect(t.database.db.select().from(appointments).where(eq(appointments.id, appointmentId)).get()?.status).toBe(
        'cancelled',
      );
    });

    it('marks each outcome with the channels it fits, so a letter can only be "sent"', async () => {
      const r = addReferral();
      const worker = await signedIn(t, kim, clock, '10.9.0.4');
      const page = (await worker.get(`/staff/referrals/${r.id}`)).body;
      expect(page).toContain('class="attempt-form"');
      const fitsOf = (outcome: string) =>
        new RegExp(`data-fits="([^"]*)"[^>]*>\\s*<input[^>]*name="outcome"[^>]*value="${outcome}"`).exec(page)?.[1];
      expect(fitsOf('no_answer')).toBe('phone');
      expect(fitsOf('voicemail_left')).toBe('phone');
      expect(fitsOf('sent')?.split(' ').sort()).toEqual(['email', 'letter', 'text']);
      expect(fitsOf('spoke')?.split(' ')).not.toContain('letter');
    });
  });
});
