import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { appointments, caseNotes, contactAttempts, escalations, statusChanges } from '../../../db/schema/casework.ts';
import { verifyAuditChain } from '../../../server/audit/audit.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { enrolStaff, seedTestOffices, signedIn, type StaffClient, type TestStaffMember } from './staff-client.ts';

// Tuesday 10 March 2026, 10:00 London (GMT).
const clock = fixedClock('2026-03-10T10:00:00Z');

describe('casework in the back office', () => {
  let t: TestApp;
  let leedsWorker: TestStaffMember;
  let manchesterWorker: TestStaffMember;
  let leedsManager: TestStaffMember;
  let worker: StaffClient;
  let other: StaffClient;
  let manager: StaffClient;
  const hours = (n: number) => new Date(clock.now().getTime() + n * 3_600_000);

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    db.insert(alertRecipients)
      .values({ officeId: 'leeds', list: 'managers', email: 'managers@saferlives.test', createdAt: clock.now() })
      .run();
    const keyring = t.app.services.keyring;
    leedsWorker = await enrolStaff(db, keyring, clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
      name: 'Lee Worker',
    });
    manchesterWorker = await enrolStaff(db, keyring, clock.now(), {
      role: 'caseworker',
      officeIds: ['manchester'],
      name: 'Max Worker',
    });
    leedsManager = await enrolStaff(db, keyring, clock.now(), {
      role: 'manager',
      officeIds: ['leeds'],
      name: 'Mona Manager',
    });
    worker = await signedIn(t, leedsWorker, clock, '10.1.0.1');
    other = await signedIn(t, manchesterWorker, clock, '10.1.0.2');
    manager = await signedIn(t, leedsManager, clock, '10.1.0.3');
  });
  afterAll(async () => t.cleanup());

  function addReferral(options: Partial<Parameters<typeof insertSampleReferral>[2]> = {}) {
    return insertSampleReferral(t.database.db, t.app.services.keyring, { receivedAt: hours(-1), ...options });
  }

  it('lists referrals needing contact in my offices, by priority then deadline, with overdue and due today standing out', async () => {
    const later = addReferral({ priority: 'within_7_days', contactBy: hours(24 * 5) });
    const overdue = addReferral({ priority: 'next_working_day', contactBy: hours(-2) });
    const today = addReferral({ priority: 'today', contactBy: hours(5) });
    const soonest7 = addReferral({ priority: 'within_7_days', contactBy: hours(3) });
    const closed = addReferral({ priority: 'today', status: 'closed' });
    const elsewhere = addReferral({ priority: 'today', officeId: 'manchester', answers: { office: 'manchester' } });

    const res = await worker.get('/staff');
    expect(res.statusCode).toBe(200);
    const order = [...res.body.matchAll(/href="\/staff\/referrals\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const mine = [today.id, overdue.id, soonest7.id, later.id];
    expect(order.filter((id) => mine.includes(id!))).toEqual(mine);
    expect(order).not.toContain(closed.id);
    expect(order).not.toContain(elsewhere.id);
    expect(res.body).toContain('Overdue: ');
    expect(res.body).toContain('Due today: ');

    const manchester = await other.get('/staff');
    expect(manchester.body).toContain(elsewhere.reference);
    expect(manchester.body).not.toContain(today.reference);

    const filtered = await worker.get('/staff?priority=today');
    expect(filtered.body).toContain(today.reference);
    expect(filtered.body).not.toContain(later.reference);
    const overdueOnly = await worker.get('/staff?overdue=1');
    expect(overdueOnly.body).toContain(overdue.reference);
    expect(overdueOnly.body).not.toContain(today.reference);
    const allStatuses = await worker.get('/staff?status=closed');
    expect(allStatuses.body).toContain(closed.reference);
  });

  it('finds a referral by reference, and by name without the name ever being in an address', async () => {
    const named = addReferral({ answers: { name: 'Ignatius  Fairweather-Smythe' } });
    const byRef = await worker.get(`/staff?ref=${named.reference.toLowerCase().replace(/-/g, '')}`);
    expect(byRef.body).toContain(named.reference);
    const bad = await worker.get('/staff?ref=nonsense');
    expect(bad.body).toContain('References look like');

    const byName = await worker.post('/staff/search', { name: 'ignatius fairweather smythe' });
    expect(byName.statusCode).toBe(200);
    expect(byName.body).toContain(named.reference);
    // One of his names is enough; a word that is not one of his names finds nothing.
    const partName = await worker.post('/staff/search', { name: 'Fairweather' });
    expect(partName.body).toContain(named.reference);
    const wrongName = await worker.post('/staff/search', { name: 'Ignatius Fairfax' });
    expect(wrongName.body).not.toContain(named.reference);
    expect(t.logs.join('\n')).not.toContain('Fairweather');
  });

  it('pages through a long inbox', async () => {
    for (let i = 0; i < 60; i++)
      addReferral({ priority: 'within_7_days', contactBy: hours(100 + i), officeId: 'leeds' });
    const first = await worker.get('/staff');
    expect(first.body).toMatch(/Page 1 of \d+/);
    expect(first.body).toContain('href="/staff?page=2"');
    const second = await worker.get('/staff?page=2');
    expect(second.body).toMatch(/Page 2 of \d+/);
  });

  it('shows the record with grouped answers, the triage explanation and the safe-contact panel, and audits the view', async () => {
    const r = addReferral({
      answers: { thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', anythingElse: 'Zanzibar-marker-note' },
    });
    const res = await worker.get(`/staff/referrals/${r.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Contacting you safely');
    expect(res.body).toContain('Zanzibar-marker-note');
    expect(res.body).toContain('Why this priority');
    expect(res.body).toMatch(/rules version/);
    expect(res.body).toContain('No voicemail');
    expect(res.body).toContain('Do not say who we are');
    expect(res.body).toContain('mornings (9am to 12 noon) and evenings (5pm to 8pm)');
    expect(res.body).toContain('GP welfare check');
    expect(res.headers['cache-control']).toBe('no-store');
    const views = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'referral_viewed'), eq(auditEvents.referralId, r.id)))
      .all();
    expect(views).toHaveLength(1);
    expect(views[0]!.actorId).toBe(leedsWorker.id);
    expect(views[0]!.officeId).toBe('leeds');
  });

  it("answers 'not found' for another office's referral, and audits the attempt", async () => {
    const leeds = addReferral();
    for (const url of [`/staff/referrals/${leeds.id}`, `/staff/referrals/${leeds.id}/export.csv`]) {
      const res = await other.get(url);
      expect([403, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain(leeds.reference);
    }
    const attempt = await other.post(`/staff/referrals/${leeds.id}/notes`, { note: 'should not land' });
    expect(attempt.statusCode).toBe(404);
    const nonexistent = await other.get('/staff/referrals/00000000-0000-4000-8000-000000000000');
    expect(nonexistent.statusCode).toBe(404);
    const denied = t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'referral_access_denied'))
      .all();
    expect(
      denied.filter((e) => e.referralId === leeds.id && e.actorId === manchesterWorker.id).length,
    ).toBeGreaterThanOrEqual(2);
    expect(t.database.db.select().from(caseNotes).where(eq(caseNotes.referralId, leeds.id)).all()).toHaveLength(0);
  });

  it('refuses a contact attempt that breaks his wishes, and explains why', async () => {
    const r = addReferral({ receivedAt: hours(-30) });
    const voicemail = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'voicemail_left',
      note: '',
    });
    expect(voicemail.statusCode).toBe(303);
    const page = await worker.get(String(voicemail.headers.location));
    expect(page.body).toContain('He said we must not leave a voicemail');
    // 14:05 London is outside his morning and evening safe times.
    const afternoon = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      at: '2026-03-10T09:05',
      note: 'kept',
    });
    expect(afternoon.statusCode).toBe(303);
    const ok = await worker.get(String(afternoon.headers.location));
    expect(ok.body).toContain('Contact attempt recorded');
    const outside = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      at: '2026-03-10T07:30',
      note: 'typed note survives',
    });
    const refused = await worker.get(String(outside.headers.location));
    expect(refused.body).toContain(
      'only safe to call him in the mornings (9am to 12 noon) and evenings (5pm to 8pm). This call was at 07:30',
    );
    expect(refused.body).toContain('typed note survives');
    const row = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get();
    expect(row?.status).toBe('contact_attempted');
    const refusedAudit = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'contact_attempt_refused'), eq(auditEvents.referralId, r.id)))
      .all();
    expect(refusedAudit).toHaveLength(2);

    const spoke = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'spoke',
      at: '2026-03-10T09:45',
      note: '',
    });
    expect(spoke.statusCode).toBe(303);
    expect(t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()?.status).toBe('in_contact');
  });

  it('books an appointment inside the 7-day window, or later only with a reason', async () => {
    const r = addReferral();
    const late = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-30T10:00',
      mode: 'remote',
      officeId: 'leeds',
      lateReason: '',
    });
    expect((await worker.get(String(late.headers.location))).body).toContain('This is after the 7-day window');
    const withReason = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-30T10:00',
      mode: 'remote',
      officeId: 'leeds',
      lateReason: 'He asked to wait until after his court date',
    });
    expect((await worker.get(String(withReason.headers.location))).body).toContain('Appointment booked');
    const inside = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T11:00',
      mode: 'office',
      officeId: 'leeds',
      lateReason: '',
    });
    expect(inside.statusCode).toBe(303);
    const booked = t.database.db.select().from(appointments).where(eq(appointments.referralId, r.id)).all();
    expect(booked).toHaveLength(2);
    expect(booked.find((a) => a.mode === 'remote')?.lateReasonEnc).toBeTruthy();
    expect(booked.every((a) => a.staffId === leedsWorker.id && a.status === 'booked')).toBe(true);
    // Booking is not contact: nobody has reached him, so he still waits for first contact.
    expect(t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()?.status).toBe('new');
  });

  it('keeps notes encrypted at rest', async () => {
    const r = addReferral();
    const marker = 'Quetzalcoatl-note-7731';
    const res = await worker.post(`/staff/referrals/${r.id}/notes`, { note: `He mentioned ${marker}.` });
    expect(res.statusCode).toBe(303);
    expect((await worker.get(`/staff/referrals/${r.id}`)).body).toContain(marker);
    t.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(t.config.databasePath).includes(Buffer.from(marker))).toBe(false);
  });

  it('enforces the status workflow', async () => {
    const r = addReferral({ priority: 'within_7_days' });
    const engaged = await worker.post(`/staff/referrals/${r.id}/status`, { status: 'engaged' });
    expect((await worker.get(String(engaged.headers.location))).body).toContain(
      'That change is not possible from the current status',
    );
    const noReason = await worker.post(`/staff/referrals/${r.id}/status`, { status: 'closed' });
    expect((await worker.get(String(noReason.headers.location))).body).toContain('Choose why the referral is closing');
    // Nobody has reached him: a caseworker cannot close it, and a manager must say why and where.
    const byWorker = await worker.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'referred_elsewhere',
      reason: 'He lives in Scotland and asked for a local service',
      whereTo: 'A local service in Glasgow',
    });
    expect((await worker.get(String(byWorker.headers.location))).body).toContain('only a manager can close');
    const noWhere = await manager.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'referred_elsewhere',
    });
    const noWherePage = (await manager.get(String(noWhere.headers.location))).body;
    expect(noWherePage).toContain('Say where he was referred to');
    expect(noWherePage).toContain('Say why it is closing as');
    const close = await manager.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'referred_elsewhere',
      reason: 'He lives in Scotland and asked for a local service',
      whereTo: 'A local service in Glasgow',
    });
    expect((await manager.get(String(close.headers.location))).body).toContain('Referral closed: referred elsewhere');
    const again = await worker.post(`/staff/referrals/${r.id}/status`, { status: 'in_contact' });
    expect((await worker.get(String(again.headers.location))).body).toContain('That change is not possible');
    const change = t.database.db.select().from(statusChanges).where(eq(statusChanges.referralId, r.id)).all();
    expect(change).toMatchObject([{ fromStatus: 'new', toStatus: 'closed', closedReason: 'referred_elsewhere' }]);
    const audit = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'status_changed'), eq(auditEvents.referralId, r.id)))
      .get();
    expect(JSON.parse(audit!.detail)).toEqual({
      status: { before: 'new', after: 'closed' },
      closedReason: 'referred_elsewhere',
    });
  });

  it('sends "unable to contact" on an urgent referral to a manager instead of closing it', async () => {
    const r = addReferral({ priority: 'today' });
    const tooSoon = await worker.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'unable_to_contact',
      reason: 'No answer at all',
    });
    expect((await worker.get(String(tooSoon.headers.location))).body).toContain('The contact plan is not finished');
    // The plan: three attempts, on two working days, at two times of day, by two ways he allows.
    const later = clock.now();
    for (const [at, channel, outcome] of [
      ['2026-03-10T09:30', 'phone', 'no_answer'],
      ['2026-03-10T09:45', 'email', 'sent'],
    ] as const) {
      const attempt = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
        channel,
        outcome,
        at,
        note: '',
        saidWhoWeAre: 'no',
      });
      expect(attempt.statusCode).toBe(303);
    }
    // The third, the next working day in the evening, recorded then.
    t.database.db
      .insert(contactAttempts)
      .values({
        id: crypto.randomUUID(),
        referralId: r.id,
        staffId: leedsWorker.id,
        attemptedAt: new Date('2026-03-11T17:30:00Z'),
        channel: 'phone',
        outcome: 'no_answer',
        createdAt: later,
      })
      .run();
    const res = await worker.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'unable_to_contact',
      reason: 'Three tries over two days, no reply',
    });
    expect((await worker.get(String(res.headers.location))).body).toContain('Not closed');
    expect(t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()?.status).toBe(
      'contact_attempted',
    );
    expect(t.database.db.select().from(escalations).where(eq(escalations.referralId, r.id)).all()).toHaveLength(1);
    const mail = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.kind, 'escalation'))
      .all()
      .find((m) => m.dedupeKey?.startsWith(`escalation:${r.id}:unable_to_contact`));
    expect(mail?.subject).toContain(r.reference);
    expect(mail?.subject).not.toContain('Barnaby');
    const inbox = await manager.get('/staff');
    expect(inbox.body).toContain('With a manager');

    const decided = await manager.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'unable_to_contact',
      reason: 'Plan exhausted; GP informed',
    });
    expect((await manager.get(String(decided.headers.location))).body).toContain('Referral closed: unable to contact');
    expect(t.database.db.select().from(escalations).where(eq(escalations.referralId, r.id)).get()?.resolvedBy).toBe(
      leedsManager.id,
    );
  });

  it('lets managers (only) override the priority, with a reason, moving the deadline', async () => {
    const r = addReferral({ priority: 'within_7_days' });
    const byWorker = await worker.post(`/staff/referrals/${r.id}/priority`, { priority: 'today', reason: 'worried' });
    expect(byWorker.statusCode).toBe(403);
    const noReason = await manager.post(`/staff/referrals/${r.id}/priority`, { priority: 'today', reason: '' });
    expect((await manager.get(String(noReason.headers.location))).body).toContain(
      'Say why you are changing the priority',
    );
    const before = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    const ok = await manager.post(`/staff/referrals/${r.id}/priority`, {
      priority: 'today',
      reason: 'His sister called: he is not safe tonight',
    });
    expect((await manager.get(String(ok.headers.location))).body).toContain('Priority changed to Today');
    const after = t.database.db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    expect(after.priority).toBe('today');
    expect(after.contactBy.getTime()).toBeLessThan(before.contactBy.getTime());
    const record = await manager.get(`/staff/referrals/${r.id}`);
    expect(record.body).toContain('His sister called: he is not safe tonight');
  });

  it('lets caseworkers take an unassigned referral and managers reassign', async () => {
    const r = addReferral();
    const take = await worker.post(`/staff/referrals/${r.id}/assign`, { assignee: 'me' });
    expect((await worker.get(String(take.headers.location))).body).toContain('Assigned to you');
    const steal = await worker.post(`/staff/referrals/${r.id}/assign`, { assignee: leedsManager.id });
    expect((await worker.get(String(steal.headers.location))).body).toContain('Only a manager can assign');
    const reassign = await manager.post(`/staff/referrals/${r.id}/assign`, { assignee: leedsManager.id });
    expect((await manager.get(String(reassign.headers.location))).body).toContain('Assigned to you');
    const mine = await manager.get('/staff?assignee=me&status=all');
    expect(mine.body).toContain(r.reference);
    const audit = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'referral_assigned'), eq(auditEvents.referralId, r.id)))
      .all();
    expect(audit.map((e) => JSON.parse(e.detail))).toEqual([
      { assigneeId: { before: null, after: leedsWorker.id } },
      { assigneeId: { before: leedsWorker.id, after: leedsManager.id } },
    ]);
  });

  it('exports a referral for managers only, and audits the export', async () => {
    const r = addReferral({ answers: { anythingElse: '=HYPERLINK("x")' } });
    expect((await worker.get(`/staff/referrals/${r.id}/export.csv`)).statusCode).toBe(403);
    const res = await manager.get(`/staff/referrals/${r.id}/export.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain(`${r.reference}.csv`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(`"'=HYPERLINK(""x"")"`);
    const audit = t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'referral_exported'), eq(auditEvents.referralId, r.id)))
      .all();
    expect(audit).toHaveLength(1);
  });

  it('shows a record whose answers fail their integrity check without showing them, and refuses contact', async () => {
    const victim = addReferral();
    const donor = addReferral();
    const { db } = t.database;
    // Someone with write access to the file moved another referral's answers into this one.
    const stolen = db
      .select({ answersEnc: referrals.answersEnc })
      .from(referrals)
      .where(eq(referrals.id, donor.id))
      .get()!.answersEnc;
    db.update(referrals).set({ answersEnc: stolen }).where(eq(referrals.id, victim.id)).run();
    const page = await worker.get(`/staff/referrals/${victim.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("This referral's answers cannot be shown");
    expect(page.body).toContain('Do not contact him until a manager has checked this referral');
    expect(page.body).not.toContain('Barnaby');
    const attempt = await worker.post(`/staff/referrals/${victim.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      note: '',
    });
    expect((await worker.get(String(attempt.headers.location))).body).toContain('His answers cannot be read');
  });

  it('keeps an intact audit chain that managers see for their own offices', async () => {
    const manchester = addReferral({ officeId: 'manchester', answers: { office: 'manchester' } });
    expect((await other.get(`/staff/referrals/${manchester.id}`)).statusCode).toBe(200);
    expect(verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
    const page = await manager.get('/staff/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Referral viewed');
    const otherOfficeEvents = t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.officeId, 'manchester'))
      .all();
    expect(otherOfficeEvents.length).toBeGreaterThan(0);
    // The Manchester view is not in a Leeds manager's trail; Max's refused look at a Leeds referral is.
    expect(page.body).not.toContain(manchester.reference);
    expect(page.body).toContain('Referral access denied');
  });
});
