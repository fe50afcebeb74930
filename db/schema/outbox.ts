import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Every email is written here in the same transaction as the change that causes it, and a worker
 * sends it later: a mail server that is down loses nothing. Recipients and bodies are encrypted
 * because an acknowledgement goes to a client's own address.
 */
export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** Makes an alert idempotent: the same escalation for the same referral is queued once. */
    dedupeKey: text('dedupe_key').unique(),
    recipientsEnc: text('recipients_enc').notNull(),
    subject: text('subject').notNull(),
    bodyEnc: text('body_enc').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** After this the worker stops retrying and shows the message to admins as failed. */
    giveUpAt: integer('give_up_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    /** Retention replaced the recipients and body with empty values (the metadata stays for delivery history). */
    bodyClearedAt: integer('body_cleared_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/** One row per send attempt, so admins can see what happened to a message. Errors hold no personal data. */
export const outboxAttempts = sqliteTable(
  'outbox_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id')
      .notNull()
      .references(() => outboxMessages.id, { onDelete: 'cascade' }),
    attemptedAt: integer('attempted_at', { mode: 'timestamp_ms' }).notNull(),
    outcome: text('outcome', { enum: ['sent', 'failed'] }).notNull(),
    error: text('error'),
  },
  (t) => [index('outbox_attempts_message_idx').on(t.messageId)],
);
