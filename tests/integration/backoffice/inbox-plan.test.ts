import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import {
  DEFAULT_FILTERS,
  inboxCountSql,
  inboxPageSql,
  whereClause,
  type InboxFilters,
} from '../../../server/backoffice/casework/inbox.ts';

/**
 * The inbox stays fast at 100,000 referrals only while SQLite walks an index in inbox order instead of sorting the
 * table. These read SQLite's own plan for the real queries, so a rebuilt table or an edited ORDER BY shows up here.
 */
describe('inbox query plan', () => {
  let dir: string;
  let database: OpenedDatabase;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-plan-'));
    database = openDatabase(join(dir, 'plan.db'));
    await migrateDatabase(database.sqlite);
  });
  afterAll(() => {
    database.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function plan(filters: Partial<InboxFilters>, which: 'page' | 'count' = 'page'): string {
    const staff = { id: '11111111-1111-4111-8111-111111111111', officeIds: ['leeds', 'manchester'] };
    const inboxQuery = { filters: { ...DEFAULT_FILTERS, ...filters } };
    const { where } = whereClause(staff, inboxQuery, new Date('2026-03-10T10:00:00Z'));
    const query: SQL = which === 'page' ? inboxPageSql(inboxQuery, where, 1) : inboxCountSql(inboxQuery, where);
    const rows = database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
    return rows.map((row) => row.detail).join('\n');
  }

  it('walks the open-referrals index in priority and deadline order for the default view', () => {
    const detail = plan({});
    expect(detail).toContain('referrals_inbox_open_idx');
    expect(detail).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('keeps the order from an index with filters on priority, office and overdue', () => {
    const detail = plan({ priority: 'today', officeId: 'leeds', overdueOnly: true });
    expect(detail).toContain('referrals_inbox_open_idx');
    expect(detail).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('counts from the index alone, never reading the large referral rows', () => {
    expect(plan({}, 'count')).toContain('COVERING INDEX referrals_inbox_open_idx');
    expect(plan({ status: 'all', officeId: 'leeds' }, 'count')).toContain('COVERING INDEX referrals_inbox_rank_idx');
    expect(plan({ status: 'open', assignee: 'unassigned' }, 'count')).toContain(
      'COVERING INDEX referrals_inbox_rank_idx',
    );
  });

  it("checks 'assigned to' against the open index in the default view, and starts from the assignments otherwise", () => {
    expect(plan({ assignee: 'me' }, 'count')).toContain('COVERING INDEX referrals_inbox_open_idx');
    expect(plan({ assignee: 'me' })).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    expect(plan({ assignee: 'me', status: 'all' }).split('\n')[0]).toContain(
      'COVERING INDEX referral_assignments_staff_idx',
    );
    expect(plan({ assignee: 'me', status: 'all' }, 'count').split('\n')[0]).toContain(
      'COVERING INDEX referral_assignments_staff_idx',
    );
  });

  it('uses the whole-table rank index when every status is shown', () => {
    const detail = plan({ status: 'all' });
    expect(detail).toContain('referrals_inbox_rank_idx');
    expect(detail).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
});
