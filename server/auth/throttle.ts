import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { authThrottles } from '../../db/schema/auth.ts';
import type { PortalDb } from '../../db/client.ts';
import { deriveSubkey, keyedHash, type Keyring } from '../security/field-encryption.ts';
import type { DbWriter } from '../../db/writer.ts';

/**
 * Growing lockouts for sign-in, per account and per client address. Keys are keyed hashes, so the table holds
 * neither email addresses nor IP addresses. The account key comes from the email typed, not from a user row:
 * an unknown email locks exactly like a real one, so a lockout says nothing about who has an account.
 */

export interface ThrottlePolicy {
  /** Failures allowed before the first lockout. */
  freeFailures: number;
  /** The first lockout; each further failure doubles it. */
  firstLockMs: number;
  maxLockMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { freeFailures: 5, firstLockMs: 60_000, maxLockMs: 24 * 60 * 60_000 };
/** An office shares one address, and one person mistyping should not lock out colleagues: more headroom. */
export const IP_POLICY: ThrottlePolicy = { freeFailures: 20, firstLockMs: 60_000, maxLockMs: 24 * 60 * 60_000 };
/** A counter with no failure for this long starts again from zero. */
export const FORGET_FAILURES_AFTER_MS = 24 * 60 * 60_000;

export interface ThrottleKeys {
  account: string;
  ip: string;
}

export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export function throttleKeys(keyring: Keyring, email: string, ip: string): ThrottleKeys {
  const key = deriveSubkey(keyring, 'sign-in-throttle');
  return { account: `account:${keyedHash(key, normaliseEmail(email))}`, ip: `ip:${keyedHash(key, ip)}` };
}

function policyFor(key: string): ThrottlePolicy {
  return key.startsWith('ip:') ? IP_POLICY : ACCOUNT_POLICY;
}

export function lockDuration(policy: ThrottlePolicy, failures: number): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  return Math.min(policy.firstLockMs * 2 ** Math.min(over - 1, 30), policy.maxLockMs);
}

/** The moment sign-in opens again for these keys, or null when it is open now. */
export function lockedUntil(db: PortalDb, keys: ThrottleKeys, now: Date): Date | null {
  const rows = db
    .select({ lockedUntil: authThrottles.lockedUntil })
    .from(authThrottles)
    .where(inArray(authThrottles.key, [keys.account, keys.ip]))
    .all();
  let latest: Date | null = null;
  for (const row of rows) {
    if (row.lockedUntil && row.lockedUntil.getTime() > now.getTime() && (!latest || row.lockedUntil > latest)) {
      latest = row.lockedUntil;
    }
  }
  return latest;
}

export function recordFailure(db: DbWriter, keys: ThrottleKeys, now: Date): void {
  for (const key of [keys.account, keys.ip]) {
    const row = db.select().from(authThrottles).where(eq(authThrottles.key, key)).get();
    const forgotten = !row || now.getTime() - row.lastFailureAt.getTime() >= FORGET_FAILURES_AFTER_MS;
    const failures = (forgotten ? 0 : row.failures) + 1;
    const lockMs = lockDuration(policyFor(key), failures);
    const values = { failures, lastFailureAt: now, lockedUntil: lockMs > 0 ? new Date(now.getTime() + lockMs) : null };
    db.insert(authThrottles)
      .values({ key, ...values })
      .onConflictDoUpdate({ target: authThrottles.key, set: values })
      .run();
  }
}

/** Counters that have been forgotten anyway (no failure for a day, no lock running): housekeeping. */
export function purgeStaleThrottles(db: DbWriter, now: Date): number {
  return db
    .delete(authThrottles)
    .where(
      and(
        lt(authThrottles.lastFailureAt, new Date(now.getTime() - FORGET_FAILURES_AFTER_MS)),
        or(isNull(authThrottles.lockedUntil), lt(authThrottles.lockedUntil, now)),
      ),
    )
    .run().changes;
}

/** After a successful sign-in the account starts afresh. The address counter is left to decay on its own, so one
 * working account cannot be used to reset the counter of an address that is guessing at others. */
export function clearAccountFailures(db: DbWriter, keys: ThrottleKeys): void {
  db.delete(authThrottles).where(eq(authThrottles.key, keys.account)).run();
}
