import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referralStatistics } from '../../../db/schema/statistics.ts';
import { feedbackInvitations, feedbackResponses } from '../../../db/schema/feedback.ts';
import { contactAttempts } from '../../../db/schema/casework.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { RESEARCH_COLUMNS } from '../../../server/evaluation/research-export.ts';
import { evaluationDashboard } from '../../../server/evaluation/dashboard.ts';
import { choosePeriod } from '../../../server/evaluation/period.ts';
import type { StaffClient } from '../backoffice/staff-client.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  TEST_ORIGIN,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';

/**
 * The evaluation dashboard, its exports and anonymous feedback, through the real app on a real SQLite file.
 */
describe('evaluation dashboard, exports and feedback', () => {
  // Tuesday 10 March 2026; the default period (last 4 weeks) is 11 February to 10 March.
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  let manager: TestStaffMember;
  let admin: TestStaffMember;
  let managerClient: StaffClient;
  const day = (iso: string) => new Date(`${iso}T10:00:00Z`);
  const references: string[] = [];
  const ids: string[] = [];

  function addReferral(office: string, receivedAt: Date, answers: Record<string, unknown>, status = 'new') {
    const made = insertSampleReferral(t.database.db, t.app.services.keyring, {
      receivedAt,
      officeId: office,
      status,
      answers,
    });
    references.push(made.reference);
    ids.push(made.id);
    return made;
  }

  function addStatisticsRow(source: string) {
    t.database.db
      .insert(referralStatistics)
      .values({
        id: randomUUID(),
        officeId: 'leeds',
        isoWeekReceived: '2026-W08',
        weekStart: '2026-02-16',
        nation: 'england',
        stage: 'arrested',
        source,
        priority: 'within_7_days',
        priorityChanged: false,
        meetPreference: 'asap',
        flags: '',
        outcome: 'declined',
        workingHoursToFirstContact: 6,
        contactedWithin7Days: true,
        metContactBy: true,
        missedDeadlineReason: null,
        appointmentWithin7Days: false,
        contactAttempts: 1,
        appointments: 0,
        deletedMonth: '2026-03',
        deletionRule: 'test',
      })
      .run();
  }

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    manager = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
      role: 'manager',
      officeIds: ['leeds'],
    });
    admin = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'admin', officeIds: [] });
    // Leeds, in the period: 4 heard from the police, 5 from a solicitor, 3 searching online (+2 retained rows).
    for (let i = 0; i < 4; i++) addReferral('leeds', day('2026-02-17'), { heardFrom: 'police' });
    for (let i = 0; i < 5; i++) addReferral('leeds', day('2026-02-18'), { heardFrom: 'solicitor' });
    for (let i = 0; i < 3; i++) addReferral('leeds', day('2026-02-19'), { heardFrom: 'search_engine' });
    addStatisticsRow('search_engine');
    addStatisticsRow('search_engine');
    // Another office, and before the period: never counted for this manager.
    for (let i = 0; i < 7; i++) addReferral('manchester', day('2026-02-17'), { heardFrom: 'gp', office: 'manchester' });
    for (let i = 0; i < 6; i++) addReferral('leeds', day('2025-12-01'), { heardFrom: 'gp' });
    managerClient = await signedIn(t, manager, clock, '10.20.0.1');
  });
  afterAll(async () => t.cleanup());

  const rowCell = (html: string, label: string) => {
    const match = new RegExp(`<th scope="row"[^>]*>\\s*${label}\\s*</th>\\s*<td[^>]*>\\s*([^<]*?)\\s*</td>`).exec(html);
    return match?.[1] ?? null;
  };

  it('shows managers their offices, live and retained referrals added, with 4 as "fewer than 5" and 5 as 5', async () => {
    const res = await managerClient.get('/staff/evaluation');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const source = html.slice(html.indexOf('id="source"'), html.indexOf('id="stage"'));
    expect(rowCell(source, 'Police')).toBe('fewer than 5');
    expect(rowCell(source, 'Solicitor')).toBe('5');
    expect(rowCell(source, 'Searching online')).toBe('5'); // 3 live + 2 retained
    expect(rowCell(source, 'GP or health worker')).toBe('fewer than 5'); // Manchester and old ones not counted
    expect(html).toMatch(/<dt[^>]*>Referrals received<\/dt>\s*<dd[^>]*>14<\/dd>/);
    // Every chart is an accessible SVG followed by its data table.
    const charts = html.match(/<svg class="bar-chart[^"]*"[^>]*role="img"/g) ?? [];
    expect(charts.length).toBe(10);
    expect(html.match(/<title id="chart-[a-z-]+-title">/g)?.length).toBe(10);
    expect(html.match(/<desc id="chart-[a-z-]+-desc"[^>]*>/g)?.length).toBe(10);
    // No chart library: the only script is the back office's own idle-timeout warning, on every staff page.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeLessThanOrEqual(1);
    for (const tag of scripts) expect(tag).toMatch(/src="\/_astro\/StaffLayout\.astro_[^"]+\.js"/);
  });

  it('adds retained statistics rows to live referrals in the measures', () => {
    const { period } = choosePeriod({}, clock.now());
    const dashboard = evaluationDashboard(t.database.db, ['leeds'], period, clock.now());
    expect(dashboard.total).toBe(14);
    const source = dashboard.tables.source.rows.find((r) => r.code === 'search_engine');
    expect(source?.values[0]).toBe(5);
    const outcomes = dashboard.tables.outcomes.rows.find((r) => r.code === 'declined');
    expect(outcomes?.values[0]).toBe(2);
  });

  it('counts first contact in working hours from the contact log', () => {
    // Received Monday 2 March 09:00 London, reached Tuesday 09:00: 8 working hours (09:00-17:00).
    const made = addReferral('manchester', new Date('2026-03-02T09:00:00Z'), { office: 'manchester' });
    t.database.db
      .insert(contactAttempts)
      .values({
        id: randomUUID(),
        referralId: made.id,
        staffId: manager.id,
        attemptedAt: new Date('2026-03-03T09:00:00Z'),
        channel: 'phone',
        outcome: 'spoke',
        createdAt: clock.now(),
      })
      .run();
    const { period } = choosePeriod({}, clock.now());
    const dashboard = evaluationDashboard(t.database.db, ['manchester'], period, clock.now());
    const all = dashboard.firstContact.find((r) => r.code === 'all')!;
    expect(all.reached).toBe(1);
    expect(all.medianHours).toBe(8);
    expect(all.within7Days).toBe(1);
  });

  it('gives admins all offices, aggregates only (no free text, no research export)', async () => {
    const client = await signedIn(t, admin, clock, '10.20.0.2');
    const res = await client.get('/staff/evaluation');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('All offices');
    expect(res.body).not.toContain('What clients wrote');
    expect(res.body).not.toContain('research-export-heading');
    const post = await client.post('/staff/evaluation/research-export', { purpose: 'other', reason: 'a long reason' });
    expect(post.statusCode).toBe(403);
  });

  it('exports aggregates with the dashboard suppression', async () => {
    const res = await managerClient.get('/staff/evaluation/aggregate.csv?period=4w');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body).toContain('source,Police,Referrals,fewer than 5');
    expect(res.body).toContain('source,Solicitor,Referrals,5');
  });

  it('refuses a research export without a reason, keeping what was typed', async () => {
    await managerClient.get('/staff/evaluation');
    const res = await managerClient.post('/staff/evaluation/research-export', {
      period: '4w',
      purpose: 'other',
      reason: 'x',
    });
    expect(res.statusCode).toBe(303);
    const page = await managerClient.get(String(res.headers.location));
    expect(page.body).toContain('Say why you need the export');
  });

  it('exports one coded row per referral, with random ids, no references, audited with the reason', async () => {
    await managerClient.get('/staff/evaluation');
    const reason = 'Quarterly report for the funder';
    const res = await managerClient.post('/staff/evaluation/research-export', {
      period: '4w',
      office: '',
      purpose: 'funder_report',
      reason,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe(RESEARCH_COLUMNS.map((c) => c.name).join(','));
    expect(lines.length - 1).toBe(14);
    for (const reference of references) expect(res.body).not.toContain(reference);
    for (const id of ids) expect(res.body).not.toContain(id);
    expect(res.body).not.toMatch(/2026-02-1\d/); // no exact dates
    expect(res.body).toContain('2026-W08');
    const rowIds = lines.slice(1).map((line) => line.split(',')[0]);
    expect(new Set(rowIds).size).toBe(14);
    const again = await managerClient.post('/staff/evaluation/research-export', {
      period: '4w',
      purpose: 'funder_report',
      reason,
    });
    const againIds = again.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(againIds.some((id) => rowIds.includes(id))).toBe(false);
    const audit = t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'research_exported')).all();
    expect(audit.length).toBe(2);
    expect(audit[0]!.detail).toContain(reason);
  });

  describe('anonymous feedback', () => {
    let referralId: string;
    let reference: string;
    let code: string;

    it('is offered on a closed referral by card (QR and code) and by email only when email is safe', async () => {
      const made = addReferral('leeds', day('2026-02-20'), { email: 'client@example.org', emailSafe: 'yes' }, 'closed');
      referralId = made.id;
      reference = made.reference;
      const offer = await managerClient.get(`/staff/referrals/${referralId}/feedback`);
      expect(offer.statusCode).toBe(200);
      expect(offer.body).toContain('Email him a feedback link');
      const card = await managerClient.post(`/staff/referrals/${referralId}/feedback/card`);
      expect(card.statusCode).toBe(200);
      expect(card.body).toContain('<svg role="img" aria-label="QR code that opens the feedback form"');
      code = /class="feedback-card__code"[^>]*>([A-Z2-9]{5}-[A-Z2-9]{5})</.exec(card.body)![1]!;
      const emailed = await managerClient.post(`/staff/referrals/${referralId}/feedback/email`);
      expect(emailed.statusCode).toBe(303);
      expect(
        t.database.db.select().from(outboxMessages).where(eq(outboxMessages.kind, 'feedback_invitation')).all(),
      ).toHaveLength(1);

      const unsafe = addReferral('leeds', day('2026-02-20'), { email: 'other@example.org', emailSafe: 'no' }, 'closed');
      const unsafeOffer = await managerClient.get(`/staff/referrals/${unsafe.id}/feedback`);
      expect(unsafeOffer.body).not.toContain('Email him a feedback link');
      const refused = await managerClient.post(`/staff/referrals/${unsafe.id}/feedback/email`);
      expect(refused.statusCode).toBe(303);
      expect(
        t.database.db.select().from(outboxMessages).where(eq(outboxMessages.kind, 'feedback_invitation')).all(),
      ).toHaveLength(1);
    });

    it('takes answers once on a public page with no cookies, keeping answers when the code is wrong', async () => {
      const form = await t.app.inject({ method: 'GET', url: `/feedback?code=${code}` });
      expect(form.statusCode).toBe(200);
      expect(form.headers['set-cookie']).toBeUndefined();
      expect(form.body).toContain(`value="${code}"`);
      // Nothing loaded from another site (links to crisis lines are fine: they load nothing).
      expect(form.body).not.toMatch(/(src|action)="(https?:)?\/\//);
      expect(form.body).not.toMatch(/<link[^>]+href="(https?:)?\/\//);

      const post = (payload: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/feedback',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: TEST_ORIGIN },
          payload: new URLSearchParams(payload).toString(),
        });
      const wrong = await post({ code: 'AAAAA-BBBBB', talk: '5', comment: 'Kind people' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain('has been used already, has expired, or is not right');
      expect(wrong.body).toMatch(/value="5"\s+checked/);
      expect(wrong.body).toContain('Kind people');

      const ok = await post({ code, talk: '5', notJudged: '4', safer: '', comment: 'The staff listened to me' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['set-cookie']).toBeUndefined();
      expect(ok.body).toContain('We have your answers');
      const reused = await post({ code, talk: '1' });
      expect(reused.statusCode).toBe(422);
      expect(t.database.db.select().from(feedbackResponses).all()).toHaveLength(1);
    });

    it('stores nothing that links the answers to his referral', () => {
      const sqlite = t.database.sqlite;
      const response = t.database.db.select().from(feedbackResponses).get()!;
      expect(Object.keys(response).sort()).toEqual(
        [
          'commentEnc',
          'commentHidden',
          'fitsMe',
          'id',
          'isoWeek',
          'knowWhatToExpect',
          'notJudged',
          'officeId',
          'recommend',
          'safer',
          'talk',
          'weekStart',
        ].sort(),
      );
      const responseText = JSON.stringify(response);
      expect(responseText).not.toContain(referralId);
      expect(responseText).not.toContain(reference);
      // The used code is gone; only the emailed (unused) one is left, and it holds no referral either.
      const invitations = t.database.db.select().from(feedbackInvitations).all();
      expect(invitations).toHaveLength(1);
      expect(Object.keys(invitations[0]!).sort()).toEqual(['codeHash', 'expiresAt', 'officeId']);
      // No row anywhere holds both the referral and the response, nor the code that was used.
      const tables = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as Array<{ name: string }>;
      for (const { name } of tables) {
        for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all()) {
          const text = JSON.stringify(row);
          expect(text.includes(response.id) && (text.includes(referralId) || text.includes(reference)), name).toBe(
            false,
          );
          expect(text.includes(code), name).toBe(false);
        }
      }
    });

    it('shows results with suppression, and comments to managers newest first, with a way to hide one', async () => {
      const res = await managerClient.get('/staff/evaluation');
      const feedback = res.body.slice(res.body.indexOf('id="feedback"'));
      expect(rowCell(feedback, 'I could talk about things that matter to me.')).toBe('fewer than 5');
      expect(res.body).toContain('The staff listened to me');
      const id = t.database.db.select().from(feedbackResponses).get()!.id;
      const hidden = await managerClient.post(`/staff/evaluation/comments/${id}/hide`);
      expect(hidden.statusCode).toBe(303);
      const after = await managerClient.get('/staff/evaluation');
      expect(after.body).not.toContain('The staff listened to me');
      expect(after.body).toContain('1 hidden');
    });
  });
});
