import { randomUUID } from 'node:crypto';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { outboxMessages } from '../../db/schema/outbox.ts';
import { encryptJson, encryptField, type Keyring } from '../security/field-encryption.ts';

/** How long the worker keeps retrying a message before it is shown to admins as failed. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type OutboxKind =
  | 'referral_alert'
  | 'referral_acknowledgement'
  | 'escalation'
  | 'daily_digest'
  | 'capacity_short'
  | 'staff_enrolment'
  | 'feedback_invitation'
  // To the referral's assignee (server/casework/notify.ts).
  | 'assignee_assigned'
  | 'assignee_priority_raised'
  | 'assignee_escalated'
  | 'assignee_decision'
  // Reminders (server/casework/reminders.ts): to the assignee when a safe window opens; to him before an appointment.
  | 'assignee_window_open'
  | 'appointment_reminder';

export interface OutgoingEmail {
  kind: OutboxKind;
  to: string[];
  subject: string;
  text: string;
  /** Set for alerts that must be sent at most once (e.g. `escalation:<referralId>:half`). */
  dedupeKey?: string;
}

// Any drizzle SQLite handle: the app's database or a transaction inside it.
type Writer = Pick<BetterSQLite3Database<Record<string, unknown>>, 'insert'>;

export const recipientsAad = (id: string) => `outbox:${id}:recipients`;
export const bodyAad = (id: string) => `outbox:${id}:body`;

/**
 * Queues an email inside the caller's transaction. Synchronous on purpose: better-sqlite3 transactions
 * cannot await, and the message must commit or roll back with the change that caused it.
 * Returns the message id, or null when a message with the same dedupe key already exists.
 */
export function enqueueEmail(writer: Writer, keyring: Keyring, email: OutgoingEmail, now: Date): string | null {
  if (email.to.length === 0) return null;
  const id = randomUUID();
  const result = writer
    .insert(outboxMessages)
    .values({
      id,
      kind: email.kind,
      dedupeKey: email.dedupeKey ?? null,
      recipientsEnc: encryptJson(keyring, email.to, recipientsAad(id)),
      subject: email.subject,
      bodyEnc: encryptField(keyring, email.text, bodyAad(id)),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS),
      createdAt: now,
    })
    .onConflictDoNothing({ target: outboxMessages.dedupeKey })
    .run();
  return result.changes === 1 ? id : null;
}
