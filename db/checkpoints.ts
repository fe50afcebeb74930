import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints off the request path.
 *
 * In WAL mode every commit appends pages to the write-ahead log, and by default the connection that commits copies
 * the log back into the database (a checkpoint, with two fsyncs) whenever the log passes 1,000 pages. On the one
 * thread that answers every page, that copy is paid by whichever request commits at that moment: during a flood of
 * referrals it was about a third of the referral route's cost (measured with `npm run bench -- --only submit`).
 *
 * Here a worker thread with its own connection to the same file runs passive checkpoints every `intervalMs`: it
 * never takes the write lock and never makes the main connection wait (SQLite's WAL locks let one connection
 * checkpoint while another reads and writes), and its copying and fsyncs run on another core. Its connection
 * syncs as the main one does (synchronous = FULL: the log is synced before it is copied, the database after), so
 * nothing about durability changes (db/durability.ts).
 *
 * The main connection's own automatic checkpoint stays as a safety net at `safetyNetPages`: if the worker falls
 * behind, fails or stops, SQLite still bounds the log as before.
 */
export interface Checkpointer {
  /** Resolves after a checkpoint run on request has ended (tests). */
  checkpointNow(): Promise<CheckpointResult>;
  /** Stops the worker and closes its connection; the main connection's own checkpoints go back to the default. */
  close(): Promise<void>;
}

/** What SQLite reports for one passive checkpoint: pages in the log and pages copied into the database so far. */
export interface CheckpointResult {
  busy: boolean;
  logPages: number;
  checkpointedPages: number;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  safetyNetPages?: number;
  /** A checkpoint that failed or a worker that stopped (no personal data: SQLite's error message only). */
  onError?: (error: Error) => void;
}

/** SQLite's default wal_autocheckpoint. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

// The worker is a short script evaluated from this string, so the same code runs from the TypeScript sources
// (tsx) and from the compiled bundle (dist/app) without a separate entry point to find on disk.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = FULL');
const checkpoint = () => {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)');
  return { busy: row.busy === 1, logPages: row.log, checkpointedPages: row.checkpointed };
};
const run = (id) => {
  try {
    const result = checkpoint();
    if (id !== undefined) parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'checkpoint') run(message.id);
  if (message.type === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

const noCheckpointer: Checkpointer = {
  checkpointNow: () => Promise.resolve({ busy: false, logPages: 0, checkpointedPages: 0 }),
  close: () => Promise.resolve(),
};

/** Starts checkpointing `sqlite`'s database from a worker thread; a database in memory needs none. */
export function startCheckpointer(sqlite: Database.Database, options: CheckpointerOptions = {}): Checkpointer {
  if (sqlite.memory || sqlite.name === '' || !sqlite.open) return noCheckpointer;
  const intervalMs = options.intervalMs ?? 100;
  const onError = options.onError ?? (() => undefined);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Plain JavaScript: none of the parent's loaders (tsx) or flags (--cpu-prof) are needed.
    execArgv: [],
    workerData: { path: sqlite.name, driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs },
  });
  // Never keeps the process alive on its own.
  worker.unref();
  sqlite.pragma(`wal_autocheckpoint = ${options.safetyNetPages ?? 10_000}`);

  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  let stopped: Error | undefined;
  const stop = (error: Error) => {
    // Without the worker, the main connection checkpoints as SQLite does by default.
    if (!stopped && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    stopped ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('message', (message: { id?: number; result?: CheckpointResult; error?: string }) => {
    const error = message.error === undefined ? undefined : new Error(`Checkpoint failed: ${message.error}`);
    if (error) onError(error);
    if (message.id === undefined) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (error) pending?.reject(error);
    else pending?.resolve(message.result!);
  });
  worker.on('error', (error) => {
    onError(error);
    stop(error);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => stop(new Error('The checkpoint worker has stopped.')));

  return {
    checkpointNow() {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise<CheckpointResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'checkpoint', id });
      });
    },
    async close() {
      // Held until it has closed its connection (an unreferenced worker would let the process end first).
      worker.ref();
      if (!stopped) worker.postMessage({ type: 'close' });
      await exited;
    },
  };
}
