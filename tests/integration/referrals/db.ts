import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { parseDataKeys, type Keyring } from '../../../server/security/field-encryption.ts';
import { createFormTokens, type FormTokens } from '../../../server/referrals/form-token.ts';
import { ensureDefaultOffices } from '../../../server/referrals/offices.ts';
import type { ReferralServiceDeps } from '../../../server/referrals/service.ts';

export interface ServiceHarness {
  database: OpenedDatabase;
  dir: string;
  keyring: Keyring;
  dataKey: string;
  formTokens: FormTokens;
  deps: ReferralServiceDeps;
  cleanup(): void;
}

/** A migrated database in a temp folder, with offices seeded, and the referral service's dependencies. */
export async function serviceHarness(overrides: Partial<ReferralServiceDeps> = {}): Promise<ServiceHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'referrals-'));
  const database = openDatabase(join(dir, 'portal.db'));
  await migrateDatabase(database.sqlite);
  ensureDefaultOffices(database.db, new Date('2026-01-01T00:00:00Z'));
  const dataKey = `k1:${randomBytes(32).toString('base64')}`;
  const keyring = parseDataKeys(dataKey);
  const formTokens = createFormTokens(randomBytes(32).toString('hex'));
  return {
    database,
    dir,
    keyring,
    dataKey,
    formTokens,
    deps: { db: database.db, keyring, formTokens, ...overrides },
    cleanup() {
      if (database.sqlite.open) database.sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
