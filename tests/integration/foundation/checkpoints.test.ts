import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { startCheckpointer, type Checkpointer } from '../../../db/checkpoints.ts';
import { buildTestApp } from '../../helpers/app.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  const path = join(dir, 'portal.db');
  const database = openDatabase(path);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => void (database.sqlite.open && database.sqlite.close()));
  database.sqlite.exec('CREATE TABLE rows (body TEXT NOT NULL)');
  return { ...database, path };
}

function started(checkpointer: Checkpointer): Checkpointer {
  cleanups.push(() => checkpointer.close());
  return checkpointer;
}

/** Commits `count` rows of 3 KB, one transaction each (each one at least a page of the log). */
function commitRows(sqlite: ReturnType<typeof openDatabase>['sqlite'], count: number) {
  const insert = sqlite.prepare('INSERT INTO rows (body) VALUES (?)');
  for (let i = 0; i < count; i++) insert.run(`${i}`.padEnd(3_000, 'x'));
}

const autocheckpoint = (sqlite: ReturnType<typeof openDatabase>['sqlite']) =>
  sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('checkpoints on a worker thread (db/checkpoints.ts)', () => {
  it('leaves the copying to the worker: past 1,000 pages the committing connection copies nothing', async () => {
    const { sqlite, path } = tempDatabase();
    // The worker's own timer would not fire during the test: only checkpointNow() runs one.
    const checkpointer = started(startCheckpointer(sqlite, { intervalMs: 3_600_000 }));
    await checkpointer.checkpointNow();
    const before = statSync(path).size;
    commitRows(sqlite, 1_500);
    // By SQLite's default the connection would have copied the log into the database at 1,000 pages.
    expect(statSync(path).size).toBe(before);

    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(false);
    expect(result.logPages).toBeGreaterThanOrEqual(1_500);
    expect(result.checkpointedPages).toBe(result.logPages);
    expect(statSync(path).size).toBeGreaterThan(before + 1_500 * 3_000);
    // Everything is still there, read through the main connection.
    expect(sqlite.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(1_500);
  });

  it('checkpoints on its own timer', async () => {
    const { sqlite, path } = tempDatabase();
    started(startCheckpointer(sqlite, { intervalMs: 20 }));
    const before = statSync(path).size;
    commitRows(sqlite, 200);
    for (let waited = 0; statSync(path).size === before && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(statSync(path).size).toBeGreaterThan(before + 200 * 3_000);
  });

  it("keeps SQLite's own checkpoint as a safety net, and gives it back its default when closed", async () => {
    const { sqlite } = tempDatabase();
    expect(autocheckpoint(sqlite)).toBe(1_000);
    const checkpointer = startCheckpointer(sqlite, { safetyNetPages: 5_000 });
    expect(autocheckpoint(sqlite)).toBe(5_000);
    await checkpointer.close();
    expect(autocheckpoint(sqlite)).toBe(1_000);
    await expect(checkpointer.checkpointNow()).rejects.toThrow(/stopped/);
  });

  it('reports a worker that cannot work, and the connection checkpoints itself again', async () => {
    const { sqlite, path } = tempDatabase();
    // The file is gone (the open connection still holds it): the worker cannot open the database.
    rmSync(path);
    const errors: Error[] = [];
    const checkpointer = started(startCheckpointer(sqlite, { onError: (error) => errors.push(error) }));
    await expect(checkpointer.checkpointNow()).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
    expect(autocheckpoint(sqlite)).toBe(1_000);
  });

  it('needs no worker for a database in memory', async () => {
    const { sqlite } = openDatabase(':memory:');
    const checkpointer = startCheckpointer(sqlite);
    await expect(checkpointer.checkpointNow()).resolves.toEqual({ busy: false, logPages: 0, checkpointedPages: 0 });
    expect(autocheckpoint(sqlite)).toBe(1_000);
    await checkpointer.close();
    sqlite.close();
  });

  it('runs with the app when asked (as outside tests) and stops with it', async () => {
    const t = await buildTestApp({ deps: { checkpointWorker: true } });
    cleanups.push(() => rmSync(t.dir, { recursive: true, force: true }));
    expect(autocheckpoint(t.database.sqlite)).toBe(10_000);
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    await t.app.close();
    expect(t.database.sqlite.open).toBe(false);
  });

  it('is off in tests unless asked for', async () => {
    const t = await buildTestApp();
    cleanups.push(() => t.cleanup());
    expect(autocheckpoint(t.database.sqlite)).toBe(1_000);
  });
});
