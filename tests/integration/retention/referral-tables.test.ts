import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { KEPT_WITH_REFERRAL_ID, PER_REFERRAL_TABLES } from '../../../server/retention/referral-tables.ts';

/**
 * Protects deletion against tables added later (by anyone): every table with a referral_id column, after all
 * migrations, must be deleted with the referral or be listed as deliberately kept.
 */
describe('the list of per-referral tables', () => {
  let dir: string;
  let database: OpenedDatabase;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-tables-'));
    database = openDatabase(join(dir, 'p.db'));
    await migrateDatabase(database.sqlite);
  });
  afterAll(() => {
    database.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names every table that has a referral_id column', () => {
    const tables = (
      database.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as Array<{
        name: string;
      }>
    ).map((row) => row.name);
    const withReferralId = tables.filter((table) =>
      (database.sqlite.pragma(`table_info("${table}")`) as Array<{ name: string }>).some(
        (c) => c.name === 'referral_id',
      ),
    );
    expect(withReferralId.length).toBeGreaterThan(5);
    const missing = withReferralId.filter(
      (table) => !PER_REFERRAL_TABLES.includes(table) && !(table in KEPT_WITH_REFERRAL_ID),
    );
    expect(missing, 'add these to server/retention/referral-tables.ts').toEqual([]);
  });
});
