import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openDatabase } from '../../../db/client.ts';
import { defaultMigrationsFolder, migrateDatabase, pendingMigrationCount } from '../../../db/migrate.ts';
import { projectRoot } from '../../../server/site-files.ts';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Two migrations in drizzle's format: the second rebuilds the parent table exactly as drizzle-kit does. */
function writeCascadeMigrations(folder: string): void {
  mkdirSync(join(folder, 'meta'), { recursive: true });
  writeFileSync(
    join(folder, '0000_parents.sql'),
    [
      'CREATE TABLE `parents` (`id` integer PRIMARY KEY NOT NULL, `name` text NOT NULL);',
      '--> statement-breakpoint',
      'CREATE TABLE `children` (`id` integer PRIMARY KEY NOT NULL, `parent_id` integer NOT NULL REFERENCES `parents`(`id`) ON DELETE cascade);',
    ].join('\n'),
  );
  writeFileSync(
    join(folder, '0001_rebuild_parents.sql'),
    [
      'PRAGMA foreign_keys=OFF;',
      '--> statement-breakpoint',
      "CREATE TABLE `__new_parents` (`id` integer PRIMARY KEY NOT NULL, `name` text DEFAULT 'unknown' NOT NULL);",
      '--> statement-breakpoint',
      'INSERT INTO `__new_parents`("id", "name") SELECT "id", "name" FROM `parents`;',
      '--> statement-breakpoint',
      'DROP TABLE `parents`;',
      '--> statement-breakpoint',
      'ALTER TABLE `__new_parents` RENAME TO `parents`;',
      '--> statement-breakpoint',
      'PRAGMA foreign_keys=ON;',
    ].join('\n'),
  );
  const journal = {
    version: '7',
    dialect: 'sqlite',
    entries: [
      { idx: 0, version: '6', when: 1_700_000_000_000, tag: '0000_parents', breakpoints: true },
      { idx: 1, version: '6', when: 1_700_000_100_000, tag: '0001_rebuild_parents', breakpoints: true },
    ],
  };
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
}

/** A database with only the first migration applied, then seeded with parents and children. */
function seededAtFirstMigration(file: string, folder: string): Database.Database {
  const firstOnly = tmp('portal-first-');
  writeCascadeMigrations(firstOnly);
  const journalPath = join(firstOnly, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  migrate(drizzle({ client: sqlite }), { migrationsFolder: firstOnly });
  const addParent = sqlite.prepare('INSERT INTO parents (id, name) VALUES (?, ?)');
  const addChild = sqlite.prepare('INSERT INTO children (id, parent_id) VALUES (?, ?)');
  for (let p = 1; p <= 3; p++) {
    addParent.run(p, `parent ${p}`);
    for (let c = 1; c <= 4; c++) addChild.run(p * 10 + c, p);
  }
  expect(pendingMigrationCount(sqlite, folder)).toBe(1);
  return sqlite;
}

describe('database migrations', () => {
  it('apply to a fresh database and leave nothing pending', async () => {
    const { sqlite } = openDatabase(join(tmp('portal-mig-'), 'portal.db'));
    const result = await migrateDatabase(sqlite);
    expect(result.applied).toBeGreaterThan(0);
    expect(pendingMigrationCount(sqlite)).toBe(0);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(sqlite.pragma('temp_store', { simple: true })).toBe(2); // MEMORY: no temporary files
    expect((await migrateDatabase(sqlite)).applied).toBe(0);
    sqlite.close();
  });

  it('keep every child row when a migration rebuilds a parent table with ON DELETE CASCADE', async () => {
    const folder = tmp('portal-cascade-');
    writeCascadeMigrations(folder);
    const dir = tmp('portal-cascade-db-');
    const sqlite = seededAtFirstMigration(join(dir, 'guarded.db'), folder);

    const result = await migrateDatabase(sqlite, {
      migrationsFolder: folder,
      backupDir: join(dir, 'backups'),
      now: new Date('2026-11-29T10:00:00Z'),
    });

    expect(result.applied).toBe(1);
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM children').get()).toEqual({ n: 12 });
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM parents').get()).toEqual({ n: 3 });
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    // The online backup holds the pre-migration data.
    expect(result.backupPath && existsSync(result.backupPath)).toBe(true);
    const backup = new Database(result.backupPath!, { readonly: true });
    expect(backup.prepare('SELECT COUNT(*) AS n FROM children').get()).toEqual({ n: 12 });
    backup.close();
    sqlite.close();
  });

  it('(control) plain drizzle migrate with foreign keys on really does lose the children', () => {
    const folder = tmp('portal-cascade-ctl-');
    writeCascadeMigrations(folder);
    const sqlite = seededAtFirstMigration(join(tmp('portal-ctl-db-'), 'unguarded.db'), folder);
    migrate(drizzle({ client: sqlite }), { migrationsFolder: folder });
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM children').get()).toEqual({ n: 0 });
    sqlite.close();
  });

  it('match the drizzle schema: generating again produces no new migration', () => {
    const out = tmp('portal-drizzle-out-');
    cpSync(defaultMigrationsFolder, out, { recursive: true });
    const before = readdirSync(out).sort();
    const run = spawnSync(process.execPath, [join(projectRoot, 'node_modules/drizzle-kit/bin.cjs'), 'generate'], {
      cwd: projectRoot,
      // drizzle-kit prefixes the out folder with './', so it must be relative.
      env: { ...process.env, DRIZZLE_OUT: relative(projectRoot, out) },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(`${run.stdout}${run.stderr}`).toMatch(/No schema changes/);
  }, 60_000);
});
