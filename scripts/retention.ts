/**
 * npm run retention -- --dry-run : what the retention policy would delete now, in counts (no personal data).
 * npm run retention              : do it now (the server also runs it daily at RETENTION_TIME).
 */
import { existsSync } from 'node:fs';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { pendingMigrationCount } from '../db/migrate.ts';
import { parseDataKeys } from '../server/security/field-encryption.ts';
import { useAuditChainKey } from '../server/audit/audit.ts';
import { runRetention } from '../server/retention/run.ts';

function main(): number {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--dry-run');
  if (unknown.length) {
    process.stderr.write(`Unknown option ${unknown.join(' ')}. Use: npm run retention [-- --dry-run]\n`);
    return 2;
  }
  const dryRun = args.includes('--dry-run');
  // .env and the environment, exactly as the server reads them (a bad value stops here with its name).
  const { config } = loadEntryPointConfig();
  if (!existsSync(config.databasePath)) {
    process.stderr.write(`No database at ${config.databasePath}.\n`);
    return 1;
  }
  const { sqlite, db } = openDatabase(config.databasePath);
  try {
    if (pendingMigrationCount(sqlite) > 0) {
      process.stderr.write('The database has migrations to apply first: run npm run db:migrate.\n');
      return 1;
    }
    const keyring = parseDataKeys(config.dataKey);
    useAuditChainKey(sqlite, keyring);
    const report = runRetention(db, { keyring, now: new Date(), dryRun, mailDir: config.mailDir });
    const out = process.stdout;
    out.write(dryRun ? 'Dry run: nothing was changed.\n' : 'Retention run done.\n');
    out.write('Closed referrals past their retention period:\n');
    for (const [rule, count] of Object.entries(report.due)) out.write(`  ${rule}: ${count}\n`);
    out.write(`Kept by a legal hold: ${report.held}\n`);
    out.write(
      `${dryRun ? 'Would delete' : 'Deleted'} referrals: ${dryRun ? Object.values(report.due).reduce((a, b) => a + b, 0) - report.held : report.deleted}\n`,
    );
    out.write(`${dryRun ? 'Would clear' : 'Cleared'} sent email bodies: ${report.mailBodiesCleared}\n`);
    out.write(`${dryRun ? 'Would remove' : 'Removed'} .eml files: ${report.mailFilesRemoved}\n`);
    return 0;
  } finally {
    sqlite.close();
  }
}

process.exitCode = main();
