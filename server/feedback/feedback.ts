import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { feedbackInvitations, feedbackResponses } from '../../db/schema/feedback.ts';
import { decryptField, encryptField, type Keyring } from '../security/field-encryption.ts';
import { randomCharacters, sha256Hex } from '../security/tokens.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { londonDate } from '../scheduling/calendar.ts';
import { isoWeekOf, weekStartOf } from '../evaluation/period.ts';
import {
  FEEDBACK_AFTER_SESSIONS,
  FEEDBACK_CODE_DAYS,
  FEEDBACK_COMMENT_FIELD,
  FEEDBACK_COMMENT_LIMIT,
  FEEDBACK_QUESTIONS,
  type FeedbackQuestionId,
} from './questions.ts';

/** The AAD that binds an encrypted comment to its row (also used by key rotation). */
export const feedbackCommentAad = (id: string): string => `feedback:${id}:comment`;

/**
 * Anonymous feedback. A one-time code (in a link or on a card) lets one set of answers in; the code's row holds
 * only its hash, the office and an expiry, and is deleted when used. Answers are stored with the office and the
 * ISO week only, so nothing in the database ties them to a referral, a member of staff or a time of day.
 */

// No 0/O, 1/I/L: read from a card and typed.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_PATTERN = /^[A-Z2-9]{5}-?[A-Z2-9]{5}$/;

