/**
 * npm run backup: an encrypted online backup of the live database (safe while the portal runs), then pruning
 * (BACKUP_KEEP_DAILY / BACKUP_KEEP_WEEKLY). See docs/backups.md.
 */
import { existsSync } from 'node:fs';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { parseDataKeys } from '../server/security/field-encryption.ts';
import { recordAudit, recordAuditHead, useAuditChainKey } from '../server/audit/audit.ts';
import { createBackup, pruneBackups } from '../server/backup/backup.ts';

async function main(): Promise<number> {
  // .env and the environment, exactly as the server reads them (a bad value stops here with its name).
  const { config } = loadEntryPointConfig();
  if (!existsSync(config.databasePath)) {
    process.stderr.write(`No database at ${config.databasePath}.\n`);
    return 1;
  }
  const { sqlite, db } = openDatabase(config.databasePath);
  try {
    const keyring = parseDataKeys(config.dataKey);
    useAuditChainKey(sqlite, keyring);
    const now = new Date();
    const backup = await createBackup(sqlite, { dir: config.backupDir, kind: 'manual', keyring, now });
    recordAuditHead(db, 'backup', now);
    recordAudit(
      db,
      {
        actorId: null,
        action: 'backup_taken',
        detail: { kind: 'manual', auditHeadSeq: backup.manifest.auditHead.seq },
      },
      now,
    );
    const pruned = pruneBackups(config.backupDir, {
      keepDaily: config.backupKeepDaily,
      keepWeekly: config.backupKeepWeekly,
    });
    const total = Object.values(backup.manifest.counts).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `Backup: ${backup.path}\nKey id: ${keyring.derivationKeyId}\nRows: ${total} in ${Object.keys(backup.manifest.counts).length} tables (referrals: ${backup.manifest.counts.referrals ?? 0})\nAudit head: entry ${backup.manifest.auditHead.seq}\nPruned: ${pruned.removed.length} old backup(s)\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`Backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    sqlite.close();
  }
}

process.exitCode = await main();
