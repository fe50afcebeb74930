import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../../db/client.ts';
import { defaultMigrationsFolder, migrateDatabase } from '../../../db/migrate.ts';
import { offices } from '../../../db/schema/offices.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { appointments, contactAttempts, priorityOverrides, statusChanges } from '../../../db/schema/casework.ts';
import { SUMMARY_FROM_SCRATCH_SQL } from './dashboard-from-scratch.ts';

/**
 * A database that already holds referrals when referral_evaluation arrives: the migration's backfill gives every
 * referral its summary, equal to a from-scratch computation, and the triggers take over from there.
 */
describe('referral_evaluation migration backfill', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portal-backfill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises every existing referral exactly as a from-scratch computation does', async () => {
    // The migrations up to the one before referral_evaluation.
    const before = join(dir, 'migrations');
    cpSync(defaultMigrationsFolder, before, { recursive: true });
    const journalPath = join(before, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_referral_evaluation'));
    expect(at).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    writeFileSync(journalPath, JSON.stringify(journal));

    const { db, sqlite } = openDatabase(join(dir, 'portal.db'));
    await migrateDatabase(sqlite, { migrationsFolder: before });
    expect(sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'referral_evaluation'").get()).toBeUndefined();

    const now = new Date('2026-03-10T10:00:00Z');
    db.insert(offices).values({ id: 'leeds', name: 'Leeds', nation: 'england-and-wales', createdAt: now }).run();
    const staffId = randomUUID();
    db.insert(staffUsers)
      .values({ id: staffId, email: 's@example.org', name: 'S', role: 'manager', status: 'active', createdAt: now })
      .run();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      ids.push(id);
      const receivedAt = new Date(now.getTime() - (i + 1) * 86_400_000);
      db.insert(referrals)
        .values({
          id,
          reference: `SL-${String(i).padStart(4, '0')}`,
          status: ['new', 'in_contact', 'engaged', 'closed'][i % 4]!,
          priority: (['today', 'next_working_day', 'within_7_days'] as const)[i % 3]!,
          contactBy: new Date(receivedAt.getTime() + 4 * 3_600_000),
          ruleVersion: 'test',
          receivedAt,
          officeId: 'leeds',
          officePreference: 'leeds',
          nation: 'england',
          stage: 'arrested',
          source: i % 5 ? 'police' : null,
          meetPreference: i % 2 ? 'asap' : 'later',
          confidentialityVersion: 'test',
          answersEnc: 'x',
          triageEnc: 'x',
          nameSearchHash: `h${i}`,
          idempotencyKey: id,
        })
        .run();
      for (let k = 0; k < i % 3; k++)
        db.insert(contactAttempts)
          .values({
            id: randomUUID(),
            referralId: id,
            staffId,
            attemptedAt: new Date(receivedAt.getTime() + (k + 1) * 3_600_000 * (1 + (i % 7))),
            channel: 'phone',
            outcome: k === 1 || i % 4 === 1 ? 'spoke' : 'no_answer',
            createdAt: receivedAt,
          })
          .run();
      if (i % 2)
        db.insert(appointments)
          .values({
            id: randomUUID(),
            referralId: id,
            bookedBy: staffId,
            startsAt: new Date(receivedAt.getTime() + (i % 9) * 86_400_000),
            mode: 'remote',
            createdAt: receivedAt,
          })
          .run();
      if (i % 4 === 3)
        db.insert(statusChanges)
          .values({
            id: randomUUID(),
            referralId: id,
            staffId,
            fromStatus: 'in_contact',
            toStatus: 'closed',
            closedReason: i % 8 === 3 ? 'declined' : null,
            changedAt: new Date(receivedAt.getTime() + 86_400_000),
          })
          .run();
      if (i % 5 === 0)
        db.insert(priorityOverrides)
          .values({
            id: randomUUID(),
            referralId: id,
            staffId,
            fromPriority: 'within_7_days',
            toPriority: 'today',
            contactByBefore: receivedAt,
            contactByAfter: receivedAt,
            reasonEnc: 'x',
            createdAt: receivedAt,
          })
          .run();
    }

    const result = await migrateDatabase(sqlite);
    expect(result.applied).toBeGreaterThanOrEqual(1);
    const stored = sqlite.prepare('SELECT * FROM "referral_evaluation" ORDER BY "referral_id"').all();
    expect(stored).toHaveLength(40);
    expect(stored).toEqual(sqlite.prepare(SUMMARY_FROM_SCRATCH_SQL).all());
    // The backfill had something to summarise.
    const sums = sqlite
      .prepare(
        'SELECT COUNT(first_contact_at) AS reached, SUM(priority_changed) AS changed, COUNT(closed_reason) AS closed, SUM(appointments) AS appts FROM referral_evaluation',
      )
      .get() as Record<string, number>;
    expect(sums.reached).toBeGreaterThan(5);
    expect(sums.changed).toBe(8);
    expect(sums.closed).toBeGreaterThan(2);
    expect(sums.appts).toBe(20);
    sqlite.close();
  });
});
