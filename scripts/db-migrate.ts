import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';

const config = loadConfig();
const { sqlite } = openDatabase(config.databasePath);
const result = await migrateDatabase(sqlite, { backupDir: join(config.dataDir, 'backups') });
sqlite.close();
console.log(
  result.applied === 0
    ? 'Database is up to date.'
    : `Applied ${result.applied} migration(s).${result.backupPath ? ` Backup: ${result.backupPath}` : ''}`,
);