export function newFeedbackCode(): string {
  const raw = randomCharacters(10, CODE_ALPHABET);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** Upper case, spaces and dashes tolerated; null when it cannot be a code. */
export function normaliseFeedbackCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (!CODE_PATTERN.test(compact)) return null;
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

const codeHash = (code: string) => sha256Hex(`feedback:${code}`);

/** Staff may offer the form when the referral is closed or after this many appointments. */
export function mayOfferFeedback(status: string, appointments: number): boolean {
  return status === 'closed' || appointments >= FEEDBACK_AFTER_SESSIONS;
}

/** A new one-time code for an office. Nothing about the referral it was offered on is stored with it. */
export function createFeedbackInvitation(db: Pick<PortalDb, 'insert'>, officeId: string, now: Date): string {
  const code = newFeedbackCode();
  db.insert(feedbackInvitations)
    .values({
      codeHash: codeHash(code),
      officeId,
      expiresAt: new Date(now.getTime() + FEEDBACK_CODE_DAYS * 86_400_000),
    })
    .run();
  return code;
}

export function feedbackLink(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/feedback?code=${encodeURIComponent(code)}`;
}

/** Queues the link by email (only call this when he said email is safe). The email names no service. */
export function emailFeedbackInvitation(
  db: PortalDb,
  keyring: Keyring,
  input: { officeId: string; to: string; publicBaseUrl: string },
  now: Date,
): void {
  db.transaction((tx) => {
    const code = createFeedbackInvitation(tx, input.officeId, now);
    enqueueEmail(
      tx,
      keyring,
      {
        kind: 'feedback_invitation',
        to: [input.to],
        subject: 'A few questions, if you would like to answer them',
        text: [
          'Hello,',
          '',
          'Thank you for working with us. If you would like to, you can tell us what it was like.',
          'It takes about 3 minutes, you can skip any question, and we cannot tell who answered.',
          '',
          feedbackLink(input.publicBaseUrl, code),
          '',
          `If the link does not open, go to ${input.publicBaseUrl.replace(/\/$/, '')}/feedback and type this code: ${code}`,
          `The code works once and stops working after ${FEEDBACK_CODE_DAYS} days.`,
        ].join('\n'),
      },
      now,
    );
  });
}

export type FeedbackAnswers = Partial<Record<FeedbackQuestionId, number>> & { comment?: string };

export interface FeedbackFormReading {
  answers: FeedbackAnswers;
  /** Question id (or 'comment' / 'code') to message. */
  errors: Record<string, string>;
  code: string;
}

/** Reads the posted form. Every question may be left out; only impossible values are errors. */
export function readFeedbackForm(body: Record<string, unknown>): FeedbackFormReading {
  const answers: FeedbackAnswers = {};
  const errors: Record<string, string> = {};
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  for (const q of FEEDBACK_QUESTIONS) {
    const raw = text(q.id).trim();
    if (raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 5) errors[q.id] = 'Choose one of the five answers, or skip it';
    else answers[q.id] = value;
  }
  const comment = text(FEEDBACK_COMMENT_FIELD).replace(/\r\n/g, '\n').trim();
  if (comment.length > FEEDBACK_COMMENT_LIMIT)
    errors[FEEDBACK_COMMENT_FIELD] =
      `Your message must be ${FEEDBACK_COMMENT_LIMIT.toLocaleString('en-GB')} characters or fewer`;
  if (comment !== '') answers.comment = comment;
  const code = text('code');
  if (code.trim() === '') errors.code = 'Enter the code from your card or email';
  else if (normaliseFeedbackCode(code) === null) errors.code = 'Enter the code as it is written, like ABCDE-FGH23';
  return { answers, errors, code };
}

export type SubmitFeedbackResult = { kind: 'saved' } | { kind: 'code_not_valid' };

/**
 * Uses the code once and stores the answers, in one transaction: the invitation row is deleted, and the answers
 * keep only the office and the ISO week.
 */
export function submitFeedback(
  db: PortalDb,
  keyring: Keyring,
  code: string,
  answers: FeedbackAnswers,
  now: Date,
): SubmitFeedbackResult {
  const normalised = normaliseFeedbackCode(code);
  if (!normalised) return { kind: 'code_not_valid' };
  return db.transaction((tx) => {
    const invitation = tx
      .delete(feedbackInvitations)
      .where(and(eq(feedbackInvitations.codeHash, codeHash(normalised)), gt(feedbackInvitations.expiresAt, now)))
      .returning({ officeId: feedbackInvitations.officeId })
      .get();
    if (!invitation) return { kind: 'code_not_valid' } as const;
    const id = randomUUID();
    const date = londonDate(now);
    tx.insert(feedbackResponses)
      .values({
        id,
        officeId: invitation.officeId,
        isoWeek: isoWeekOf(date),
        weekStart: weekStartOf(date),
        talk: answers.talk ?? null,
        notJudged: answers.notJudged ?? null,
        fitsMe: answers.fitsMe ?? null,
        safer: answers.safer ?? null,
        knowWhatToExpect: answers.knowWhatToExpect ?? null,
        recommend: answers.recommend ?? null,
        commentEnc: answers.comment ? encryptField(keyring, answers.comment, feedbackCommentAad(id)) : null,
      })
      .run();
    return { kind: 'saved' } as const;
  });
}

/** Expired codes are removed when new ones are made, so the table holds only live codes. */
export function removeExpiredInvitations(db: PortalDb, now: Date): number {
  return db
    .delete(feedbackInvitations)
    .where(sql`${feedbackInvitations.expiresAt} <= ${now.getTime()}`)
    .run().changes;
}

export interface FeedbackComment {
  id: string;
  weekStart: string;
  officeId: string;
  text: string;
}

/** Free-text answers for managers, newest week first; hidden ones are left out. */
export function listFeedbackComments(
  db: PortalDb,
  keyring: Keyring,
  officeIds: readonly string[],
  limit = 50,
): { comments: FeedbackComment[]; hidden: number } {
  const scope = inArray(feedbackResponses.officeId, [...officeIds, '-']);
  const rows = db
    .select()
    .from(feedbackResponses)
    .where(and(scope, isNotNull(feedbackResponses.commentEnc), eq(feedbackResponses.commentHidden, false)))
    .orderBy(desc(feedbackResponses.weekStart), feedbackResponses.id)
    .limit(limit)
    .all();
  const hidden =
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(feedbackResponses)
      .where(and(scope, isNotNull(feedbackResponses.commentEnc), eq(feedbackResponses.commentHidden, true)))
      .get()?.n ?? 0;
  return {
    comments: rows.map((row) => {
      let text: string;
      try {
        text = decryptField(keyring, row.commentEnc!, feedbackCommentAad(row.id));
      } catch {
        text = '(This comment could not be read.)';
      }
      return { id: row.id, weekStart: row.weekStart, officeId: row.officeId, text };
    }),
    hidden,
  };
}

/** Hides a comment in one of these offices; false when there is none. */
export function hideFeedbackComment(db: PortalDb, officeIds: readonly string[], id: string): boolean {
  return (
    db
      .update(feedbackResponses)
      .set({ commentHidden: true })
      .where(and(eq(feedbackResponses.id, id), inArray(feedbackResponses.officeId, [...officeIds, '-'])))
      .run().changes === 1
  );
}
