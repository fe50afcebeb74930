import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { staffUsers } from './staff.ts';

/**
 * A signed-in staff session (password and second factor both passed). The cookie holds a random token; only its
 * SHA-256 is stored, so a copy of the database cannot be used to take over a session.
 */
export const staffSessions = sqliteTable(
  'staff_sessions',
  {
    /** SHA-256 (hex) of the cookie token. */
    id: text('id').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Idle expiry counts from here. */
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    /** Absolute expiry: the session ends here however active it is. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    mfaVerifiedAt: integer('mfa_verified_at', { mode: 'timestamp_ms' }).notNull(),
    /** Messages and form errors for the next page (post, redirect, get), encrypted: they can echo what was typed. */
    flashEnc: text('flash_enc'),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId)],
);

/**
 * The step between "email and password" and "code": whatever was typed, the next step is the code page, so the
 * response never reveals whether the account exists or the password was right. Short-lived.
 */
export const signInChallenges = sqliteTable(
  'sign_in_challenges',
  {
    /** SHA-256 (hex) of the challenge cookie token. */
    id: text('id').primaryKey(),
    /** Null when the email matched no active account. */
    staffId: text('staff_id').references(() => staffUsers.id, { onDelete: 'cascade' }),
    passwordOk: integer('password_ok', { mode: 'boolean' }).notNull(),
    /** Throttle keys of the attempt (keyed hashes of the email and the client address, never the values). */
    accountKey: text('account_key').notNull(),
    ipKey: text('ip_key').notNull(),
    /** A /staff path to return to after signing in. */
    returnTo: text('return_to'),
    failures: integer('failures').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('sign_in_challenges_expiry_idx').on(t.expiresAt)],
);

/** Ten single-use codes per person for a lost authenticator, stored as SHA-256 (they carry ~79 bits). */
export const staffRecoveryCodes = sqliteTable(
  'staff_recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('staff_recovery_codes_staff_idx').on(t.staffId)],
);

/**
 * Failed sign-in counters with growing lockouts, one row per throttle key: `account:<keyed hash of the email>`
 * (so unknown emails lock exactly like real ones and a lockout reveals nothing) and `ip:<keyed hash of the address>`.
 */
export const authThrottles = sqliteTable('auth_throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: integer('last_failure_at', { mode: 'timestamp_ms' }).notNull(),
  lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
});
