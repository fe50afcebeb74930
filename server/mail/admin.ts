import { and, asc, count, desc, eq, lte, max, min } from 'drizzle-orm';
import { outboxAttempts, outboxMessages } from '../../db/schema/outbox.ts';
import type { SqliteDb } from '../offices/db.ts';
import { RETRY_WINDOW_MS } from './outbox.ts';

/**
 * What admins see about mail that could not be sent. Recipients and bodies stay encrypted: an
 * acknowledgement goes to a client's own address, and the subject and kind are enough to act on.
 */
export interface FailedMail {
  id: string;
  kind: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
}

export interface MailAttempt {
  attemptedAt: Date;
  outcome: 'sent' | 'failed';
  error: string | null;
}

/** Every message that failed for good, newest first. */
export function listFailedMail(db: SqliteDb): FailedMail[] {
  const lastAttempts = db
    .select({
      messageId: outboxAttempts.messageId,
      lastAttemptAt: max(outboxAttempts.attemptedAt).as('last_attempt_at'),
    })
    .from(outboxAttempts)
    .groupBy(outboxAttempts.messageId)
    .as('last_attempts');
  return db
    .select({
      id: outboxMessages.id,
      kind: outboxMessages.kind,
      subject: outboxMessages.subject,
      attempts: outboxMessages.attempts,
      lastError: outboxMessages.lastError,
      createdAt: outboxMessages.createdAt,
      lastAttemptAt: lastAttempts.lastAttemptAt,
    })
    .from(outboxMessages)
    .leftJoin(lastAttempts, eq(lastAttempts.messageId, outboxMessages.id))
    .where(eq(outboxMessages.status, 'failed'))
    .orderBy(desc(outboxMessages.createdAt))
    .all();
}

/** Each attempt to send one message, oldest first. */
export function listMailAttempts(db: SqliteDb, id: string): MailAttempt[] {
  return db
    .select({ attemptedAt: outboxAttempts.attemptedAt, outcome: outboxAttempts.outcome, error: outboxAttempts.error })
    .from(outboxAttempts)
    .where(eq(outboxAttempts.messageId, id))
    .orderBy(asc(outboxAttempts.attemptedAt), asc(outboxAttempts.id))
    .all();
}

/**
 * Puts a failed message back in the queue for another 24 hours of retries, keeping its id (so its
 * Message-ID) and its attempt history. Returns false when there is no failed message with that id.
 * Call the outbox signal's notify() afterwards to send it at once (`services.mail.retryFailed` does both).
 */
export function retryFailedMail(db: SqliteDb, id: string, now: Date): boolean {
  const result = db
    .update(outboxMessages)
    .set({ status: 'pending', nextAttemptAt: now, giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS) })
    .where(and(eq(outboxMessages.id, id), eq(outboxMessages.status, 'failed')))
    .run();
  return result.changes === 1;
}

export interface OutboxHealth {
  pending: number;
  failed: number;
  /** When the oldest message still waiting was queued, or null. */
  oldestPendingSince: Date | null;
  /** Pending messages already due and not sent for more than `staleAfterMs`. */
  overdue: number;
}

/** A quick picture for the admin dashboard: is mail flowing? */
export function outboxHealth(db: SqliteDb, now: Date, staleAfterMs = 15 * 60_000): OutboxHealth {
  const pending = db
    .select({ n: count(), oldest: min(outboxMessages.createdAt) })
    .from(outboxMessages)
    .where(eq(outboxMessages.status, 'pending'))
    .get();
  const failed = db.select({ n: count() }).from(outboxMessages).where(eq(outboxMessages.status, 'failed')).get();
  const overdue = db
    .select({ n: count() })
    .from(outboxMessages)
    .where(
      and(eq(outboxMessages.status, 'pending'), lte(outboxMessages.createdAt, new Date(now.getTime() - staleAfterMs))),
    )
    .get();
  return {
    pending: pending?.n ?? 0,
    failed: failed?.n ?? 0,
    oldestPendingSince: pending?.oldest ?? null,
    overdue: overdue?.n ?? 0,
  };
}
