import type Database from 'better-sqlite3';

/**
 * Prepared statements for the few queries that run on every referral (server/referrals, server/offices): SQLite
 * compiles each once per connection instead of once per call. Everything else goes through drizzle as usual.
 */

/** The better-sqlite3 connection under a drizzle database or transaction (a transaction shares its database's). */
export function connectionOf(db: object): Database.Database {
  const client =
    (db as { $client?: unknown; session?: { client?: unknown } }).$client ??
    (db as { session?: { client?: unknown } }).session?.client;
  if (!client || typeof (client as Database.Database).prepare !== 'function') {
    throw new TypeError('Expected a drizzle database or transaction over better-sqlite3.');
  }
  return client as Database.Database;
}

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `sql` prepared once per connection (the same text always gives the same statement). */
export function statement(db: object, sql: string): Database.Statement {
  const connection = connectionOf(db);
  let statements = cache.get(connection);
  if (!statements) cache.set(connection, (statements = new Map()));
  let prepared = statements.get(sql);
  if (!prepared) statements.set(sql, (prepared = connection.prepare(sql)));
  return prepared;
}
