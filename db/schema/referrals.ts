import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * One self-referral. Columns in clear are only what staff sort, route and report on (status, priority,
 * due time, office, nation, stage, source, timestamps). Everything he typed that identifies him or describes
 * his situation is in `answers_enc` (all answers as JSON) and `triage_enc` (why the priority is what it is),
 * each an AES-256-GCM token `v1.<keyId>.<iv>.<tag>.<ciphertext>` whose key id sits beside the value so keys
 * can rotate (`npm run keys:rotate`). The AAD is `referral:<id>:answers` / `referral:<id>:triage`.
 */
export const referrals = sqliteTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    /** SL-7KQ4-M9TX: read aloud over the phone, so no 0/O or 1/I/L. Identifies, never authenticates. */
    reference: text('reference').notNull().unique(),
    /** Workflow state; the back office owns the states after 'new'. */
    status: text('status').notNull().default('new'),
    priority: text('priority', { enum: ['today', 'next_working_day', 'within_7_days'] }).notNull(),
    /** First contact must happen by this instant. */
    contactBy: integer('contact_by', { mode: 'timestamp_ms' }).notNull(),
    /** Which triage rules decided the priority (server/triage RULESET.version). */
    ruleVersion: text('rule_version').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    /** The office that owns the referral: his choice, or the default office when he chose remote support. */
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id),
    /** What he chose: an office, or 'remote' (phone or video). */
    officePreference: text('office_preference', { enum: ['leeds', 'manchester', 'remote'] }).notNull(),
    nation: text('nation', { enum: ['england', 'wales', 'scotland', 'northern_ireland'] }).notNull(),
    /** Where he is with the police (the form's "stage" answer). */
    stage: text('stage').notNull(),
    /** How he heard about us; null when he did not say. */
    source: text('source'),
    meetPreference: text('meet_preference', { enum: ['asap', 'later'] }).notNull(),
    /** The version of the confidentiality statement he agreed to. */
    confidentialityVersion: text('confidentiality_version').notNull(),
    answersEnc: text('answers_enc').notNull(),
    triageEnc: text('triage_enc').notNull(),
    /** HMAC of his normalised name (nameSearchHash): staff can find him by name without a name in clear. */
    nameSearchHash: text('name_search_hash').notNull(),
    /** Hash of the form token: the same form sent twice finds this row instead of creating another. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /**
     * Set when the referral was stored during a burst and its follow-up work (search index, contact hashes, his
     * acknowledgement, the first-contact slot and the staff alerts) is still to run; cleared in the transaction
     * that does it (server/referrals/follow-up.ts). Null once done, which is at once when nothing else is arriving.
     */
    followUpDueAt: integer('follow_up_due_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('referrals_queue_idx').on(t.status, t.contactBy),
    index('referrals_office_idx').on(t.officeId, t.status),
    index('referrals_received_idx').on(t.receivedAt),
    index('referrals_name_search_idx').on(t.nameSearchHash),
    index('referrals_follow_up_idx')
      .on(t.followUpDueAt)
      .where(sql`follow_up_due_at IS NOT NULL`),
  ],
);

export type ReferralRow = typeof referrals.$inferSelect;
