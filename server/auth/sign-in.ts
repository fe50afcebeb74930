import { and, eq, isNull, lt } from 'drizzle-orm';
import { signInChallenges, staffRecoveryCodes } from '../../db/schema/auth.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { decryptField, type Keyring } from '../security/field-encryption.ts';
import { PasswordHashingBusyError, dummyVerify, hashPassword, verifyPassword } from '../security/passwords.ts';
import { verifyTotp } from '../security/totp.ts';
import { isWellFormedRecoveryCode, matchRecoveryCode } from '../security/recovery-codes.ts';
import { randomToken, sha256Hex } from '../security/tokens.ts';
import { recordAudit } from '../audit/audit.ts';
import { createSession, purgeExpiredSessions } from './sessions.ts';
import {
  clearAccountFailures,
  lockedUntil,
  normaliseEmail,
  purgeStaleThrottles,
  recordFailure,
  throttleKeys,
  type ThrottleKeys,
} from './throttle.ts';

/**
 * Sign-in in two steps (email and password, then a code) that never reveal which part was wrong or whether the
 * account exists: the first step always leads to the code page, and only the second step decides, with one
 * message for every failure.
 */

/** How long someone has to type the code after their password. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Mistyped codes allowed before starting again from the password. */
export const CODE_TRIES_PER_CHALLENGE = 3;

export const totpSecretAad = (staffId: string) => `staff:${staffId}:totp`;

export type StartSignInResult =
  | { kind: 'locked'; until: Date }
  | { kind: 'challenge'; token: string }
  /** Too many password checks are running: nothing was checked or counted; try again after `retryAfterSeconds`. */
  | { kind: 'busy'; retryAfterSeconds: number };

export interface StartSignInInput {
  email: string;
  password: string;
  ip: string;
  returnTo: string | null;
}

