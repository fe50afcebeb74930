import type { RunResult } from 'better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../../db/schema/index.ts';

/**
 * The app's database or a transaction inside it. Functions that take this work in both, so the referral
 * service can call them inside its (synchronous) transaction and admin pages can call them directly.
 */
export type SqliteDb = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;
