import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { outboxAttempts, outboxMessages } from '../../db/schema/outbox.ts';
import type { Clock } from '../clock.ts';
import { decryptField, decryptJson, type Keyring } from '../security/field-encryption.ts';
import { bodyAad, recipientsAad } from './outbox.ts';
import type { Mailer } from './transport.ts';
import { createGiveWay, GIVE_WAY_POLL_MS } from '../http/turns.ts';

/** First retry after 30 seconds, doubling each time. */
export const FIRST_RETRY_DELAY_MS = 30_000;
/** Retries never wait more than an hour apart, so a mail server that comes back is used within the hour. */
export const MAX_RETRY_DELAY_MS = 60 * 60_000;
/**
 * While a message is being sent its next attempt is pushed this far ahead, so another worker on the same
 * database (an old process still shutting down) does not pick it up too. Longer than the SMTP timeouts
 * added up. After a crash mid-send, the message is retried once this has passed.
 */
export const CLAIM_MS = 2 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** After a notify, how long the worker waits for more messages before claiming: short beside any alert's promise. */
export const NOTIFY_GATHER_MS = 50;
const BATCH_SIZE = 20;
const MAX_ERROR_LENGTH = 300;

export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxWorkerOptions {
  db: PortalDb;
  keyring: Keyring;
  mailer: Mailer;
  clock: Clock;
  /** The From header of every message. */
  from: string;
  /** The right-hand side of each Message-ID, normally the host of PUBLIC_BASE_URL. */
  messageIdHost: string;
  log?: WorkerLog;
  pollIntervalMs?: number;
  /**
   * True while heavy foreground work is arriving (a burst of referrals): the worker then waits, up to
   * `MAX_YIELD_MS`, so sending never competes with taking referrals; nothing is lost, mail is a second late.
   */
  busy?: () => boolean;
}

/** While the foreground is busy the worker still sends a batch at least this often. */
export const MAX_YIELD_MS = 1_000;

export interface OutboxRunSummary {
  sent: number;
  /** Failed this time and will be tried again. */
  retrying: number;
  /** Failed for good (retry window over, or the message cannot be read): shown to admins. */
  failed: number;
}

export interface OutboxWorker {
  /** Starts polling. Called when the app is ready. */
  start(): void;
  /** Stops polling and waits for a send in progress to finish and be recorded. */
  stop(): Promise<void>;
  /** Something was queued: look now instead of at the next poll. */
  notify(): void;
  /** Sends everything due at `now` (default: the clock). Runs are never concurrent. */
  runOnce(now?: Date): Promise<OutboxRunSummary>;
}

/** The delay before the next attempt after `failedAttempts` failures (1 → 30 s, 2 → 60 s, ... at most an hour). */
export function retryDelayMs(failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(exponent, 20));
}

export function messageIdFor(outboxId: string, host: string): string {
  return `<${outboxId}@${host}>`;
}

const EMAIL_ADDRESS = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g;

/**
 * What an admin sees about a failed attempt. Mail servers echo recipient addresses in their errors, and an
 * acknowledgement goes to a client's own address, so addresses are removed before anything is stored or logged.
 */
