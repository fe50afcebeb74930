// Shared set-up for the triage, offices, alerts and mail tests: a migrated database and minimal rows.
import { randomBytes, randomUUID } from 'node:crypto';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { staffOffices, staffUsers } from '../../../db/schema/staff.ts';
import { parseDataKeys } from '../../../server/security/field-encryption.ts';
import type { Priority } from '../../../server/triage/types.ts';
import type { PortalDb } from '../../../db/client.ts';

export async function migratedMemoryDb(): Promise<OpenedDatabase> {
  const database = openDatabase(':memory:');
  await migrateDatabase(database.sqlite);
  return database;
}

export const testKeyring = () => parseDataKeys(randomBytes(32).toString('base64'));

export function addStaff(
  db: PortalDb,
  staff: {
    id?: string;
    name: string;
    role?: 'admin' | 'manager' | 'caseworker';
    status?: 'invited' | 'active' | 'disabled';
    offices: string[];
  },
): string {
  const id = staff.id ?? randomUUID();
  db.insert(staffUsers)
    .values({
      id,
      email: `${id}@staff.example.org`,
      name: staff.name,
      role: staff.role ?? 'caseworker',
      status: staff.status ?? 'active',
      createdAt: new Date('2026-01-01T00:00:00Z'),
    })
    .run();
  for (const officeId of staff.offices) db.insert(staffOffices).values({ staffId: id, officeId }).run();
  return id;
}

let referenceCounter = 0;

/** A referral row with placeholder encrypted fields: enough for scheduling and alerts, which never read answers. */
export function addReferral(
  db: PortalDb,
  referral: {
    id?: string;
    reference?: string;
    officeId: string;
    priority: Priority;
    receivedAt: Date;
    contactBy: Date;
    status?: string;
  },
): { id: string; reference: string } {
  const id = referral.id ?? randomUUID();
  referenceCounter += 1;
  const reference = referral.reference ?? `SL-TEST-${String(referenceCounter).padStart(4, '0')}`;
  db.insert(referrals)
    .values({
      id,
      reference,
      status: referral.status ?? 'new',
      priority: referral.priority,
      contactBy: referral.contactBy,
      ruleVersion: 'test',
      receivedAt: referral.receivedAt,
      officeId: referral.officeId,
      officePreference: 'leeds',
      nation: 'england',
      stage: 'test',
      source: null,
      meetPreference: 'asap',
      confidentialityVersion: 'test',
      answersEnc: 'placeholder',
      triageEnc: 'placeholder',
      nameSearchHash: `hash-${id}`,
      idempotencyKey: `key-${id}`,
    })
    .run();
  return { id, reference };
}
