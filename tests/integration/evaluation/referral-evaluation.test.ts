import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { appointments, contactAttempts, priorityOverrides, statusChanges } from '../../../db/schema/casework.ts';
import { referralStatistics } from '../../../db/schema/statistics.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { evaluationDashboard } from '../../../server/evaluation/dashboard.ts';
import { FIRST_CONTACT_OUTCOMES } from '../../../server/evaluation/definitions.ts';
import { choosePeriod } from '../../../server/evaluation/period.ts';
import { deleteReferralData } from '../../../server/retention/delete.ts';
import { CONTACT_OUTCOMES } from '../../../server/casework/statuses.ts';
import { dashboardFromScratch, SUMMARY_FROM_SCRATCH_SQL } from './dashboard-from-scratch.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  type StaffClient,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';

/**
 * referral_evaluation (db/schema/evaluation.ts) is a summary the dashboard reads instead of each referral's contact
 * log. These tests recompute it from scratch (the old way) and compare: after random inserts, updates and deletes
 * on every table it summarises, after each casework action through the real routes, and after retention deletes
 * a referral (whose de-identified statistics row must keep it counted). The dashboard itself is compared with the
 * previous implementation (dashboard-from-scratch.ts, correlated lookups per referral) on the same data.
 */

/** A small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

describe('referral_evaluation, the summary the evaluation dashboard reads', () => {
  // Tuesday 10 March 2026, 10:00 London.
  const clock = fixedClock('2026-03-10T10:00:00Z');
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  let t: TestApp;
  let workerMember: TestStaffMember;
  let managerMember: TestStaffMember;
  let worker: StaffClient;
  let manager: StaffClient;

  const stored = () => t.database.sqlite.prepare('SELECT * FROM "referral_evaluation" ORDER BY "referral_id"').all();
  const fresh = () => t.database.sqlite.prepare(SUMMARY_FROM_SCRATCH_SQL).all();
  const summaryOf = (id: string) =>
    t.database.sqlite.prepare('SELECT * FROM "referral_evaluation" WHERE "referral_id" = ?').get(id) as
      Record<string, unknown> | undefined;
  const expectInStep = () => expect(stored()).toEqual(fresh());

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    const keyring = t.app.services.keyring;
    workerMember = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'] });
    managerMember = await enrolStaff(db, keyring, clock.now(), {
      role: 'manager',
      officeIds: ['leeds', 'manchester'],
    });
    worker = await signedIn(t, workerMember, clock, '10.14.0.1');
    manager = await signedIn(t, managerMember, clock, '10.14.0.2');
  });
  afterAll(async () => t.cleanup());

  it('lists exactly the first-contact outcomes evaluation defines in every contact-attempt trigger', () => {
    const triggers = t.database.sqlite
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'contact_attempts'")
      .all() as Array<{ name: string; sql: string }>;
    const summaryTriggers = triggers.filter((tr) => tr.name.startsWith('referral_evaluation_'));
    expect(summaryTriggers.map((tr) => tr.name).sort()).toEqual([
      'referral_evaluation_attempt_delete',
      'referral_evaluation_attempt_insert',
      'referral_evaluation_attempt_update',
    ]);
    for (const trigger of summaryTriggers) {
      const lists = [...trigger.sql.matchAll(/"?outcome"?`? IN \(([^)]*)\)/g)].map((m) => m[1]!.replace(/\s/g, ''));
      expect(lists, trigger.name).toEqual([FIRST_CONTACT_OUTCOMES.map((o) => `'${o}'`).join(',')]);
    }
  });

  it('stays equal to a from-scratch computation through random inserts, updates and deletes', () => {
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    const g = generator(20260310);
    const now = clock.now().getTime();
    const ids: string[] = [];
    for (let i = 0; i < 160; i++) {
      const receivedAt = new Date(now - g.int(420 * DAY) - HOUR);
      const made = insertSampleReferral(db, keyring, {
        receivedAt,
        officeId: g.pick(['leeds', 'manchester']),
        status: g.pick(['new', 'contact_attempted', 'in_contact', 'engaged', 'closed']),
        priority: g.pick(['today', 'next_working_day', 'within_7_days'] as const),
        contactBy: new Date(receivedAt.getTime() + g.pick([4, 30, 7 * 24]) * HOUR),
        answers: {
          heardFrom: g.pick(['police', 'solicitor', 'gp', 'other', 'search_engine']),
          stage: g.pick(['arrested', 'voluntary_interview', 'on_bail', 'charged']),
          meetPreference: g.pick(['asap', 'later']),
        },
      });
      ids.push(made.id);
      const at = (hours: number) => new Date(receivedAt.getTime() + hours * HOUR);
      for (let k = g.int(4); k > 0; k--)
        db.insert(contactAttempts)
          .values({
            id: randomUUID(),
            referralId: made.id,
            staffId: workerMember.id,
            attemptedAt: at(1 + g.int(14 * 24)),
            channel: 'phone',
            outcome: g.pick(CONTACT_OUTCOMES),
            createdAt: at(1),
          })
          .run();
      for (let k = g.int(3); k > 0; k--)
        db.insert(appointments)
          .values({
            id: randomUUID(),
            referralId: made.id,
            bookedBy: workerMember.id,
            staffId: workerMember.id,
            startsAt: at(24 + g.int(20 * 24)),
            mode: 'remote',
            status: g.pick(['booked', 'cancelled', 'attended', 'did_not_attend'] as const),
            createdAt: at(1),
          })
          .run();
      for (let k = g.int(3); k > 0; k--)
        db.insert(statusChanges)
          .values({
            id: randomUUID(),
            referralId: made.id,
            staffId: workerMember.id,
            fromStatus: 'in_contact',
            toStatus: 'closed',
            closedReason: g.chance(0.7)
              ? g.pick(['declined', 'not_suitable', 'referred_elsewhere', 'unable_to_contact'] as const)
              : null,
            changedAt: at(g.int(60 * 24)),
          })
          .run();
      if (g.chance(0.2))
        db.insert(priorityOverrides)
          .values({
            id: randomUUID(),
            referralId: made.id,
            staffId: managerMember.id,
            fromPriority: 'within_7_days',
            toPriority: 'today',
            contactByBefore: at(7 * 24),
            contactByAfter: at(4),
            reasonEnc: 'x',
            createdAt: at(2),
          })
          .run();
    }
    expectInStep();

    // Change things the way casework, transfers, reschedules, corrections and deletions do.
    const sqlite = t.database.sqlite;
    const allOf = (table: string) =>
      (sqlite.prepare(`SELECT "id", "referral_id" FROM "${table}"`).all() as Array<{ id: string }>).map((r) => r.id);
    for (const id of allOf('contact_attempts')) {
      const roll = g.next();
      if (roll < 0.15)
        sqlite.prepare('UPDATE contact_attempts SET outcome = ? WHERE id = ?').run(g.pick(CONTACT_OUTCOMES), id);
      else if (roll < 0.25)
        sqlite.prepare('UPDATE contact_attempts SET attempted_at = attempted_at + ? WHERE id = ?').run(g.int(DAY), id);
      else if (roll < 0.3)
        sqlite.prepare('UPDATE contact_attempts SET referral_id = ? WHERE id = ?').run(g.pick(ids), id);
      else if (roll < 0.4) sqlite.prepare('DELETE FROM contact_attempts WHERE id = ?').run(id);
    }
    for (const id of allOf('appointments')) {
      const roll = g.next();
      if (roll < 0.2)
        sqlite.prepare('UPDATE appointments SET starts_at = starts_at - ? WHERE id = ?').run(g.int(5 * DAY), id);
      else if (roll < 0.25) sqlite.prepare('UPDATE appointments SET referral_id = ? WHERE id = ?').run(g.pick(ids), id);
      else if (roll < 0.35) sqlite.prepare('DELETE FROM appointments WHERE id = ?').run(id);
    }
    for (const id of allOf('status_changes')) {
      const roll = g.next();
      if (roll < 0.15)
        sqlite.prepare('UPDATE status_changes SET closed_reason = ? WHERE id = ?').run(g.pick(['declined', null]), id);
      else if (roll < 0.25)
        sqlite.prepare('UPDATE status_changes SET changed_at = changed_at + ? WHERE id = ?').run(g.int(9 * DAY), id);
      else if (roll < 0.35) sqlite.prepare('DELETE FROM status_changes WHERE id = ?').run(id);
    }
    for (const id of allOf('priority_overrides')) {
      const roll = g.next();
      if (roll < 0.3) sqlite.prepare('DELETE FROM priority_overrides WHERE id = ?').run(id);
      else if (roll < 0.4)
        sqlite.prepare('UPDATE priority_overrides SET referral_id = ? WHERE id = ?').run(g.pick(ids), id);
    }
    for (const id of ids) {
      const roll = g.next();
      if (roll < 0.2)
        db.update(referrals)
          .set({ status: g.pick(['engaged', 'closed', 'in_contact']), priority: g.pick(['today', 'within_7_days']) })
          .where(eq(referrals.id, id))
          .run();
      else if (roll < 0.3)
        sqlite
          .prepare('UPDATE referrals SET office_id = ?, contact_by = contact_by + ? WHERE id = ?')
          .run(g.pick(['leeds', 'manchester']), g.int(DAY), id);
    }
    expectInStep();

    // The dashboard over the summary equals the previous per-referral computation on the same data.
    const periods = [
      ...(['4w', 'quarter', 'year'] as const).map((preset) => choosePeriod({ period: preset }, clock.now()).period),
      choosePeriod({ period: 'dates', from: '2025-01-01', to: '2026-03-10' }, clock.now()).period,
      choosePeriod({ period: 'dates', from: '2025-10-20', to: '2025-11-02' }, clock.now()).period,
    ];
    let compared = 0;
    for (const period of periods) {
      for (const offices of [['leeds', 'manchester'], ['leeds'], ['manchester']]) {
        const now = clock.now();
        const fast = evaluationDashboard(db, offices, period, now);
        expect(fast, `${period.from}..${period.to} ${offices.join('+')}`).toEqual(
          dashboardFromScratch(db, offices, period, now),
        );
        compared += fast.total;
      }
    }
    // The comparison had something to compare: referrals, reached ones, missed deadlines.
    expect(compared).toBeGreaterThan(200);
    const year = evaluationDashboard(db, ['leeds', 'manchester'], periods[2]!, clock.now());
    expect(year.firstContact.find((r) => r.code === 'all')!.reached).toBeGreaterThan(20);
    expect(year.tables.missed.rows.reduce((a, r) => a + r.values[0]!, 0)).toBeGreaterThan(5);
  });

  it('is kept in step by each casework action through the real routes', async () => {
    const { db } = t.database;
    const r = insertSampleReferral(db, t.app.services.keyring, {
      receivedAt: new Date(clock.now().getTime() - 20 * HOUR),
      officeId: 'leeds',
      priority: 'within_7_days',
    });
    expect(summaryOf(r.id)).toMatchObject({ status: 'new', first_attempt_at: null, contact_attempts: 0 });

    const tried = await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
      at: '2026-03-10T09:05',
      note: '',
    });
    expect(tried.statusCode).toBe(303);
    expect(summaryOf(r.id)).toMatchObject({
      status: 'contact_attempted',
      first_attempt_at: Date.parse('2026-03-10T09:05:00Z'),
      first_contact_at: null,
      contact_attempts: 1,
    });
    expectInStep();

    await worker.post(`/staff/referrals/${r.id}/contact-attempts`, {
      channel: 'phone',
      outcome: 'spoke',
      at: '2026-03-10T09:45',
      note: '',
    });
    expect(summaryOf(r.id)).toMatchObject({
      status: 'in_contact',
      first_contact_at: Date.parse('2026-03-10T09:45:00Z'),
      contact_attempts: 2,
    });
    expectInStep();

    const booked = await worker.post(`/staff/referrals/${r.id}/appointments`, {
      startsAt: '2026-03-12T11:00',
      mode: 'office',
      officeId: 'leeds',
      lateReason: '',
    });
    expect(booked.statusCode).toBe(303);
    expect(summaryOf(r.id)).toMatchObject({
      first_appointment_at: Date.parse('2026-03-12T11:00:00Z'),
      appointments: 1,
    });
    const appointmentId = db.select().from(appointments).where(eq(appointments.referralId, r.id)).get()!.id;
    const moved = await worker.post(`/staff/referrals/${r.id}/appointments/${appointmentId}/reschedule`, {
      startsAt: '2026-03-13T14:00',
      reason: 'He asked for a later time',
    });
    expect(moved.statusCode).toBe(303);
    expect(summaryOf(r.id)).toMatchObject({ first_appointment_at: Date.parse('2026-03-13T14:00:00Z') });
    expectInStep();
    await worker.post(`/staff/referrals/${r.id}/appointments/${appointmentId}/cancel`, {
      reason: 'He has a hospital appointment',
    });
    expect(db.select().from(appointments).where(eq(appointments.id, appointmentId)).get()?.status).toBe('cancelled');
    // An appointment offered still counts as offered (as before), whatever became of it.
    expect(summaryOf(r.id)).toMatchObject({ appointments: 1 });
    expectInStep();

    const raised = await manager.post(`/staff/referrals/${r.id}/priority`, {
      priority: 'today',
      reason: 'His sister called: he is not safe tonight',
    });
    expect(raised.statusCode).toBe(303);
    const row = db.select().from(referrals).where(eq(referrals.id, r.id)).get()!;
    expect(summaryOf(r.id)).toMatchObject({
      priority: 'today',
      priority_changed: 1,
      contact_by: row.contactBy.getTime(),
    });
    expectInStep();

    const closed = await manager.post(`/staff/referrals/${r.id}/status`, {
      status: 'closed',
      closedReason: 'declined',
      reason: 'He decided he does not want support now',
    });
    expect(closed.statusCode).toBe(303);
    expect(summaryOf(r.id)).toMatchObject({ status: 'closed', closed_reason: 'declined' });
    expectInStep();

    const reopened = await manager.post(`/staff/referrals/${r.id}/reopen`, {
      reason: 'He called back and wants to start',
    });
    expect(reopened.statusCode).toBe(303);
    expect(summaryOf(r.id)?.status).not.toBe('closed');
    expectInStep();
  });

  it('is removed with a referral retention deletes, whose statistics row keeps it counted', () => {
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    const receivedAt = new Date('2025-11-19T10:00:00Z');
    const r = insertSampleReferral(db, keyring, { receivedAt, officeId: 'leeds', status: 'closed' });
    db.insert(contactAttempts)
      .values({
        id: randomUUID(),
        referralId: r.id,
        staffId: workerMember.id,
        attemptedAt: new Date(receivedAt.getTime() + 5 * HOUR),
        channel: 'phone',
        outcome: 'spoke',
        createdAt: receivedAt,
      })
      .run();
    db.insert(statusChanges)
      .values({
        id: randomUUID(),
        referralId: r.id,
        staffId: workerMember.id,
        fromStatus: 'in_contact',
        toStatus: 'closed',
        closedReason: 'declined',
        changedAt: new Date(receivedAt.getTime() + 3 * DAY),
      })
      .run();
    const { period } = choosePeriod({ period: 'year' }, clock.now());
    const before = evaluationDashboard(db, ['leeds'], period, clock.now());
    const statisticsBefore = db.select().from(referralStatistics).all().length;

    db.transaction((tx) => deleteReferralData(tx, keyring, r.id, 'test', clock.now()));

    expect(summaryOf(r.id)).toBeUndefined();
    expect(db.select().from(referralStatistics).all()).toHaveLength(statisticsBefore + 1);
    expectInStep();
    const after = evaluationDashboard(db, ['leeds'], period, clock.now());
    expect(after.total).toBe(before.total);
    for (const table of ['weekly', 'source', 'stage', 'nation', 'priority', 'outcomes'] as const)
      expect(after.tables[table], table).toEqual(before.tables[table]);
  });
});
