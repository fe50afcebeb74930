import { and, eq, gt } from 'drizzle-orm';
import { staffRecoveryCodes, signInChallenges } from '../../db/schema/auth.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { decryptField, encryptField, type Keyring } from '../security/field-encryption.ts';
import { checkPasswordPolicy, hashPassword } from '../security/passwords.ts';
import { newTotpSecret, totpQrSvg, totpUri, verifyTotp } from '../security/totp.ts';
import { generateRecoveryCodes, hashRecoveryCode } from '../security/recovery-codes.ts';
import { randomToken, sha256Hex } from '../security/tokens.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DbWriter } from '../../db/writer.ts';
import { deleteAllSessionsFor } from './sessions.ts';
import { totpSecretAad } from './sign-in.ts';

/** An enrolment link works once, for this long. */
export const ENROLMENT_TTL_MS = 24 * 60 * 60_000;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Safer Lives';

export function enrolmentUrl(publicBaseUrl: string, token: string): string {
  // The token goes in the query string, which the request log never records (paths are logged, queries are not).
  return `${publicBaseUrl}/staff/enrol?token=${encodeURIComponent(token)}`;
}

/**
 * Starts (or restarts) enrolment: a new one-time token, valid for 24 hours. Restarting also wipes the old
 * password, authenticator and recovery codes and ends every session, so it doubles as "reset sign-in" for
 * someone who lost their phone and their codes.
 */
export function issueEnrolment(db: DbWriter, staffId: string, now: Date): { token: string; expiresAt: Date } {
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + ENROLMENT_TTL_MS);
  db.update(staffUsers)
    .set({
      status: 'invited',
      enrolmentTokenHash: sha256Hex(token),
      enrolmentExpiresAt: expiresAt,
      passwordHash: null,
      totpSecretEnc: null,
      totpConfirmedAt: null,
      totpLastStep: null,
      enrolledAt: null,
    })
    .where(eq(staffUsers.id, staffId))
    .run();
  db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staffId)).run();
  db.delete(signInChallenges).where(eq(signInChallenges.staffId, staffId)).run();
  deleteAllSessionsFor(db, staffId);
  return { token, expiresAt };
}

export interface EnrollingStaff {
  id: string;
  name: string;
  email: string;
  expiresAt: Date;
}

export function findEnrolment(db: PortalDb, token: string | undefined, now: Date): EnrollingStaff | null {
  if (!token || token.length > 200) return null;
  const user = db
    .select()
    .from(staffUsers)
    .where(and(eq(staffUsers.enrolmentTokenHash, sha256Hex(token)), gt(staffUsers.enrolmentExpiresAt, now)))
    .get();
  if (!user || user.status !== 'invited' || !user.enrolmentExpiresAt) return null;
  return { id: user.id, name: user.name, email: user.email, expiresAt: user.enrolmentExpiresAt };
}

export interface AuthenticatorSetup {
  /** Base32, grouped in fours for typing. */
  typedKey: string;
  qrSvg: string;
}

/** The secret is created on first view and kept (encrypted) so reloading the page does not invalidate a scan. */
export async function authenticatorSetup(
  db: PortalDb,
  keyring: Keyring,
  staff: EnrollingStaff,
): Promise<AuthenticatorSetup> {
  const row = db.select({ enc: staffUsers.totpSecretEnc }).from(staffUsers).where(eq(staffUsers.id, staff.id)).get();
  let secret: string;
  if (row?.enc) {
    secret = decryptField(keyring, row.enc, totpSecretAad(staff.id));
  } else {
    secret = newTotpSecret();
    db.update(staffUsers)
      .set({ totpSecretEnc: encryptField(keyring, secret, totpSecretAad(staff.id)) })
      .where(eq(staffUsers.id, staff.id))
      .run();
  }
  const uri = totpUri({ secret, accountName: staff.email, issuer: ISSUER });
  return { typedKey: secret.match(/.{1,4}/g)!.join(' '), qrSvg: await totpQrSvg(uri) };
}

export type EnrolmentResult =
  | { kind: 'enrolled'; staffId: string; recoveryCodes: string[] }
  | { kind: 'invalid'; errors: Record<string, string> }
  | { kind: 'expired' };

export async function completeEnrolment(
  db: PortalDb,
  keyring: Keyring,
  input: { token: string; password: string; passwordConfirm: string; code: string },
  now: Date,
): Promise<EnrolmentResult> {
  const staff = findEnrolment(db, input.token, now);
  if (!staff) return { kind: 'expired' };
  const errors: Record<string, string> = {};
  const policy = checkPasswordPolicy(input.password, { email: staff.email, name: staff.name });
  if (input.password === '') errors.password = 'Enter a password.';
  else if (!policy.ok) errors.password = policy.message;
  else if (input.password !== input.passwordConfirm)
    errors.passwordConfirm = 'The two passwords do not match. Type the same password twice.';

  const row = db.select({ enc: staffUsers.totpSecretEnc }).from(staffUsers).where(eq(staffUsers.id, staff.id)).get();
  let step: number | null = null;
  if (!row?.enc) {
    errors.code = 'Scan the QR code again: the set-up key has changed.';
  } else if (input.code.trim() === '') {
    errors.code = 'Enter the 6-digit code from your authenticator app.';
  } else {
    const secret = decryptField(keyring, row.enc, totpSecretAad(staff.id));
    const result = await verifyTotp({ secret, token: input.code, now });
    if (result.ok) step = result.step;
    else errors.code = 'That code did not match. Check the app shows "Safer Lives" and enter the newest 6-digit code.';
  }
  if (Object.keys(errors).length > 0 || step === null) return { kind: 'invalid', errors };

  const passwordHash = await hashPassword(input.password);
  const recoveryCodes = generateRecoveryCodes(RECOVERY_CODE_COUNT);
  const done = db.transaction((tx) => {
    // The token is consumed in the same statement that checks it, so a link cannot be used twice.
    const updated = tx
      .update(staffUsers)
      .set({
        passwordHash,
        totpConfirmedAt: now,
        totpLastStep: step,
        status: 'active',
        enrolledAt: now,
        enrolmentTokenHash: null,
        enrolmentExpiresAt: null,
      })
      .where(
        and(
          eq(staffUsers.id, staff.id),
          eq(staffUsers.enrolmentTokenHash, sha256Hex(input.token)),
          eq(staffUsers.status, 'invited'),
        ),
      )
      .run();
    if (updated.changes !== 1) return false;
    tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staff.id)).run();
    tx.insert(staffRecoveryCodes)
      .values(recoveryCodes.map((code) => ({ staffId: staff.id, codeHash: hashRecoveryCode(code), createdAt: now })))
      .run();
    recordAudit(tx, { actorId: staff.id, action: 'staff_enrolled', targetStaffId: staff.id }, now);
    return true;
  });
  if (!done) return { kind: 'expired' };
  return { kind: 'enrolled', staffId: staff.id, recoveryCodes };
}