export async function startSignIn(
  db: PortalDb,
  keyring: Keyring,
  input: StartSignInInput,
  now: Date,
): Promise<StartSignInResult> {
  const keys = throttleKeys(keyring, input.email, input.ip);
  const until = lockedUntil(db, keys, now);
  if (until) {
    recordAudit(db, { actorId: null, action: 'sign_in_locked', detail: { step: 'password' } }, now);
    return { kind: 'locked', until };
  }

  const user = db
    .select()
    .from(staffUsers)
    .where(eq(staffUsers.email, normaliseEmail(input.email)))
    .get();
  const usable = user && user.status === 'active' && user.passwordHash && user.totpConfirmedAt ? user : null;
  let passwordOk = false;
  try {
    if (usable?.passwordHash) {
      const verification = await verifyPassword(usable.passwordHash, input.password);
      passwordOk = verification.ok;
      if (verification.needsRehash) {
        const stronger = await hashPassword(input.password);
        db.update(staffUsers).set({ passwordHash: stronger }).where(eq(staffUsers.id, usable.id)).run();
      }
    } else {
      // Same time, memory and queue place as a real check, so neither timing nor a 503 reveals whether the account exists.
      await dummyVerify(input.password);
    }
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return { kind: 'busy', retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }

  const token = randomToken(32);
  // Housekeeping on the way past: abandoned challenges, sessions nobody came back to, forgotten counters.
  db.delete(signInChallenges).where(lt(signInChallenges.expiresAt, now)).run();
  purgeExpiredSessions(db, now);
  purgeStaleThrottles(db, now);
  db.insert(signInChallenges)
    .values({
      id: sha256Hex(token),
      staffId: usable?.id ?? null,
      passwordOk,
      accountKey: keys.account,
      ipKey: keys.ip,
      returnTo: input.returnTo,
      failures: 0,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
    })
    .run();
  return { kind: 'challenge', token };
}

export type CompleteSignInResult =
  | { kind: 'signed_in'; sessionToken: string; sessionId: string; staffId: string; returnTo: string | null }
  /** Wrong: try the code again on the same page. */
  | { kind: 'retry' }
  /** Expired or too many wrong codes: start again from the email and password. */
  | { kind: 'restart'; reason: 'expired' | 'failed' }
  | { kind: 'locked'; until: Date };

export function findChallenge(db: PortalDb, token: string | undefined, now: Date) {
  if (!token || token.length > 200) return null;
  const row = db
    .select()
    .from(signInChallenges)
    .where(eq(signInChallenges.id, sha256Hex(token)))
    .get();
  if (!row || row.expiresAt.getTime() <= now.getTime()) return null;
  return row;
}

export async function completeSignIn(
  db: PortalDb,
  keyring: Keyring,
  input: { challengeToken: string | undefined; code: string },
  now: Date,
): Promise<CompleteSignInResult> {
  const challenge = findChallenge(db, input.challengeToken, now);
  if (!challenge) return { kind: 'restart', reason: 'expired' };
  const keys: ThrottleKeys = { account: challenge.accountKey, ip: challenge.ipKey };
  const until = lockedUntil(db, keys, now);
  if (until) {
    db.delete(signInChallenges).where(eq(signInChallenges.id, challenge.id)).run();
    recordAudit(
      db,
      { actorId: null, action: 'sign_in_locked', targetStaffId: challenge.staffId, detail: { step: 'code' } },
      now,
    );
    return { kind: 'locked', until };
  }

  const user =
    challenge.staffId && challenge.passwordOk
      ? db.select().from(staffUsers).where(eq(staffUsers.id, challenge.staffId)).get()
      : undefined;
  const candidate = user && user.status === 'active' && user.totpSecretEnc ? user : null;
  const code = input.code.trim();
  const looksLikeTotp = /^\d[\d\s]{4,8}\d$/.test(code);

  let method: 'authenticator' | 'recovery_code' | null = null;
  let totpStep: number | null = null;
  let recoveryCodeId: number | null = null;
  if (candidate && looksLikeTotp) {
    const secret = decryptField(keyring, candidate.totpSecretEnc!, totpSecretAad(candidate.id));
    const result = await verifyTotp({ secret, token: code, now, lastUsedStep: candidate.totpLastStep });
    if (result.ok) {
      method = 'authenticator';
      totpStep = result.step;
    }
  } else if (candidate && isWellFormedRecoveryCode(code)) {
    const unused = db
      .select({ id: staffRecoveryCodes.id, codeHash: staffRecoveryCodes.codeHash })
      .from(staffRecoveryCodes)
      .where(and(eq(staffRecoveryCodes.staffId, candidate.id), isNull(staffRecoveryCodes.usedAt)))
      .all();
    const index = matchRecoveryCode(
      code,
      unused.map((row) => row.codeHash),
    );
    if (index >= 0) {
      method = 'recovery_code';
      recoveryCodeId = unused[index]!.id;
    }
  }

  if (candidate && method) {
    const signedIn = db.transaction((tx) => {
      // Re-checked inside the transaction: two requests racing with the same code cannot both win.
      if (totpStep !== null) {
        const fresh = tx
          .select({ last: staffUsers.totpLastStep })
          .from(staffUsers)
          .where(eq(staffUsers.id, candidate.id))
          .get();
        if (fresh?.last !== null && fresh?.last !== undefined && fresh.last >= totpStep) return null;
        tx.update(staffUsers).set({ totpLastStep: totpStep }).where(eq(staffUsers.id, candidate.id)).run();
      }
      let remaining: number | null = null;
      if (recoveryCodeId !== null) {
        const used = tx
          .update(staffRecoveryCodes)
          .set({ usedAt: now })
          .where(and(eq(staffRecoveryCodes.id, recoveryCodeId), isNull(staffRecoveryCodes.usedAt)))
          .run();
        if (used.changes !== 1) return null;
        remaining = tx
          .select({ id: staffRecoveryCodes.id })
          .from(staffRecoveryCodes)
          .where(and(eq(staffRecoveryCodes.staffId, candidate.id), isNull(staffRecoveryCodes.usedAt)))
          .all().length;
        recordAudit(
          tx,
          { actorId: candidate.id, action: 'recovery_code_used', targetStaffId: candidate.id, detail: { remaining } },
          now,
        );
      }
      tx.delete(signInChallenges).where(eq(signInChallenges.id, challenge.id)).run();
      clearAccountFailures(tx, keys);
      const session = createSession(tx, candidate.id, now);
      recordAudit(
        tx,
        { actorId: candidate.id, action: 'sign_in', targetStaffId: candidate.id, detail: { method: method! } },
        now,
      );
      return session;
    });
    if (signedIn) {
      return {
        kind: 'signed_in',
        sessionToken: signedIn.token,
        sessionId: signedIn.id,
        staffId: candidate.id,
        returnTo: challenge.returnTo,
      };
    }
  }

  // One outcome for every failure: unknown email, wrong password, wrong or replayed code.
  const failures = challenge.failures + 1;
  db.transaction((tx) => {
    recordFailure(tx, keys, now);
    if (failures >= CODE_TRIES_PER_CHALLENGE)
      tx.delete(signInChallenges).where(eq(signInChallenges.id, challenge.id)).run();
    else tx.update(signInChallenges).set({ failures }).where(eq(signInChallenges.id, challenge.id)).run();
    recordAudit(
      tx,
      {
        actorId: null,
        action: 'sign_in_failed',
        targetStaffId: challenge.staffId,
        // Admins can tell a stolen password (right password, wrong code) from a guess; nobody signing in can.
        detail: challenge.staffId
          ? { accountKnown: true, passwordCorrect: challenge.passwordOk }
          : { accountKnown: false },
      },
      now,
    );
  });
  const lockedNow = lockedUntil(db, keys, now);
  if (lockedNow) {
    db.delete(signInChallenges).where(eq(signInChallenges.id, challenge.id)).run();
    return { kind: 'locked', until: lockedNow };
  }
  return failures >= CODE_TRIES_PER_CHALLENGE ? { kind: 'restart', reason: 'failed' } : { kind: 'retry' };
}

export function deleteChallenge(db: PortalDb, token: string | undefined): void {
  if (token)
    db.delete(signInChallenges)
      .where(eq(signInChallenges.id, sha256Hex(token)))
      .run();
}