export function describeSendError(error: unknown): string {
  const err = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts: string[] = [];
  if (typeof err?.code === 'string') parts.push(err.code);
  if (typeof err?.responseCode === 'number') parts.push(String(err.responseCode));
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const text = `${parts.length > 0 ? `${parts.join(' ')}: ` : ''}${message}`.replace(EMAIL_ADDRESS, '[address]');
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Sending takes time: the record says when it finished, never earlier than the run's own `now`. */
function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

const silentLog: WorkerLog = { info() {}, warn() {}, error() {} };

/**
 * Sends queued email, one message at a time, oldest due first, claiming each batch in one transaction.
 *
 * Delivery is at least once, made harmless: the message is marked sent in the same moment the SMTP server
 * accepts it, and every attempt carries the same Message-ID and Date. The only way to send twice is a crash
 * between the server's "250 OK" and that mark; the repeat then has the same Message-ID, which mail programs
 * use to hide duplicates.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, keyring, mailer, clock } = options;
  const log = options.log ?? silentLog;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;

  let running = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let loopRun: Promise<unknown> | null = null;
  let notified = false;
  let gathering = false;

  type OutboxRow = typeof outboxMessages.$inferSelect;

  /**
   * Takes every due message (up to a batch) for this worker in one transaction: each one's next attempt is pushed
   * CLAIM_MS ahead, so another worker on the same database skips them. One fsync for the whole batch.
   */
  function claimDue(now: Date): OutboxRow[] {
    return db.transaction(
      (tx) => {
        const rows = tx
          .select()
          .from(outboxMessages)
          .where(and(eq(outboxMessages.status, 'pending'), lte(outboxMessages.nextAttemptAt, now)))
          // rowid last: messages queued in one transaction go in the order they were queued.
          .orderBy(asc(outboxMessages.nextAttemptAt), asc(outboxMessages.createdAt), sql`rowid`)
          .limit(BATCH_SIZE)
          .all();
        if (rows.length === 0) return rows;
        tx.update(outboxMessages)
          .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
          .where(
            inArray(
              outboxMessages.id,
              rows.map((row) => row.id),
            ),
          )
          .run();
        return rows;
      },
      { behavior: 'immediate' },
    );
  }

  /** Claimed messages this run did not get to (the worker is stopping): due again at once for the next start. */
  function release(rows: OutboxRow[], now: Date): void {
    if (rows.length === 0) return;
    db.update(outboxMessages)
      .set({ nextAttemptAt: now })
      .where(
        and(
          eq(outboxMessages.status, 'pending'),
          inArray(
            outboxMessages.id,
            rows.map((row) => row.id),
          ),
        ),
      )
      .run();
  }

  function recordSent(id: string, at: Date, rejectedCount: number): void {
    const note = rejectedCount > 0 ? `sent, but the server refused ${rejectedCount} recipient(s)` : null;
    db.transaction((tx) => {
      tx.update(outboxMessages)
        .set({ status: 'sent', sentAt: at, attempts: sql`${outboxMessages.attempts} + 1`, lastError: note })
        .where(eq(outboxMessages.id, id))
        .run();
      tx.insert(outboxAttempts).values({ messageId: id, attemptedAt: at, outcome: 'sent', error: note }).run();
    });
  }

  interface FailedAttempt {
    id: string;
    at: Date;
    attemptsBefore: number;
    giveUpAt: Date;
    error: string;
    permanent?: boolean;
  }

  /** True when the message will be retried, false when it has now failed for good. */
  function willRetry(failure: FailedAttempt): boolean {
    return !failure.permanent && failure.at.getTime() < failure.giveUpAt.getTime();
  }

  /**
   * Records a run's failed attempts together, in one transaction. Safe to delay: a failure not yet recorded
   * (a crash) leaves the message claimed and pending, so it is simply tried again once the claim runs out.
   */
  function recordFailures(failures: FailedAttempt[]): void {
    if (failures.length === 0) return;
    db.transaction((tx) => {
      for (const failure of failures) {
        const attempts = failure.attemptsBefore + 1;
        const giveUp = !willRetry(failure);
        // The last try happens at the give-up time itself, so the 24 hours are used in full.
        const next = new Date(Math.min(failure.at.getTime() + retryDelayMs(attempts), failure.giveUpAt.getTime()));
        tx.update(outboxMessages)
          .set({
            status: giveUp ? 'failed' : 'pending',
            attempts,
            lastError: failure.error,
            nextAttemptAt: giveUp ? failure.at : next,
          })
          .where(eq(outboxMessages.id, failure.id))
          .run();
        tx.insert(outboxAttempts)
          .values({ messageId: failure.id, attemptedAt: failure.at, outcome: 'failed', error: failure.error })
          .run();
      }
    });
  }

  /**
   * One run: claim the batch (one transaction), send each message, and mark each sent as soon as the server has
   * accepted it (one small transaction each: that is what keeps a crash from repeating more than the one message
   * in flight). Failures are recorded together at the end (one transaction).
   */
  async function sendDue(now: Date): Promise<OutboxRunSummary & { more: boolean }> {
    const summary = { sent: 0, retrying: 0, failed: 0, more: false };
    const rows = claimDue(now);
    const failures: FailedAttempt[] = [];
    try {
      for (const [index, row] of rows.entries()) {
        if (stopping) {
          release(rows.slice(index), now);
          break;
        }
        let to: string[];
        let text: string;
        try {
          to = decryptJson(keyring, row.recipientsEnc, recipientsAad(row.id)) as string[];
          text = decryptField(keyring, row.bodyEnc, bodyAad(row.id));
        } catch (error) {
          // Retrying cannot help until the missing key is back in DATA_KEY; an admin can retry it then.
          failures.push({
            id: row.id,
            at: now,
            attemptsBefore: row.attempts,
            giveUpAt: row.giveUpAt,
            error: `cannot read the message: ${describeSendError(error)}`,
            permanent: true,
          });
          summary.failed++;
          log.error({ outboxId: row.id, kind: row.kind }, 'outbox message cannot be decrypted');
          continue;
        }
        try {
          const result = await mailer.send({
            outboxId: row.id,
            messageId: messageIdFor(row.id, options.messageIdHost),
            from: options.from,
            to,
            subject: row.subject,
            text,
            date: row.createdAt,
          });
          recordSent(row.id, later(now, clock.now()), result.rejectedCount);
          summary.sent++;
          log.info({ outboxId: row.id, kind: row.kind, attempt: row.attempts + 1 }, 'email sent');
        } catch (error) {
          const failure: FailedAttempt = {
            id: row.id,
            at: now,
            attemptsBefore: row.attempts,
            giveUpAt: row.giveUpAt,
            error: describeSendError(error),
          };
          failures.push(failure);
          const retrying = willRetry(failure);
          if (retrying) summary.retrying++;
          else summary.failed++;
          const entry = { outboxId: row.id, kind: row.kind, attempt: row.attempts + 1, error: failure.error };
          if (retrying) log.warn(entry, 'email not sent; will retry');
          else log.error(entry, 'email failed for good; shown to admins');
        }
      }
    } finally {
      recordFailures(failures);
    }
    summary.more = rows.length === BATCH_SIZE && !stopping;
    return summary;
  }

  function runOnce(now?: Date): Promise<OutboxRunSummary> {
    const run = chain.then(() => sendDue(now ?? clock.now()));
    chain = run.catch(() => undefined);
    return run.then(({ more: _more, ...summary }) => summary);
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(loop, delayMs);
  }

  // Give way while referrals are arriving, but never for longer than MAX_YIELD_MS.
  const giveWay = createGiveWay(() => options.busy?.() ?? false, MAX_YIELD_MS);
  function loop(): void {
    timer = null;
    if (giveWay.mustWait()) {
      timer = setTimeout(loop, GIVE_WAY_POLL_MS);
      return;
    }
    gathering = false;
    notified = false;
    const run = chain.then(() => sendDue(clock.now()));
    chain = run.catch(() => undefined);
    loopRun = run.then(
      (summary) => schedule(summary.more || notified ? 0 : pollIntervalMs),
      (error: unknown) => {
        // A database error must not end the loop: log it and try again at the next poll.
        log.error({ error: describeSendError(error) }, 'outbox worker run failed');
        schedule(pollIntervalMs);
      },
    );
    void loopRun.finally(() => {
      loopRun = null;
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      schedule(0);
    },
    async stop() {
      running = false;
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
      if (loopRun) await loopRun;
      mailer.close();
    },
    notify() {
      if (!running) return;
      if (loopRun) notified = true;
      // A moment's wait gathers the messages of a burst of referrals into one claim (one transaction).
      else if (!gathering) {
        gathering = true;
        schedule(NOTIFY_GATHER_MS);
      }
    },
    runOnce,
  };
}
