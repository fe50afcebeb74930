import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { appointments, contactAttempts, referralAssignments } from '../../../db/schema/casework.ts';
import { appointmentReminders } from '../../../db/schema/appointment-reminders.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { planReminderKey, sweepPlanWindowReminders } from '../../../server/casework/reminders.ts';
import { reminderTasksFor } from '../../../server/casework/reminder-tasks.ts';
import { contactLog } from '../../../server/casework/contact-log.ts';
import { decisionData } from '../../../server/casework/decisions.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { appointmentReminderEmails, insertAppointment } from './appointments.ts';
import { enrolStaff, seedTestOffices, signedIn, type StaffClient, type TestStaffMember } from './staff-client.ts';

/**
 * Reminders (issue 9): the assignee is emailed at most once per safe window and once per working day for a
 * referral; a man for whom email is not safe is reminded of an appointment by hand, through the channel he
 * allows and in the words he allows, from a task on the caseworker's My work.
 */

// Tuesday 10 March 2026, 10:00 London (GMT).
const clock = fixedClock('2026-03-10T10:00:00Z');
const at = (iso: string) => new Date(iso);

describe('reminders', () => {
  let t: TestApp;
  let kim: TestStaffMember;
  let mona: TestStaffMember;
  let worker: StaffClient;

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
    worker = await signedIn(t, kim, clock, '10.8.0.1');
  });
  afterAll(async () => t.cleanup());

  function addReferral(answers: Record<string, unknown>, assignee?: string) {
    const referral = insertSampleReferral(t.database.db, t.app.services.keyring, {
      receivedAt: at('2026-03-09T09:00:00Z'),
      answers,
    });
    if (assignee)
      t.database.db
        .insert(referralAssignments)
        .values({ referralId: referral.id, staffId: assignee, assignedAt: clock.now(), assignedBy: mona.id })
        .run();
    return referral;
  }

  describe('assignee reminders: at most one per safe window and one per working day', () => {
    const windowMails = (reference: string) =>
      t.database.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.kind, 'assignee_window_open'))
        .all()
        .filter((m) => m.subject.includes(reference));
    const sweep = (iso: string) =>
      t.database.db.transaction(() =>
        sweepPlanWindowReminders(
          t.database.db,
          { keyring: t.app.services.keyring, publicBaseUrl: 'https://portal.test' },
          at(iso),
        ),
      );

    it('two safe windows on one day (morning, then afternoon) give one email; the next working day gives one more', () => {
      // Safe to call mornings and afternoons; email not safe: both windows are call/text windows.
      const r = addReferral({ safeTimes: ['morning', 'afternoon'], emailSafe: 'no' }, kim.id);
      sweep('2026-03-10T11:30:00Z'); // late in his morning window
      expect(windowMails(r.reference)).toHaveLength(1);
      sweep('2026-03-10T12:00:00Z'); // his afternoon window has just opened: a second window, the same day
      sweep('2026-03-10T16:30:00Z');
      expect(windowMails(r.reference)).toHaveLength(1);
      // Wednesday morning, a new working day: one more.
      sweep('2026-03-11T09:00:00Z');
      sweep('2026-03-11T12:00:00Z');
      expect(windowMails(r.reference)).toHaveLength(2);
      expect(windowMails(r.reference).map((m) => m.dedupeKey)).toEqual([
        planReminderKey(r.id, at('2026-03-10T11:30:00Z')),
        planReminderKey(r.id, at('2026-03-11T09:00:00Z')),
      ]);
    });

    it('an email window and a call window on the same day give one email', () => {
      // Email safe (a window all working day) and calls safe in the afternoon.
      const r = addReferral({ safeTimes: ['afternoon'], emailSafe: 'yes' }, kim.id);
      sweep('2026-03-10T09:30:00Z');
      sweep('2026-03-10T12:30:00Z');
      expect(windowMails(r.reference)).toHaveLength(1);
    });

    it('keys a reminder by referral and London day, whatever the time of day', () => {
      expect(planReminderKey('a', at('2026-03-10T09:00:00Z'))).toBe(planReminderKey('a', at('2026-03-10T16:59:00Z')));
      expect(planReminderKey('a', at('2026-03-10T16:59:00Z'))).not.toBe(
        planReminderKey('a', at('2026-03-11T09:00:00Z')),
      );
      expect(planReminderKey('a', at('2026-03-10T09:00:00Z'))).not.toBe(
        planReminderKey('b', at('2026-03-10T09:00:00Z')),
      );
    });
  });

  describe('appointment reminders by hand', () => {
    const book = (referralId: string, startsAt: string, staffId = kim.id) =>
      insertAppointment(t.database.db, { referralId, staffId, startsAt: at(startsAt), createdAt: clock.now() });
    const emailedReminders = (appointmentId: string) => appointmentReminderEmails(t.database.db, appointmentId);
    const remindersSection = async () => {
      const body = (await worker.get('/staff/my-work')).body;
      const from = body.indexOf('id="reminders-heading"');
      return body.slice(from, body.indexOf('</section>', from));
    };
    const tasksOfKim = (now = clock.now()) =>
      reminderTasksFor(t.database.db, t.app.services.keyring, { id: kim.id, officeIds: ['leeds'] }, now);

    it('gives a text-only man a task on My work, not an email, in words that do not say who we are', async () => {
      // Texts are safe (mornings and afternoons), email is not, and we must not say who we are.
      const textOnly = addReferral({ emailSafe: 'no', sayWhoWeAre: 'no', safeTimes: ['morning', 'afternoon'] });
      const appointmentId = book(textOnly.id, '2026-03-11T14:00:00Z'); // tomorrow
      t.app.alertScheduler.runOnce(clock.now());
      expect(emailedReminders(appointmentId)).toHaveLength(0);

      const section = await remindersSection();
      expect(section).toContain(textOnly.reference);
      expect(section).toContain('Text message');
      expect(section).toContain('A reminder of your appointment:');
      expect(section).toContain('14:00');
      expect(section).toContain('reply to this message');
      expect(section).not.toContain(organisation.name);
      expect(section).toContain('Do not say who we are');
      expect(section).toContain('Only in his safe times: mornings (9am to 12 noon) and afternoons (12 noon to 5pm).');
      expect(section).toContain('Record the reminder text as sent');

      const record = (await worker.get(`/staff/referrals/${textOnly.id}`)).body;
      expect(record).toContain('asked on My work to remind him by text, in words that do not say who we are');

      // Marking it sent clears it, goes in the contact log and the audit trail.
      const res = await worker.post(`/staff/referrals/${textOnly.id}/appointments/${appointmentId}/reminder`, {
        outcome: 'sent',
        back: 'my-work',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/staff/my-work');
      const after = await remindersSection();
      expect(after).not.toContain(textOnly.reference);
      expect(after).toContain('None to send now.');

      const rows = t.database.db
        .select()
        .from(appointmentReminders)
        .where(eq(appointmentReminders.appointmentId, appointmentId))
        .all();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ channel: 'text', staffId: kim.id, startsAt: at('2026-03-11T14:00:00Z') });
      const attempt = t.database.db
        .select()
        .from(contactAttempts)
        .where(eq(contactAttempts.id, rows[0]!.contactAttemptId))
        .get();
      expect(attempt).toMatchObject({ channel: 'text', outcome: 'sent', saidWhoWeAre: false, staffId: kim.id });
      // The contact log (read by casework for the record and a manager's decision alike) shows it, with the words.
      const log = contactLog(t.database.db, t.app.services.keyring, textOnly.id);
      expect(log[0]).toMatchObject({ title: 'Text message: Sent, no reply yet', staffName: 'Kim Worker' });
      expect(log[0]!.note).toContain('A reminder of your appointment');
      const decision = decisionData(
        t.database.db,
        t.app.services.keyring,
        t.database.db.select().from(referrals).where(eq(referrals.id, textOnly.id)).get()!,
        clock.now(),
      );
      expect(decision.attempts).toEqual(log);
      expect(decision.flags.contact).toEqual(expect.arrayContaining([expect.stringMatching(/voicemail/i)]));
      const recordPage = (await worker.get(`/staff/referrals/${textOnly.id}`)).body;
      expect(recordPage).toContain('Text message: Sent, no reply yet');
      expect(recordPage).toContain('Reminder of the appointment: Hello,');
      const audit = t.database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'appointment_reminder_sent'), eq(auditEvents.referralId, textOnly.id)))
        .all();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actorId).toBe(kim.id);

      // A second click records nothing more.
      const again = await worker.post(`/staff/referrals/${textOnly.id}/appointments/${appointmentId}/reminder`, {
        outcome: 'sent',
        back: 'my-work',
      });
      expect((await worker.get(String(again.headers.location))).body).toContain(
        'This reminder has already been recorded.',
      );
      expect(
        t.database.db
          .select()
          .from(appointmentReminders)
          .where(eq(appointmentReminders.appointmentId, appointmentId))
          .all(),
      ).toHaveLength(1);

      // Moving the appointment makes a new reminder due.
      t.database.db
        .update(appointments)
        .set({ startsAt: at('2026-03-11T15:00:00Z') })
        .where(eq(appointments.id, appointmentId))
        .run();
      expect(tasksOfKim().map((task) => task.appointmentId)).toContain(appointmentId);
      t.database.db.update(appointments).set({ status: 'cancelled' }).where(eq(appointments.id, appointmentId)).run();
      expect(tasksOfKim().map((task) => task.appointmentId)).not.toContain(appointmentId);
    });

    it('names the service only when he allows it, and leaves email reminders to the outbox', () => {
      const named = addReferral({ emailSafe: 'no', sayWhoWeAre: 'yes', safeTimes: [] });
      const emailable = addReferral({ email: 'him@example.org', emailSafe: 'yes' });
      const a = book(named.id, '2026-03-11T11:00:00Z');
      const b = book(emailable.id, '2026-03-11T11:00:00Z');
      const tasks = tasksOfKim();
      const task = tasks.find((x) => x.appointmentId === a);
      expect(task?.channel).toBe('text');
      expect(task?.words.join(' ')).toContain(organisation.name);
      expect(task?.cautions).toEqual([]);
      expect(tasks.some((x) => x.appointmentId === b)).toBe(false);
      t.app.alertScheduler.runOnce(clock.now());
      expect(emailedReminders(b)).toHaveLength(1);
    });

    it('asks for a call when calls are his only way, without voicemail when he said no', () => {
      const callOnly = addReferral({ emailSafe: 'no', textMessages: 'no', voicemail: 'no', sayWhoWeAre: 'no' });
      const id = book(callOnly.id, '2026-03-11T16:00:00Z');
      const task = tasksOfKim().find((x) => x.appointmentId === id)!;
      expect(task.channel).toBe('phone');
      expect(task.words.join(' ')).toContain('I am calling to remind you of your appointment');
      expect(task.words.join(' ')).not.toContain(organisation.name);
      expect(task.cautions).toContain('Do not leave a voicemail.');
      expect(task.outcomes.map((o) => o.value)).toEqual(['spoke', 'no_answer']);
    });

    it('refuses to record a text outside his safe times, and keeps the task', async () => {
      const evenings = addReferral({ emailSafe: 'no', sayWhoWeAre: 'no', safeTimes: ['evening'] });
      const id = book(evenings.id, '2026-03-11T17:30:00Z');
      expect(await remindersSection()).toContain(evenings.reference);
      expect(await remindersSection()).toContain('None is inside office hours before the appointment');
      const res = await worker.post(`/staff/referrals/${evenings.id}/appointments/${id}/reminder`, {
        outcome: 'sent',
        back: 'my-work',
      });
      const page = (await worker.get(String(res.headers.location))).body;
      expect(page).toContain('only safe to text him in the evenings');
      expect(await remindersSection()).toContain(evenings.reference);
      expect(
        t.database.db.select().from(appointmentReminders).where(eq(appointmentReminders.appointmentId, id)).all(),
      ).toHaveLength(0);
    });

    it('shows the task only from the working day before (a text), and only to the appointment caseworker', () => {
      const later = addReferral({ emailSafe: 'no', safeTimes: [] });
      // Monday 16 March: on Tuesday 10th it is not due; on Friday 13th (the working day before) it is.
      const id = book(later.id, '2026-03-16T10:00:00Z');
      expect(tasksOfKim().some((x) => x.appointmentId === id)).toBe(false);
      expect(tasksOfKim(at('2026-03-13T09:00:00Z')).some((x) => x.appointmentId === id)).toBe(true);
      const monasTasks = reminderTasksFor(
        t.database.db,
        t.app.services.keyring,
        { id: mona.id, officeIds: ['leeds'] },
        at('2026-03-13T09:00:00Z'),
      );
      expect(monasTasks.some((x) => x.appointmentId === id)).toBe(false);
    });
  });
});
