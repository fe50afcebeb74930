import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { referrals } from './referrals.ts';
import { staffUsers } from './staff.ts';

/**
 * The data lifecycle (server/retention): how long each kind of record is kept, legal holds that stop deletion,
 * keyed hashes that recognise a returning person, and the audit chain heads recorded outside the chain itself.
 * Every table with a `referral_id` must be listed in server/retention/referral-tables.ts (a test checks).
 */

/**
 * The retention policy, one row per rule, set by admins. Defaults live in server/retention/policy.ts and are
 * written here the first time the policy is read; an admin's change is never undone by a restart.
 */
export const retentionRules = sqliteTable('retention_rules', {
  /** The rule's code (server/retention/policy.ts RETENTION_RULE_IDS). */
  id: text('id').primaryKey(),
  keepValue: integer('keep_value').notNull(),
  keepUnit: text('keep_unit', { enum: ['days', 'months', 'years'] }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  /** Null for the defaults. */
  updatedBy: text('updated_by').references(() => staffUsers.id),
});

/**
 * A legal hold: while `released_at` is null the referral is never deleted (retention or erasure). The reason may
 * name people or proceedings, so it is encrypted (AAD `lifecycle:legal_holds:<id>`).
 */
export const legalHolds = sqliteTable(
  'legal_holds',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    /** Coded kind of hold (court order, safeguarding review, complaint, other). */
    kind: text('kind').notNull(),
    reasonEnc: text('reason_enc').notNull(),
    placedBy: text('placed_by')
      .notNull()
      .references(() => staffUsers.id),
    placedAt: integer('placed_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the hold must be looked at again (London date YYYY-MM-DD). */
    reviewBy: text('review_by').notNull(),
    reviewedAt: integer('reviewed_at', { mode: 'timestamp_ms' }),
    releasedBy: text('released_by').references(() => staffUsers.id),
    releasedAt: integer('released_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('legal_holds_referral_idx').on(t.referralId, t.releasedAt)],
);

/** A safeguarding concern recorded on a referral: its records are kept for the longest period. */
export const safeguardingMarkers = sqliteTable('safeguarding_markers', {
  referralId: text('referral_id')
    .primaryKey()
    .references(() => referrals.id, { onDelete: 'cascade' }),
  markedBy: text('marked_by')
    .notNull()
    .references(() => staffUsers.id),
  markedAt: integer('marked_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * Keyed hashes (HMAC-SHA256) of a referral's normalised phone number and email address, so a new referral from the
 * same person is recognised without either value in clear. `key_id` names the DATA_KEY entry the key came from.
 * Deleted with the referral, so nothing links to a deleted referral.
 */
export const contactMatchHashes = sqliteTable(
  'contact_match_hashes',
  {
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['phone', 'email'] }).notNull(),
    hash: text('hash').notNull(),
    keyId: text('key_id').notNull(),
  },
  (t) => [index('contact_match_hash_idx').on(t.hash), index('contact_match_referral_idx').on(t.referralId)],
);

/**
 * The audit chain head as recorded by a backup, the daily run or the switch to the keyed chain. Each row carries
 * an HMAC of its fields, so a head cannot be forged without DATA_KEY; a chain that no longer contains a recorded
 * head has been truncated or rewritten.
 */
export const auditHeads = sqliteTable('audit_heads', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  source: text('source', { enum: ['keyed_from', 'backup', 'daily'] }).notNull(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  recordedAt: integer('recorded_at', { mode: 'timestamp_ms' }).notNull(),
  mac: text('mac').notNull(),
});
