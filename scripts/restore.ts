/**
 * npm run restore -- FILE --to PATH: decrypts a backup into a NEW database file and verifies it
 * (integrity_check, foreign_key_check, every encrypted value decrypts, the audit chain up to the manifest's head,
 * row counts). Never touches the live database. See docs/backups.md for the restore drill.
 */
import { loadEntryPointConfig } from '../server/config.ts';
import { parseDataKeys } from '../server/security/field-encryption.ts';
import { BackupError, restoreBackup } from '../server/backup/backup.ts';

function main(): number {
  const args = process.argv.slice(2);
  const toIndex = args.indexOf('--to');
  const to = toIndex >= 0 ? args[toIndex + 1] : undefined;
  const file = args.find((arg, i) => !arg.startsWith('--') && i !== toIndex + 1);
  if (!file || !to) {
    process.stderr.write('Use: npm run restore -- FILE --to NEW_DATABASE_PATH\n');
    return 2;
  }
  // .env and the environment, exactly as the server reads them (a bad value stops here with its name).
  const { config } = loadEntryPointConfig();
  try {
    const result = restoreBackup(file, to, parseDataKeys(config.dataKey), { liveDatabasePath: config.databasePath });
    process.stdout.write(`Backup taken ${result.manifest.takenAt} (${result.manifest.kind})\n`);
    for (const check of result.checks)
      process.stdout.write(`  ${check.ok ? 'OK  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
    process.stdout.write(
      result.ok
        ? `Restored and verified: ${result.path}\n`
        : 'Verification failed: the restored file was removed. Try an older backup and tell your data protection lead.\n',
    );
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof BackupError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
