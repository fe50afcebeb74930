import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { getOfficeHours, listClosures } from '../../../server/offices/calendar.ts';
import { listRecipients } from '../../../server/offices/recipients.ts';
import { getCaseworkerPattern } from '../../../server/offices/caseworkers.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { enrolStaff, seedTestOffices, signedIn, type StaffClient, type TestStaffMember } from './staff-client.ts';

describe('admin settings, failed mail and manager reports', () => {
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  let admin: StaffClient;
  let manager: StaffClient;
  let caseworker: TestStaffMember;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    const keyring = t.app.services.keyring;
    caseworker = await enrolStaff(db, keyring, clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
      name: 'Cai Worker',
    });
    admin = await signedIn(t, await enrolStaff(db, keyring, clock.now(), { role: 'admin' }), clock, '10.4.0.1');
    manager = await signedIn(
      t,
      await enrolStaff(db, keyring, clock.now(), { role: 'manager', officeIds: ['leeds'] }),
      clock,
      '10.4.0.2',
    );
  });
  afterAll(async () => t.cleanup());

  it('sets opening hours, refusing impossible ones and keeping what was typed', async () => {
    await admin.get('/staff/admin/offices/leeds');
    const bad = await admin.post('/staff/admin/offices/leeds/hours', {
      'open-1': 'yes',
      'opens-1': '17:00',
      'closes-1': '09:00',
    });
    const page = await admin.get(String(bad.headers.location));
    expect(page.body).toContain('The hours were not saved');
    expect(page.body).toContain('value="17:00"');
    const ok = await admin.post('/staff/admin/offices/leeds/hours', {
      'open-1': 'yes',
      'opens-1': '08:30',
      'closes-1': '16:30',
      'open-3': 'yes',
      'opens-3': '10:00',
      'closes-3': '18:00',
    });
    expect((await admin.get(String(ok.headers.location))).body).toContain('Opening hours saved');
    expect(getOfficeHours(t.database.db, 'leeds')).toEqual([
      { weekday: 1, opens: '08:30', closes: '16:30' },
      { weekday: 3, opens: '10:00', closes: '18:00' },
    ]);
  });

  it('adds and removes closures', async () => {
    await admin.get('/staff/admin/offices/leeds');
    const past = await admin.post('/staff/admin/offices/leeds/closures', { date: '2026-03-01', reason: '' });
    expect((await admin.get(String(past.headers.location))).body).toContain('The date must be today or later');
    await admin.post('/staff/admin/offices/leeds/closures', { date: '2026-04-14', reason: 'Team training' });
    expect(listClosures(t.database.db, 'leeds')).toEqual([{ date: '2026-04-14', reason: 'Team training' }]);
    const page = await admin.get('/staff/admin/offices/leeds');
    expect(page.body).toContain('Team training');
    await admin.post('/staff/admin/offices/leeds/closures/2026-04-14/remove');
    expect(listClosures(t.database.db, 'leeds')).toEqual([]);
  });

  it('edits alert recipients, never leaving triage empty', async () => {
    await admin.get('/staff/admin/offices/leeds');
    const empty = await admin.post('/staff/admin/offices/leeds/recipients', { triage: '', duty: '', managers: '' });
    expect((await admin.get(String(empty.headers.location))).body).toContain('at least one triage address');
    // An empty managers list would send escalations to triage while the caseworker is told managers were emailed.
    const noManagers = await admin.post('/staff/admin/offices/leeds/recipients', {
      triage: 'Triage@SaferLives.test\nsecond@saferlives.test',
      duty: 'duty@saferlives.test',
      managers: '',
    });
    expect((await admin.get(String(noManagers.headers.location))).body).toContain(
      'The managers list needs at least one address',
    );
    await admin.post('/staff/admin/offices/leeds/recipients', {
      triage: 'Triage@SaferLives.test\nsecond@saferlives.test',
      duty: 'duty@saferlives.test',
      managers: 'managers@saferlives.test',
    });
    expect(listRecipients(t.database.db, 'leeds')).toEqual({
      triage: ['second@saferlives.test', 'triage@saferlives.test'],
      duty: ['duty@saferlives.test'],
      managers: ['managers@saferlives.test'],
    });
    const audit = t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'office_settings_changed'))
      .all();
    expect(audit.map((e) => JSON.parse(e.detail).setting)).toEqual(
      expect.arrayContaining(['hours', 'closure_added', 'closure_removed', 'recipients']),
    );
    expect(audit.every((e) => !e.detail.includes('@'))).toBe(true);
  });

  it("sets a caseworker's first-contact pattern", async () => {
    await admin.get(`/staff/admin/staff/${caseworker.id}/pattern`);
    const bad = await admin.post(`/staff/admin/staff/${caseworker.id}/pattern`, {
      'work-2': 'yes',
      'start-2': '09:00',
      'end-2': '12:00',
      max: 'lots',
    });
    expect((await admin.get(String(bad.headers.location))).body).toContain('as a whole number');
    await admin.post(`/staff/admin/staff/${caseworker.id}/pattern`, {
      'work-2': 'yes',
      'start-2': '09:00',
      'end-2': '12:00',
      max: '3',
    });
    expect(getCaseworkerPattern(t.database.db, caseworker.id)).toEqual({
      staffId: caseworker.id,
      weekly: [{ weekday: 2, start: '09:00', end: '12:00' }],
      maxFirstContactsPerDay: 3,
    });
    expect((await admin.get('/staff/admin/offices/leeds')).body).toContain('Tue 09:00–12:00; up to 3 a day');
  });

  it('shows failed mail without recipients or bodies, and queues a retry', async () => {
    const id = randomUUID();
    t.database.db
      .insert(outboxMessages)
      .values({
        id,
        kind: 'referral_alert',
        recipientsEnc: 'v1.k1.x.y.z',
        subject: 'Subject-not-for-this-page',
        bodyEnc: 'v1.k1.x.y.z',
        status: 'failed',
        attempts: 7,
        nextAttemptAt: clock.now(),
        giveUpAt: clock.now(),
        lastError: 'connect ECONNREFUSED',
        createdAt: new Date(clock.now().getTime() - 86_400_000),
      })
      .run();
    const page = await admin.get('/staff/admin/mail');
    expect(page.body).toContain('Referral alert');
    expect(page.body).toContain('connect ECONNREFUSED');
    expect(page.body).not.toContain('Subject-not-for-this-page');
    const retry = await admin.post(`/staff/admin/mail/${id}/retry`);
    expect((await admin.get(String(retry.headers.location))).body).toContain('Queued again');
    expect(t.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, id)).get()?.status).toBe('pending');
    expect((await admin.post(`/staff/admin/mail/${id}/retry`)).statusCode).toBe(404);
  });

  it('reports first contact within 7 days for the manager’s offices', async () => {
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    const day = 86_400_000;
    const received = new Date(clock.now().getTime() - 20 * day);
    const reached = insertSampleReferral(db, keyring, { receivedAt: received, status: 'in_contact' });
    insertSampleReferral(db, keyring, { receivedAt: received, status: 'closed' });
    insertSampleReferral(db, keyring, {
      receivedAt: received,
      officeId: 'manchester',
      answers: { office: 'manchester' },
    });
    db.run(
      sql`INSERT INTO contact_attempts (id, referral_id, staff_id, attempted_at, channel, outcome, created_at)
        VALUES (${randomUUID()}, ${reached.id}, ${caseworker.id}, ${received.getTime() + 2 * day}, 'phone', 'spoke', ${received.getTime() + 2 * day})`,
    );
    const res = await manager.get('/staff/reports');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<strong>50%</strong> (1 of 2 referrals');
    expect(res.body).toContain('Median time to first contact: 2 days');
    const viewed = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'report_viewed')))
      .all();
    expect(viewed).toHaveLength(1);
  });
});
