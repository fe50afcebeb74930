import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimePaths } from '../server/paths.ts';

export const defaultMigrationsFolder = runtimePaths.migrationsFolder;

export class MigrationIntegrityError extends Error {}

interface Journal {
  entries: Array<{ idx: number; when: number; tag: string }>;
}

function journalEntries(migrationsFolder: string): Journal['entries'] {
  const file = join(migrationsFolder, 'meta/_journal.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as Journal).entries;
}

/** How many committed migrations this database has not applied yet. */
export function pendingMigrationCount(sqlite: Database.Database, migrationsFolder = defaultMigrationsFolder): number {
  const entries = journalEntries(migrationsFolder);
  const hasTable = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!hasTable) return entries.length;
  const last = sqlite.prepare('SELECT MAX(created_at) AS last FROM __drizzle_migrations').get() as {
    last: number | null;
  };
  return entries.filter((e) => e.when > (last.last ?? 0)).length;
}

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Where to write an online backup of an existing database before changing it. */
  backupDir?: string;
  /**
   * Takes the backup instead of a plain copy in `backupDir` (the app passes an encrypted, pruned backup:
   * server/backup/backup.ts). Returns the backup's path.
   */
  takeBackup?: (sqlite: Database.Database) => Promise<string>;
  now?: Date;
}

export interface MigrateResult {
  applied: number;
  backupPath: string | null;
}

/**
 * Applies pending migrations without letting drizzle's SQLite table rebuilds cascade-delete child rows.
 * SQLite ignores `PRAGMA foreign_keys` inside a transaction and drizzle wraps every migration in one,
 * so the pragma in a generated migration does nothing: switch enforcement off on the connection first,
 * check integrity afterwards, then switch it back on.
 */
export async function migrateDatabase(sqlite: Database.Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder;
  const pending = pendingMigrationCount(sqlite, migrationsFolder);
  if (pending === 0) return { applied: 0, backupPath: null };

  let backupPath: string | null = null;
  const hasUserTables = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1")
    .get();
  if (options.takeBackup && hasUserTables && sqlite.name !== ':memory:') {
    backupPath = await options.takeBackup(sqlite);
  } else if (options.backupDir && hasUserTables && sqlite.name !== ':memory:') {
    mkdirSync(options.backupDir, { recursive: true, mode: 0o700 });
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    backupPath = join(options.backupDir, `before-migration-${stamp}.db`);
    await sqlite.backup(backupPath);
    chmodSync(backupPath, 0o600);
  }

  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(drizzle({ client: sqlite }), { migrationsFolder });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new MigrationIntegrityError(
        `Migration left ${violations.length} foreign key violation(s). Restore from ${backupPath ?? 'a backup'} and review the migration.`,
      );
    }
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  return { applied: pending, backupPath };
}

export function migrationsFolderExists(folder = defaultMigrationsFolder): boolean {
  return existsSync(join(folder, 'meta/_journal.json'));
}
