import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { referralAssignments } from '../../../db/schema/casework.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { DEFAULT_FILTERS, queryInbox } from '../../../server/backoffice/casework/inbox.ts';
import { enrolStaff, seedTestOffices, type TestStaffMember } from './staff-client.ts';

/**
 * "Assigned to me" in the default view, for someone holding few and someone holding many of the waiting referrals:
 * exactly their waiting referrals, most urgent first, across pages, with the right total.
 */
describe("inbox 'assigned to' in the default view", () => {
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  let few: TestStaffMember;
  let many: TestStaffMember;
  const expected = new Map<string, Array<{ id: string; rank: number; contactBy: number }>>();
  const rank = { today: 0, next_working_day: 1, within_7_days: 2 } as const;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    const keyring = t.app.services.keyring;
    few = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds', 'manchester'] });
    many = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds', 'manchester'] });
    expected.set(few.id, []);
    expected.set(many.id, []);
    const priorities = ['today', 'next_working_day', 'within_7_days'] as const;
    for (let i = 0; i < 300; i++) {
      const receivedAt = new Date(clock.now().getTime() - (1 + ((i * 37) % 200)) * 600_000);
      const priority = priorities[i % 3]!;
      const contactBy = new Date(receivedAt.getTime() + (i % 7) * 3_600_000);
      const status = i % 10 === 9 ? 'in_contact' : i % 2 ? 'new' : 'contact_attempted';
      const { id } = insertSampleReferral(db, keyring, {
        receivedAt,
        officeId: i % 2 ? 'leeds' : 'manchester',
        priority,
        contactBy,
        status,
      });
      // `few` holds 8 of them, `many` 150 (some of each no longer waiting).
      const holder = i % 40 === 3 ? few : i % 2 === 0 ? many : null;
      if (!holder) continue;
      db.insert(referralAssignments)
        .values({ referralId: id, staffId: holder.id, assignedAt: clock.now(), assignedBy: holder.id })
        .run();
      if (status !== 'in_contact') expected.get(holder.id)!.push({ id, rank: rank[priority], contactBy: +contactBy });
    }
  });
  afterAll(async () => t.cleanup());

  for (const who of ['few', 'many'] as const)
    it(`lists exactly the waiting referrals of someone holding ${who}, most urgent first`, () => {
      const member = who === 'few' ? few : many;
      const want = expected
        .get(member.id)!
        .sort((a, b) => a.rank - b.rank || a.contactBy - b.contactBy)
        .map((r) => r.id);
      expect(want.length).toBeGreaterThan(who === 'few' ? 3 : 60);
      const staff = { id: member.id, role: 'caseworker' as const, officeIds: ['leeds', 'manchester'] };
      const pages = [1, 2, 3].map((page) =>
        queryInbox(t.database.db, staff, { filters: { ...DEFAULT_FILTERS, assignee: 'me', page } }, clock.now()),
      );
      expect(pages[0]!.total).toBe(want.length);
      const got = pages.flatMap((p, i) => (p.page === i + 1 ? p.rows.map((r) => r.id) : []));
      expect(got).toEqual(want);
    });
});
