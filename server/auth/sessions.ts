import { and, eq, lt, or } from 'drizzle-orm';
import { staffSessions } from '../../db/schema/auth.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { randomToken, sha256Hex } from '../security/tokens.ts';
import { decryptJson, encryptJson, FieldDecryptionError, type Keyring } from '../security/field-encryption.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { StaffRole } from '../staff/roles.ts';

/** Signed out after this long without a request. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;
/** Signed out this long after signing in, however active. */
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;
/** lastSeenAt is only rewritten when it is at least this old, so a burst of requests is not a burst of writes. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionStaff {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  officeIds: string[];
}

export interface ValidSession {
  /** SHA-256 of the cookie token: what the database stores. */
  id: string;
  staff: SessionStaff;
  createdAt: Date;
  expiresAt: Date;
  hasFlash: boolean;
}

export type SessionCheck =
  | { kind: 'valid'; session: ValidSession }
  /** `staffId`: whose session it was, so a form that arrived too late can be kept for them (form-drafts.ts). */
  | { kind: 'expired'; reason: 'idle' | 'absolute' | 'disabled'; staffId: string }
  | { kind: 'none' };

export function sessionIdFor(token: string): string {
  return sha256Hex(token);
}

/** A brand-new session (a new id at every sign-in, so nothing from before signing in carries over). */
export function createSession(
  db: DbWriter,
  staffId: string,
  now: Date,
): { token: string; id: string; expiresAt: Date } {
  const token = randomToken(32);
  const id = sessionIdFor(token);
  const expiresAt = new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS);
  db.insert(staffSessions)
    .values({ id, staffId, createdAt: now, lastSeenAt: now, expiresAt, mfaVerifiedAt: now })
    .run();
  return { token, id, expiresAt };
}

export function loadStaffIdentity(db: PortalDb, staffId: string): SessionStaff | null {
  const user = db
    .select({
      id: staffUsers.id,
      name: staffUsers.name,
      email: staffUsers.email,
      role: staffUsers.role,
      status: staffUsers.status,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId))
    .get();
  if (!user || user.status !== 'active') return null;
  const officeIds = db
    .select({ officeId: staffOffices.officeId })
    .from(staffOffices)
    .where(eq(staffOffices.staffId, staffId))
    .all()
    .map((row) => row.officeId)
    .sort();
  return { id: user.id, name: user.name, email: user.email, role: user.role, officeIds };
}

/**
 * Looks the token up and enforces the idle and absolute limits and the account status on every request, so
 * disabling someone or an expiry takes effect at their very next click. Expired sessions are deleted here.
 */
export function validateSession(db: PortalDb, token: string | undefined, now: Date): SessionCheck {
  if (!token || token.length > 200) return { kind: 'none' };
  const id = sessionIdFor(token);
  const row = db.select().from(staffSessions).where(eq(staffSessions.id, id)).get();
  if (!row) return { kind: 'none' };
  const at = now.getTime();
  let expired: 'idle' | 'absolute' | 'disabled' | null = null;
  if (at >= row.expiresAt.getTime()) expired = 'absolute';
  else if (at - row.lastSeenAt.getTime() >= IDLE_TIMEOUT_MS) expired = 'idle';
  const staff = expired ? null : loadStaffIdentity(db, row.staffId);
  if (!expired && !staff) expired = 'disabled';
  if (expired || !staff) {
    db.delete(staffSessions).where(eq(staffSessions.id, id)).run();
    return { kind: 'expired', reason: expired ?? 'disabled', staffId: row.staffId };
  }
  if (at - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    db.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.id, id)).run();
  }
  return {
    kind: 'valid',
    session: { id, staff, createdAt: row.createdAt, expiresAt: row.expiresAt, hasFlash: row.flashEnc !== null },
  };
}

export function deleteSession(db: DbWriter, sessionId: string): void {
  db.delete(staffSessions).where(eq(staffSessions.id, sessionId)).run();
}

/** Sign out everywhere, and what disabling someone does: every session of theirs ends at once. */
export function deleteAllSessionsFor(db: DbWriter, staffId: string): number {
  return db.delete(staffSessions).where(eq(staffSessions.staffId, staffId)).run().changes;
}

export function countSessionsFor(db: PortalDb, staffId: string): number {
  return db.select({ id: staffSessions.id }).from(staffSessions).where(eq(staffSessions.staffId, staffId)).all().length;
}

/** Housekeeping: removes sessions past either limit (validation also removes them when they are next used). */
export function purgeExpiredSessions(db: DbWriter, now: Date): number {
  return db
    .delete(staffSessions)
    .where(
      or(lt(staffSessions.expiresAt, now), lt(staffSessions.lastSeenAt, new Date(now.getTime() - IDLE_TIMEOUT_MS))),
    )
    .run().changes;
}

/** What the next page shows after a post-redirect-get: messages, errors and the values typed. */
export interface Flash {
  messages?: Array<{ kind: 'success' | 'info' | 'warning'; text: string }>;
  /** Field name -> message; the page shows them in an error summary and beside each field. */
  errors?: Record<string, string>;
  /** What was typed, so a form with errors loses nothing. */
  values?: Record<string, string>;
  /** Which form the errors belong to, when a page has several. */
  form?: string;
}

const flashAad = (sessionId: string) => `staff-session:${sessionId}:flash`;

export function setFlash(db: DbWriter, keyring: Keyring, sessionId: string, flash: Flash): void {
  db.update(staffSessions)
    .set({ flashEnc: encryptJson(keyring, flash, flashAad(sessionId)) })
    .where(eq(staffSessions.id, sessionId))
    .run();
}

/** Reads and clears the flash in one go: it is shown exactly once. */
export function takeFlash(db: PortalDb, keyring: Keyring, sessionId: string): Flash | null {
  const row = db
    .select({ flashEnc: staffSessions.flashEnc })
    .from(staffSessions)
    .where(eq(staffSessions.id, sessionId))
    .get();
  if (!row?.flashEnc) return null;
  db.update(staffSessions)
    .set({ flashEnc: null })
    .where(and(eq(staffSessions.id, sessionId)))
    .run();
  try {
    return decryptJson(keyring, row.flashEnc, flashAad(sessionId)) as Flash;
  } catch (error) {
    if (error instanceof FieldDecryptionError) return null;
    throw error;
  }
}
