import { open, type FileHandle } from 'node:fs/promises';
import { connectionOf } from './statements.ts';

/**
 * Durable commits that do not stop the server while the disk flushes.
 *
 * The database runs with synchronous = FULL (db/client.ts): every commit writes its pages to the write-ahead log
 * and then waits for an fsync of that log, on the one thread that also answers every page. A write that can wait
 * for its answer (a referral: he is told "saved" only once it is on disk) can instead commit with synchronous =
 * NORMAL, which writes the same pages to the log without the fsync, and then wait for `flushed()`: an fdatasync of
 * the log on Node's thread pool, started after the commit. The commit is then on disk exactly as with FULL (the
 * log holds it, synced; SQLite syncs the log itself before any checkpoint copies it into the database, and syncs
 * its header when the log is reused), but the server answers other requests while the disk works, and commits
 * that arrive during one flush share the next.
 *
 * Everyone else keeps synchronous = FULL, except the batches of referral follow-ups, which nobody waits for
 * (server/referrals/follow-up.ts: a commit lost to a power cut leaves them due). Until the flush ends, a row committed this way can be read (by staff,
 * or a repeated form) although it is not yet on disk: what is told to him waits for `flushed()`, and any FULL
 * commit of another write syncs the same log, so nothing is sent on the strength of a row that a power cut
 * could still take away (the mail worker claims a message in a FULL commit before sending it).
 */
export interface DeferredDurability {
  /** Runs `commit` (a whole transaction) with synchronous = NORMAL, then back to FULL. */
  commitWithoutSync<T>(commit: () => T): T;
  /** Resolves once everything committed before the call is on disk; rejects if the flush failed. */
  flushed(): Promise<void>;
  /** Closes the log file it keeps open (when the database is closed). */
  close(): Promise<void>;
}

/** Makes every byte of `path` written so far durable (fdatasync, on the thread pool). */
export type SyncFile = ((path: string) => Promise<void>) & { close?: () => Promise<void> };

export const datasyncFile: SyncFile = async (path) => {
  const handle = await open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

/**
 * `datasyncFile` with the file kept open between flushes (opening and closing it cost as much as the flush). The
 * log file lives as long as the connection: SQLite removes it only when the last connection closes, and reuses
 * it (same file) after checkpoints. After a failed flush, or when asked for another file, the file is opened
 * afresh.
 */
export function datasyncKeepingOpen(): SyncFile {
  let handle: Promise<FileHandle> | undefined;
  let openPath: string | undefined;
  const drop = async () => {
    const dropped = handle;
    handle = undefined;
    await (await dropped?.catch(() => undefined))?.close().catch(() => undefined);
  };
  const sync: SyncFile = async (path) => {
    if (handle && openPath !== path) await drop();
    openPath = path;
    handle ??= open(path, 'r');
    try {
      await (await handle).datasync();
    } catch (error) {
      await drop();
      throw error;
    }
  };
  sync.close = drop;
  return sync;
}

/**
 * Deferred durability for `db`'s connection. A database with no write-ahead log file (in memory) needs no flush:
 * `flushed()` resolves at once.
 */
export function deferredDurability(db: object, syncFile: SyncFile = datasyncKeepingOpen()): DeferredDurability {
  const connection = connectionOf(db);
  const onDisk = !connection.memory && connection.name !== '';
  const walPath = `${connection.name}-wal`;

  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const flush: Promise<void> = syncFile(walPath).finally(() => {
      if (running === flush) running = undefined;
    });
    running = flush;
    return flush;
  };

  return {
    commitWithoutSync(commit) {
      if (!onDisk) return commit();
      // exec, not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs it.
      connection.exec('PRAGMA synchronous = NORMAL');
      try {
        return commit();
      } finally {
        connection.exec('PRAGMA synchronous = FULL');
      }
    },
    flushed() {
      if (!onDisk) return Promise.resolve();
      if (!running) return start();
      // A flush already under way may have started before our commit: wait for the next one, shared by everyone
      // who asks in the meantime.
      queued ??= running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return start();
        });
      return queued;
    },
    async close() {
      await running?.catch(() => undefined);
      await queued?.catch(() => undefined);
      await syncFile.close?.();
    },
  };
}
