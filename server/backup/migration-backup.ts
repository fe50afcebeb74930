import type Database from 'better-sqlite3';
import type { AppConfig } from '../config.ts';
import { parseDataKeys } from '../security/field-encryption.ts';
import { createBackup, pruneBackups } from './backup.ts';

/** The backup taken before migrations or key rotation: encrypted and pruned like the daily ones. */
export function encryptedMigrationBackup(config: AppConfig, now: () => Date = () => new Date()) {
  return async (sqlite: Database.Database): Promise<string> => {
    const backup = await createBackup(sqlite, {
      dir: config.backupDir,
      kind: 'migration',
      keyring: parseDataKeys(config.dataKey),
      now: now(),
    });
    pruneBackups(config.backupDir, { keepDaily: config.backupKeepDaily, keepWeekly: config.backupKeepWeekly });
    return backup.path;
  };
}
