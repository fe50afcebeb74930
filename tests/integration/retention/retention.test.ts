import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { enrolStaff, seedTestOffices, type TestStaffMember } from '../backoffice/staff-client.ts';
import { closedReferral } from './support.ts';
import { runRetention } from '../../../server/retention/run.ts';
import { placeHold, reviewHold } from '../../../server/retention/holds.ts';
import { eraseReferral } from '../../../server/retention/erasure.ts';
import { PER_REFERRAL_TABLES } from '../../../server/retention/referral-tables.ts';
import { RULE_FOR_CLOSED_REASON, unmappedClosedReasons } from '../../../server/retention/outcomes.ts';
import { CLOSED_REASONS } from '../../../server/casework/statuses.ts';
import { readPolicy, updateRule } from '../../../server/retention/policy.ts';
import { referralStatistics } from '../../../db/schema/statistics.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { decryptField } from '../../../server/security/field-encryption.ts';
import { bodyAad } from '../../../server/mail/outbox.ts';
import { verifyAuditChain } from '../../../server/audit/audit.ts';

const clock = fixedClock('2026-12-01T10:00:00Z');
const monthsAgo = (n: number) => new Date(Date.UTC(2026, 11 - n, 1, 10));

describe('retention by outcome', () => {
  let t: TestApp;
  let staff: TestStaffMember;
  let manager: TestStaffMember;
  const ids: Record<string, { id: string; reference: string; outboxId: string }> = {};

  function rowsFor(referralId: string): Record<string, number> {
    const sqlite = t.database.sqlite;
    const counts: Record<string, number> = {};
    for (const table of [...PER_REFERRAL_TABLES, 'referrals']) {
      const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(table);
      if (!exists) continue;
      const column = table === 'referrals' ? 'id' : 'referral_id';
      counts[table] = (
        sqlite.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${column} = ?`).get(referralId) as { n: number }
      ).n;
    }
    return counts;
  }

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    const keyring = t.app.services.keyring;
    staff = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'] });
    manager = await enrolStaff(db, keyring, clock.now(), { role: 'manager', officeIds: ['leeds'] });
    const make = (name: string, closedMonthsAgo: number, reason: string | null, engaged = false) => {
      ids[name] = closedReferral(db, keyring, {
        staffId: staff.id,
        receivedAt: new Date(monthsAgo(closedMonthsAgo).getTime() - 20 * 86_400_000),
        closedAt: monthsAgo(closedMonthsAgo),
        reason,
        engaged,
        mailDir: t.config.mailDir,
      });
    };
    make('unreachedOld', 7, 'unable_to_contact'); // 6-month rule: due
    make('unreachedNew', 3, 'unable_to_contact'); // not yet
    make('declinedOld', 7, 'declined'); // 12-month rule: not yet
    make('declinedVeryOld', 13, 'declined'); // due
    make('engagedOld', 30, null, true); // 20 years: kept
    make('heldOld', 8, 'unable_to_contact'); // due but held
    const held = placeHold(
      db,
      keyring,
      {
        referralId: ids.heldOld!.id,
        officeId: 'leeds',
        kind: 'court_order',
        reason: 'Production order pending',
        reviewBy: '2027-03-01',
      },
      manager.id,
      clock.now(),
    );
    expect(held.ok).toBe(true);
  });
  afterAll(async () => t.cleanup());

  it('maps every closing reason the casework module knows to a rule', () => {
    for (const reason of CLOSED_REASONS) expect(RULE_FOR_CLOSED_REASON[reason]).toBeDefined();
    expect(unmappedClosedReasons()).toEqual([]);
  });

  it('dry run: counts what would go and changes nothing', () => {
    const before = t.database.sqlite.prepare('SELECT COUNT(*) AS n FROM referrals').get();
    const report = runRetention(t.database.db, {
      keyring: t.app.services.keyring,
      now: clock.now(),
      dryRun: true,
      mailDir: t.config.mailDir,
    });
    expect(report.due).toEqual({ not_reached: 2, declined: 1, engaged: 0, safeguarding: 0 });
    expect(report.held).toBe(1);
    expect(report.deleted).toBe(0);
    expect(report.mailBodiesCleared).toBeGreaterThan(0);
    expect(t.database.sqlite.prepare('SELECT COUNT(*) AS n FROM referrals').get()).toEqual(before);
    expect(JSON.stringify(report)).not.toContain(ids.unreachedOld!.reference);
  });

  it('deletes everything personal for due referrals, keeps held and younger ones, and leaves one statistics row each', () => {
    const report = runRetention(t.database.db, {
      keyring: t.app.services.keyring,
      now: clock.now(),
      dryRun: false,
      mailDir: t.config.mailDir,
    });
    expect(report.deleted).toBe(2);
    for (const name of ['unreachedOld', 'declinedVeryOld']) {
      const counts = rowsFor(ids[name]!.id);
      expect(
        Object.values(counts).every((n) => n === 0),
        `${name}: ${JSON.stringify(counts)}`,
      ).toBe(true);
      expect(
        t.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, ids[name]!.outboxId)).get(),
      ).toBeUndefined();
      expect(readdirSync(t.config.mailDir).some((file) => file.includes(ids[name]!.outboxId))).toBe(false);
    }
    for (const name of ['unreachedNew', 'declinedOld', 'engagedOld', 'heldOld']) {
      expect(rowsFor(ids[name]!.id).referrals, name).toBe(1);
      expect(rowsFor(ids[name]!.id).case_notes, name).toBe(1);
    }
    const stats = t.database.db.select().from(referralStatistics).all();
    expect(stats).toHaveLength(2);
    const unreached = stats.find((row) => row.outcome === 'unable_to_contact')!;
    expect(unreached).toMatchObject({
      officeId: 'leeds',
      deletionRule: 'not_reached',
      deletedMonth: '2026-12',
      contactAttempts: 1,
      appointments: 1,
      priorityChanged: true,
      workingHoursToFirstContact: null,
      missedDeadlineReason: 'never_reached',
      appointmentWithin7Days: true,
    });
    expect(unreached.isoWeekReceived).toMatch(/^2026-W\d\d$/);
    expect(unreached.weekStart).toMatch(/^2026-\d\d-\d\d$/);
    const declined = stats.find((row) => row.outcome === 'declined')!;
    expect(declined.deletionRule).toBe('declined');
    expect(declined.metContactBy).not.toBeNull();
    // Nothing in the row points back at him.
    const text = JSON.stringify(stats);
    for (const name of ['unreachedOld', 'declinedVeryOld']) {
      expect(text).not.toContain(ids[name]!.id);
      expect(text).not.toContain(ids[name]!.reference);
    }
    const audit = t.database.sqlite
      .prepare("SELECT referral_id, detail FROM audit_events WHERE action = 'referral_deleted'")
      .all() as Array<{ referral_id: string; detail: string }>;
    expect(audit.map((row) => row.referral_id).sort()).toEqual([ids.unreachedOld!.id, ids.declinedVeryOld!.id].sort());
    expect(verifyAuditChain(t.database.db).ok).toBe(true);
  });

  it('clears the bodies and recipients of sent email after the mail period, keeping the delivery metadata', () => {
    const message = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.id, ids.engagedOld!.outboxId))
      .get()!;
    expect(message.bodyClearedAt).not.toBeNull();
    expect(message.status).toBe('sent');
    expect(message.subject).not.toBe('');
    expect(decryptField(t.app.services.keyring, message.bodyEnc, bodyAad(message.id))).toBe('');
    expect(readdirSync(t.config.mailDir).filter((file) => file.endsWith('.eml'))).toEqual([]);
  });

  it('follows the policy as admins set it', () => {
    updateRule(t.database.db, 'declined', 6, 'months', staff.id, clock.now());
    expect(readPolicy(t.database.db, clock.now()).find((rule) => rule.id === 'declined')).toMatchObject({
      value: 6,
      unit: 'months',
    });
    const report = runRetention(t.database.db, {
      keyring: t.app.services.keyring,
      now: clock.now(),
      dryRun: false,
      mailDir: null,
    });
    expect(report.deleted).toBe(1);
    expect(rowsFor(ids.declinedOld!.id).referrals).toBe(0);
  });

  it('refuses erasure while a legal hold stands, and erases once it is released', () => {
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    const held = { id: ids.heldOld!.id, officeId: 'leeds', reference: ids.heldOld!.reference };
    const refused = eraseReferral(
      db,
      keyring,
      held,
      { reason: 'his_request', confirm: held.reference },
      manager.id,
      clock.now(),
      null,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.reason).toMatch(/legal hold/);
    expect(rowsFor(held.id).referrals).toBe(1);
    expect(
      reviewHold(
        db,
        { referralId: held.id, officeId: 'leeds', decision: 'release', reviewBy: '' },
        manager.id,
        clock.now(),
      ).ok,
    ).toBe(true);
    const wrongConfirm = eraseReferral(
      db,
      keyring,
      held,
      { reason: 'his_request', confirm: 'nope' },
      manager.id,
      clock.now(),
      null,
    );
    expect(wrongConfirm.ok).toBe(false);
    const erased = eraseReferral(
      db,
      keyring,
      held,
      { reason: 'his_request', confirm: held.reference },
      manager.id,
      clock.now(),
      null,
    );
    expect(erased.ok).toBe(true);
    expect(Object.values(rowsFor(held.id)).every((n) => n === 0)).toBe(true);
    const row = t.database.sqlite
      .prepare("SELECT actor_id, detail FROM audit_events WHERE action = 'referral_deleted' AND referral_id = ?")
      .get(held.id) as { actor_id: string; detail: string };
    expect(row.actor_id).toBe(manager.id);
    expect(JSON.parse(row.detail)).toMatchObject({ rule: 'erasure', reason: 'his_request' });
    expect(existsSync(t.config.mailDir)).toBe(true);
  });
});
