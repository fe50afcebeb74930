import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * Anonymous client feedback. Two tables that share nothing but the office:
 *
 * - `feedback_invitations`: one row per one-time link or card. It holds the hash of the code, the office and when
 *   it expires, and deliberately NO referral id, staff id or creation time. Answering deletes the row, so a used
 *   code proves nothing afterwards.
 * - `feedback_responses`: the answers, with the office and the ISO week only (never a time, never the code, never
 *   an invitation or referral id). Free text is encrypted (AAD `feedback:<id>:comment`) because he may write
 *   something that identifies him.
 */
export const feedbackInvitations = sqliteTable('feedback_invitations', {
  /** SHA-256 of the one-time code. */
  codeHash: text('code_hash').primaryKey(),
  officeId: text('office_id')
    .notNull()
    .references(() => offices.id),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

export const feedbackResponses = sqliteTable('feedback_responses', {
  /** Random id; it links to nothing. */
  id: text('id').primaryKey(),
  officeId: text('office_id')
    .notNull()
    .references(() => offices.id),
  /** ISO week the answers came in, e.g. 2026-W49. */
  isoWeek: text('iso_week').notNull(),
  /** The Monday that starts that week, YYYY-MM-DD. */
  weekStart: text('week_start').notNull(),
  /** Each question 1 (strongly disagree) to 5 (strongly agree); null when he skipped it. */
  talk: integer('talk'),
  notJudged: integer('not_judged'),
  fitsMe: integer('fits_me'),
  safer: integer('safer'),
  knowWhatToExpect: integer('know_what_to_expect'),
  recommend: integer('recommend'),
  commentEnc: text('comment_enc'),
  /** A manager hid the comment from the dashboard (the scores still count). */
  commentHidden: integer('comment_hidden', { mode: 'boolean' }).notNull().default(false),
});
