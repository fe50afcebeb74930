import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { datasyncFile, datasyncKeepingOpen, deferredDurability, type SyncFile } from '../../../db/durability.ts';
import { createFormTokens } from '../../../server/referrals/form-token.ts';
import { createReferralService, ReferralStorageError } from '../../../server/referrals/service.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'durability-'));
  const database = openDatabase(join(dir, 'portal.db'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => void database.sqlite.close());
  return database;
}

/** A flush the test lets finish (or fail) when it chooses, recording which file each one was asked to sync. */
function heldSyncs() {
  const calls: { path: string; finish: () => void; fail: (error: Error) => void }[] = [];
  const syncFile: SyncFile = (path) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ path, finish: resolve, fail: reject });
    });
  return { calls, syncFile };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('deferred durability (db/durability.ts)', () => {
  it('commits with synchronous = NORMAL and puts FULL back, even when the commit throws', () => {
    const { sqlite, db } = tempDatabase();
    const durability = deferredDurability(db);
    const level = () => sqlite.pragma('synchronous', { simple: true });
    expect(level()).toBe(2);
    expect(durability.commitWithoutSync(level)).toBe(1);
    expect(level()).toBe(2);
    expect(() =>
      durability.commitWithoutSync(() => {
        throw new Error('the write failed');
      }),
    ).toThrow('the write failed');
    expect(level()).toBe(2);
  });

  it("flushes the database's write-ahead log; a call during a flush waits for the next one, which callers share", async () => {
    const { sqlite, db } = tempDatabase();
    const { calls, syncFile } = heldSyncs();
    const durability = deferredDurability(db, syncFile);
    const done: string[] = [];
    const first = durability.flushed().then(() => done.push('first'));
    await tick();
    expect(calls.map((call) => call.path)).toEqual([`${sqlite.name}-wal`]);
    // Committed while the first flush runs: that flush may not cover it.
    const second = durability.flushed().then(() => done.push('second'));
    const third = durability.flushed().then(() => done.push('third'));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await first;
    await tick();
    expect(done).toEqual(['first']);
    expect(calls).toHaveLength(2); // one more flush, started after the first ended, for both
    calls[1]!.finish();
    await Promise.all([second, third]);
    expect(done).toEqual(['first', 'second', 'third']);
    // Nothing running: the next call starts its own flush at once.
    const fourth = durability.flushed();
    expect(calls).toHaveLength(3);
    calls[2]!.finish();
    await fourth;
  });

  it('a failed flush fails its callers only; the next flush is tried afresh', async () => {
    const { db } = tempDatabase();
    const { calls, syncFile } = heldSyncs();
    const durability = deferredDurability(db, syncFile);
    const failing = durability.flushed();
    const waiting = durability.flushed();
    calls[0]!.fail(new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
    await tick();
    calls[1]!.finish();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('really syncs the log file of a real database, and needs no flush in memory', async () => {
    const { sqlite, db } = tempDatabase();
    sqlite.exec('CREATE TABLE t (x)');
    const durability = deferredDurability(db);
    cleanups.push(() => durability.close());
    durability.commitWithoutSync(() => sqlite.exec("INSERT INTO t VALUES ('a')"));
    await expect(durability.flushed()).resolves.toBeUndefined();
    await expect(datasyncFile(join(tmpdir(), 'no-such-file-here'))).rejects.toThrow(/ENOENT/);

    const memory = openDatabase(':memory:');
    cleanups.push(() => void memory.sqlite.close());
    const { calls, syncFile } = heldSyncs();
    await expect(deferredDurability(memory.db, syncFile).flushed()).resolves.toBeUndefined();
    expect(calls).toHaveLength(0);
  });
});

/** How many of this process's open files are `path` (Linux: /proc/self/fd). */
function openCopies(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe.runIf(process.platform === 'linux')('the log file kept open between flushes', () => {
  it('opens it once for many flushes, lets go of it on close, and opens it afresh after a failed flush', async () => {
    const { sqlite, db } = tempDatabase();
    sqlite.exec('CREATE TABLE t (x)');
    const wal = `${sqlite.name}-wal`;
    const sync = datasyncKeepingOpen();
    const durability = deferredDurability(db, sync);
    sqlite.prepare('INSERT INTO t VALUES (?)').run('first');
    const sqlitesOwn = openCopies(wal); // SQLite keeps the log open too
    for (const value of ['a', 'b', 'c']) {
      durability.commitWithoutSync(() => sqlite.prepare('INSERT INTO t VALUES (?)').run(value));
      await durability.flushed();
    }
    expect(openCopies(wal)).toBe(sqlitesOwn + 1);
    await durability.close();
    expect(openCopies(wal)).toBe(sqlitesOwn);

    // A file that cannot be flushed (here: gone) fails that flush and is not kept.
    const missing = join(tmpdir(), `no-such-log-${process.pid}`);
    await expect(sync(missing)).rejects.toThrow(/ENOENT/);
    await sync(wal);
    expect(openCopies(wal)).toBe(sqlitesOwn + 1);
    await sync.close!();
    expect(openCopies(wal)).toBe(sqlitesOwn);
  });
});

describe.runIf(process.platform === 'linux')('the kept-open flush asked for another file', () => {
  it('lets go of the first file and opens the one asked for', async () => {
    const { sqlite } = tempDatabase();
    sqlite.exec('CREATE TABLE t (x)');
    const wal = `${sqlite.name}-wal`;
    const before = { wal: openCopies(wal), db: openCopies(sqlite.name) };
    const sync = datasyncKeepingOpen();
    await sync(wal);
    await sync(sqlite.name);
    expect(openCopies(wal)).toBe(before.wal);
    expect(openCopies(sqlite.name)).toBe(before.db + 1);
    await sync.close!();
    expect(openCopies(sqlite.name)).toBe(before.db);
  });
});

describe('referrals are answered only once their commit is on disk', () => {
  let t: TestApp;

  async function service() {
    t = await buildTestApp();
    cleanups.push(() => t.cleanup());
    const { calls, syncFile } = heldSyncs();
    const referrals = createReferralService({
      db: t.app.services.db,
      keyring: t.app.services.keyring,
      formTokens: createFormTokens(t.config.sessionSecret),
      syncFile,
      now: () => t.app.services.clock.now(),
    });
    const shownAt = new Date(t.app.services.clock.now().getTime() - 60_000);
    const send = (formToken: string) =>
      referrals.submit({ answers: validAnswers(), formToken, honeypot: '' }, t.app.services.clock.now());
    const storedRows = () => {
      const reader = new Database(t.config.databasePath, { readonly: true });
      try {
        return reader.prepare('SELECT COUNT(*) FROM referrals').pluck().get();
      } finally {
        reader.close();
      }
    };
    return { calls, send, token: () => referrals.issueFormToken(shownAt), storedRows };
  }

  it('his referral is committed at once but he is answered only when the flush ends', async () => {
    const { calls, send, token, storedRows } = await service();
    let answered = false;
    const submission = send(token()).then((outcome) => {
      answered = true;
      return outcome;
    });
    while (calls.length === 0) await tick();
    // Committed (another connection sees it) but not yet flushed: no answer yet.
    expect(storedRows()).toBe(1);
    await tick();
    expect(answered).toBe(false);
    calls[0]!.finish();
    await expect(submission).resolves.toMatchObject({ kind: 'created' });
  });

  it('a failed flush answers "not saved"; sent again, the same form gets its receipt once a flush succeeds', async () => {
    const { calls, send, token } = await service();
    const formToken = token();
    const first = send(formToken);
    while (calls.length === 0) await tick();
    calls[0]!.fail(new Error('EIO: the disk failed'));
    await expect(first).rejects.toBeInstanceOf(ReferralStorageError);

    // Sending the same form again finds the row; its receipt too waits for a flush.
    let answered = false;
    const again = send(formToken).then((outcome) => {
      answered = true;
      return outcome;
    });
    while (calls.length === 1) await tick();
    await tick();
    expect(answered).toBe(false);
    calls[1]!.finish();
    await expect(again).resolves.toMatchObject({ kind: 'duplicate' });
  });
});
