/**
 * npm run keys:rotate: re-encrypts every encrypted value under the first key in DATA_KEY.
 *
 * To rotate: put the new key first and keep the old one, e.g. DATA_KEY="k2:<new>,k1:<old>", restart the app
 * (new values use k2 at once), run this, and only then remove k1. Safe to run again: it changes nothing the
 * second time. A backup of the database is taken first, under DATA_DIR/backups.
 */
import { existsSync } from 'node:fs';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { pendingMigrationCount } from '../db/migrate.ts';
import { parseDataKeys } from '../server/security/field-encryption.ts';
import { rotateEncryptionKeys } from '../server/referrals/key-rotation.ts';
import { encryptedMigrationBackup } from '../server/backup/migration-backup.ts';

async function main(): Promise<number> {
  const { config } = loadEntryPointConfig();
  if (!existsSync(config.databasePath)) {
    process.stderr.write(`No database at ${config.databasePath}: nothing to rotate.\n`);
    return 1;
  }
  const { sqlite } = openDatabase(config.databasePath);
  try {
    const pending = pendingMigrationCount(sqlite);
    if (pending > 0) {
      process.stderr.write(`The database has ${pending} migration(s) to apply first: run npm run db:migrate.\n`);
      return 1;
    }
    const keyring = parseDataKeys(config.dataKey);
    // Encrypted like every backup (docs/backups.md); restore with npm run restore.
    const backup = await encryptedMigrationBackup(config)(sqlite);

    const report = rotateEncryptionKeys(sqlite, keyring);
    process.stdout.write(`Backup: ${backup}\nCurrent key: ${report.currentKeyId}\n`);
    for (const column of report.columns) {
      process.stdout.write(
        `${column.table}.${column.column}: ${column.checked} checked, ${column.rotated} re-encrypted\n`,
      );
    }
    process.stdout.write(`name search (whole name and each word): ${report.nameHashesUpdated} referral(s) rewritten\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `Key rotation failed, nothing was changed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    sqlite.close();
  }
}

process.exitCode = await main();
