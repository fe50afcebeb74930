import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as schema from './schema/index.ts';

export type PortalDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: PortalDb;
}

/**
 * Opens the one connection this process uses.
 * synchronous = FULL: with WAL, NORMAL can lose the last commits on power loss, and a referral
 * answered "saved" must survive that. The cost is one fsync per commit, which this traffic can afford. Referral
 * submissions, the one write that comes in floods, commit without it and wait for the same fsync off the event
 * loop (db/durability.ts).
 */
export function openDatabase(path: string): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // Readable by the service alone (SQLite gives its -wal and -shm files the database file's mode).
  if (path !== ':memory:') chmodSync(path, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Statement journals and savepoints (a referral's write, the trigger that keeps referral_evaluation in step)
  // and sorts stay in memory: spilled to temporary files they cost half of a referral's INSERT, and nothing of
  // his ever lands in a temporary file.
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle({ client: sqlite, schema }) as PortalDb;
  return { sqlite, db };
}

export { schema };
