/**
 * Adds a member of staff and prints their one-time enrolment link (valid for 24 hours).
 *
 *   npm run staff:add -- --email jo@saferlives.example --name "Jo Bloggs" --role caseworker --office leeds
 *
 * --office may be repeated or comma-separated (admins need none). The link is printed once and never stored:
 * send it to them yourself. Run it on the server, with the same environment as the portal.
 */
import { parseArgs } from 'node:util';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { encryptedMigrationBackup } from '../server/backup/migration-backup.ts';
import { useAuditChainKey } from '../server/audit/audit.ts';
import { parseDataKeys } from '../server/security/field-encryption.ts';
import { seedOffices } from '../server/offices/seed.ts';
import { addStaff } from '../server/staff/accounts.ts';
import { enrolmentUrl } from '../server/auth/enrolment.ts';
import { STAFF_ROLES } from '../server/staff/roles.ts';

const usage = `Usage: npm run staff:add -- --email EMAIL --name "NAME" --role ${STAFF_ROLES.join('|')} [--office OFFICE ...]`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let values: { email?: string; name?: string; role?: string; office?: string[]; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      office: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

// .env and the environment, exactly as the server reads them, so the account lands in the server's database.
const { config, warnings } = loadEntryPointConfig();
for (const warning of warnings) console.error(`Note: ${warning}`);
const { sqlite, db } = openDatabase(config.databasePath);
try {
  await migrateDatabase(sqlite, { takeBackup: encryptedMigrationBackup(config) });
  const now = new Date();
  // Adding an account is audited, on the same keyed chain the server writes.
  useAuditChainKey(sqlite, parseDataKeys(config.dataKey), now);
  // The same office set-up the portal does when it starts, so offices exist on a brand-new database.
  seedOffices(db, now);
  const result = addStaff(
    db,
    {
      email: values.email ?? '',
      name: values.name ?? '',
      role: (values.role ?? '') as (typeof STAFF_ROLES)[number],
      officeIds: (values.office ?? []).flatMap((office) => office.split(',')),
    },
    null,
    now,
  );
  if (result.kind === 'invalid') {
    fail(
      `Could not add them:\n${Object.entries(result.errors)
        .map(([field, message]) => `  --${field === 'officeIds' ? 'office' : field}: ${message}`)
        .join('\n')}\n${usage}`,
    );
  }
  console.log(`Added ${values.name} (${values.role}).`);
  console.log('');
  console.log('Send them this one-time enrolment link (it works once, for 24 hours, and is not stored anywhere):');
  console.log('');
  console.log(`  ${enrolmentUrl(config.publicBaseUrl, result.enrolmentToken)}`);
  console.log('');
  console.log(`It expires at ${result.expiresAt.toISOString()}.`);
} finally {
  sqlite.close();
}
