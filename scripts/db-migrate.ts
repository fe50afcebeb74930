import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { encryptedMigrationBackup } from '../server/backup/migration-backup.ts';

// .env and the environment, exactly as the server reads them, so this migrates the server's database.
const { config } = loadEntryPointConfig();
console.log(`Database: ${config.databasePath}`);
const { sqlite } = openDatabase(config.databasePath);
const result = await migrateDatabase(sqlite, { takeBackup: encryptedMigrationBackup(config) });
sqlite.close();
console.log(
  result.applied === 0
    ? 'Database is up to date.'
    : `Applied ${result.applied} migration(s).${result.backupPath ? ` Backup: ${result.backupPath}` : ''}`,
);
