import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { createTurnQueue } from '../../../server/http/turns.ts';
import {
  createGroupCommit,
  ReferralStorageError,
  type ReferralWrite,
  type SubmissionOutcome,
} from '../../../server/referrals/service.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const database = openDatabase(join(dir, 'portal.db'));
  cleanups.push(() => database.sqlite.close());
  database.sqlite.exec('CREATE TABLE items (name TEXT PRIMARY KEY)');
  const names = () =>
    (database.sqlite.prepare('SELECT name FROM items ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  return { database, names };
}

const created = (name: string): SubmissionOutcome => ({
  kind: 'created',
  receipt: {
    referralId: name,
    reference: name,
    contactBy: new Date(0),
    priority: 'within_7_days',
    showsRisk: false,
    acknowledgementQueued: false,
    safeTimesOutsideOfficeHours: false,
    emailSafe: false,
  },
});

it('writes referrals that arrive together in one transaction, each settled only after the commit', async () => {
  const { database, names } = setup();
  const turn = createTurnQueue();
  const commit = createGroupCommit(database.db, turn);
  let transactions = 0;
  const original = database.db.transaction.bind(database.db);
  database.db.transaction = ((fn: never, config: never) => {
    transactions++;
    return original(fn, config);
  }) as typeof database.db.transaction;

  const write =
    (name: string): ReferralWrite =>
    (tx) => {
      tx.run(sql`INSERT INTO items (name) VALUES (${name})`);
      // Not yet visible to another connection: the group has not committed.
      return created(name);
    };
  const settledBeforeCommit: string[] = [];
  const results = ['a', 'b', 'c'].map((name) =>
    commit(write(name)).then((outcome) => {
      settledBeforeCommit.push(name);
      return outcome;
    }),
  );
  expect(settledBeforeCommit).toEqual([]);
  const outcomes = await Promise.all(results);
  expect(outcomes.map((o) => (o.kind === 'created' ? o.receipt.reference : ''))).toEqual(['a', 'b', 'c']);
  expect(names()).toEqual(['a', 'b', 'c']);
  // One transaction; each write runs in a savepoint of it (better-sqlite3's, not another drizzle transaction).
  expect(transactions).toBe(1);
  expect(database.sqlite.inTransaction).toBe(false);
});

it("rolls back only the failing referral's savepoint; the others in the group are stored", async () => {
  const { database, names } = setup();
  const commit = createGroupCommit(database.db, createTurnQueue());
  const write =
    (name: string, fail = false): ReferralWrite =>
    (tx) => {
      tx.run(sql`INSERT INTO items (name) VALUES (${name})`);
      if (fail) throw new Error('this one fails');
      return created(name);
    };
  const results = await Promise.allSettled([commit(write('a')), commit(write('b', true)), commit(write('c'))]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ReferralStorageError);
  expect(names()).toEqual(['a', 'c']);
});

it('fails every referral of a group whose commit fails, and stores none of them', async () => {
  const { database, names } = setup();
  const commit = createGroupCommit(database.db, createTurnQueue());
  // Another connection holds the write lock past the busy timeout, so the group's transaction cannot start.
  const other = new (database.sqlite.constructor as new (path: string) => typeof database.sqlite)(database.sqlite.name);
  cleanups.push(() => other.close());
  database.sqlite.pragma('busy_timeout = 50');
  other.exec('BEGIN IMMEDIATE');
  const write =
    (name: string): ReferralWrite =>
    (tx) => {
      tx.run(sql`INSERT INTO items (name) VALUES (${name})`);
      return created(name);
    };
  const results = await Promise.allSettled([commit(write('a')), commit(write('b'))]);
  other.exec('ROLLBACK');
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(names()).toEqual([]);
  // The next group works again.
  await expect(commit(write('c'))).resolves.toMatchObject({ kind: 'created' });
  expect(names()).toEqual(['c']);
});
