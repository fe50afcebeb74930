import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { offices } from '../../db/schema/offices.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { recordAudit } from '../audit/audit.ts';
import { issueEnrolment } from '../auth/enrolment.ts';
import { deleteAllSessionsFor } from '../auth/sessions.ts';
import { normaliseEmail } from '../auth/throttle.ts';
import { STAFF_ROLES, type StaffRole } from './roles.ts';

/** Staff accounts: added with a one-time enrolment link, disabled (never deleted) when someone leaves. */

export const newStaffSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter their work email address.')
    .max(254, 'Email addresses are 254 characters or fewer.')
    .pipe(z.email({ message: 'Enter an email address like name@example.org.' })),
  name: z.string().trim().min(1, 'Enter their name.').max(100, 'Names are 100 characters or fewer.'),
  role: z.enum(STAFF_ROLES, { message: 'Choose a role: administrator, manager or caseworker.' }),
  officeIds: z.array(z.string().trim().min(1)).max(20),
});
export type NewStaff = z.input<typeof newStaffSchema>;

export type AddStaffResult =
  | { kind: 'added'; staffId: string; enrolmentToken: string; expiresAt: Date }
  | { kind: 'invalid'; errors: Record<string, string> };

export function knownOfficeIds(db: PortalDb): string[] {
  return db
    .select({ id: offices.id })
    .from(offices)
    .orderBy(asc(offices.id))
    .all()
    .map((row) => row.id);
}

function firstErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

export function addStaff(db: PortalDb, input: NewStaff, actorId: string | null, now: Date): AddStaffResult {
  const parsed = newStaffSchema.safeParse(input);
  // Every problem at once, so the form can show them all together.
  const errors: Record<string, string> = parsed.success ? {} : firstErrors(parsed.error);
  const role = parsed.success
    ? parsed.data.role
    : (STAFF_ROLES as readonly string[]).includes(input.role)
      ? input.role
      : null;
  const officeIds = [...new Set((input.officeIds ?? []).map((id) => id.trim()).filter(Boolean))];
  const known = new Set(knownOfficeIds(db));
  const unknown = officeIds.filter((id) => !known.has(id));
  if (unknown.length > 0)
    errors.officeIds = `There is no office called ${unknown.join(', ')}. Offices: ${[...known].join(', ') || 'none set up yet'}.`;
  else if (role !== null && role !== 'admin' && officeIds.length === 0)
    errors.officeIds = 'Choose at least one office: caseworkers and managers only see their offices.';
  if (
    parsed.success &&
    db
      .select({ id: staffUsers.id })
      .from(staffUsers)
      .where(eq(staffUsers.email, normaliseEmail(parsed.data.email)))
      .get()
  ) {
    errors.email = 'Someone with this email address already has an account.';
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { kind: 'invalid', errors };
  const { name } = parsed.data;
  const email = normaliseEmail(parsed.data.email);
  const validRole = parsed.data.role;

  const staffId = randomUUID();
  return db.transaction((tx) => {
    tx.insert(staffUsers)
      .values({ id: staffId, email, name, role: validRole, status: 'invited', createdAt: now })
      .run();
    if (officeIds.length > 0)
      tx.insert(staffOffices)
        .values(officeIds.map((officeId) => ({ staffId, officeId })))
        .run();
    const { token, expiresAt } = issueEnrolment(tx, staffId, now);
    recordAudit(
      tx,
      {
        actorId,
        action: 'staff_added',
        targetStaffId: staffId,
        detail: { role: validRole, officeIds, via: actorId ? 'back office' : 'command line' },
      },
      now,
    );
    return { kind: 'added' as const, staffId, enrolmentToken: token, expiresAt };
  });
}

/** A new link for someone who never enrolled, or a full reset for someone who lost their phone and codes. */
export function reissueEnrolment(
  db: PortalDb,
  staffId: string,
  actorId: string | null,
  now: Date,
): { token: string; expiresAt: Date } | null {
  const user = db.select({ status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.id, staffId)).get();
  if (!user || user.status === 'disabled') return null;
  return db.transaction((tx) => {
    const issued = issueEnrolment(tx, staffId, now);
    recordAudit(
      tx,
      { actorId, action: 'staff_enrolment_reissued', targetStaffId: staffId, detail: { previousStatus: user.status } },
      now,
    );
    return issued;
  });
}

/** Ends every session at once and stops sign-in; their history stays. */
export function disableStaff(
  db: PortalDb,
  staffId: string,
  actorId: string | null,
  now: Date,
): { endedSessions: number } | null {
  const user = db.select({ status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.id, staffId)).get();
  if (!user) return null;
  return db.transaction((tx) => {
    tx.update(staffUsers)
      .set({ status: 'disabled', disabledAt: now, enrolmentTokenHash: null, enrolmentExpiresAt: null })
      .where(eq(staffUsers.id, staffId))
      .run();
    const endedSessions = deleteAllSessionsFor(tx, staffId);
    recordAudit(
      tx,
      {
        actorId,
        action: 'staff_disabled',
        targetStaffId: staffId,
        detail: { status: { before: user.status, after: 'disabled' }, endedSessions },
      },
      now,
    );
    return { endedSessions };
  });
}

/** Re-enabling restores sign-in if they had enrolled; otherwise they need a new enrolment link. */
export function enableStaff(
  db: PortalDb,
  staffId: string,
  actorId: string | null,
  now: Date,
): { status: 'active' | 'invited' } | null {
  const user = db.select().from(staffUsers).where(eq(staffUsers.id, staffId)).get();
  if (!user || user.status !== 'disabled') return null;
  const status = user.passwordHash && user.totpConfirmedAt ? 'active' : 'invited';
  db.transaction((tx) => {
    tx.update(staffUsers).set({ status, disabledAt: null }).where(eq(staffUsers.id, staffId)).run();
    recordAudit(
      tx,
      {
        actorId,
        action: 'staff_enabled',
        targetStaffId: staffId,
        detail: { status: { before: 'disabled', after: status } },
      },
      now,
    );
  });
  return { status };
}

export const staffChangeSchema = z.object({
  role: z.enum(STAFF_ROLES, { message: 'Choose a role: administrator, manager or caseworker.' }),
  officeIds: z.array(z.string().trim().min(1)).max(20),
});

/** Role and offices; both are access decisions, so both are audited with before and after. */
export function updateStaffAccess(
  db: PortalDb,
  staffId: string,
  input: { role: string; officeIds: string[] },
  actorId: string,
  now: Date,
): { kind: 'updated' } | { kind: 'invalid'; errors: Record<string, string> } | { kind: 'not_found' } {
  const user = db.select().from(staffUsers).where(eq(staffUsers.id, staffId)).get();
  if (!user) return { kind: 'not_found' };
  const parsed = staffChangeSchema.safeParse(input);
  if (!parsed.success) return { kind: 'invalid', errors: firstErrors(parsed.error) };
  const officeIds = [...new Set(parsed.data.officeIds)].sort();
  const known = new Set(knownOfficeIds(db));
  if (officeIds.some((id) => !known.has(id)))
    return { kind: 'invalid', errors: { officeIds: 'Choose offices from the list.' } };
  if (parsed.data.role !== 'admin' && officeIds.length === 0) {
    return {
      kind: 'invalid',
      errors: { officeIds: 'Choose at least one office: caseworkers and managers only see their offices.' },
    };
  }
  if (staffId === actorId && parsed.data.role !== user.role) {
    return { kind: 'invalid', errors: { role: 'You cannot change your own role. Ask another administrator.' } };
  }
  const before = officesOf(db, staffId);
  db.transaction((tx) => {
    tx.update(staffUsers).set({ role: parsed.data.role }).where(eq(staffUsers.id, staffId)).run();
    tx.delete(staffOffices).where(eq(staffOffices.staffId, staffId)).run();
    if (officeIds.length > 0)
      tx.insert(staffOffices)
        .values(officeIds.map((officeId) => ({ staffId, officeId })))
        .run();
    // Access changed: existing sessions carry the old offices, so they end.
    deleteAllSessionsFor(tx, staffId);
    recordAudit(
      tx,
      {
        actorId,
        action: 'staff_updated',
        targetStaffId: staffId,
        detail: { role: { before: user.role, after: parsed.data.role }, officeIds: { before, after: officeIds } },
      },
      now,
    );
  });
  return { kind: 'updated' };
}

export function officesOf(db: PortalDb, staffId: string): string[] {
  return db
    .select({ officeId: staffOffices.officeId })
    .from(staffOffices)
    .where(eq(staffOffices.staffId, staffId))
    .all()
    .map((row) => row.officeId)
    .sort();
}

export interface StaffListRow {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  status: 'invited' | 'active' | 'disabled';
  officeIds: string[];
  enrolmentExpiresAt: Date | null;
  createdAt: Date;
}

export function listStaff(db: PortalDb): StaffListRow[] {
  const users = db.select().from(staffUsers).orderBy(asc(staffUsers.name)).all();
  const links = users.length
    ? db
        .select()
        .from(staffOffices)
        .where(
          inArray(
            staffOffices.staffId,
            users.map((u) => u.id),
          ),
        )
        .all()
    : [];
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    status: u.status,
    officeIds: links
      .filter((l) => l.staffId === u.id)
      .map((l) => l.officeId)
      .sort(),
    enrolmentExpiresAt: u.enrolmentExpiresAt,
    createdAt: u.createdAt,
  }));
}

export function findStaff(db: PortalDb, staffId: string): StaffListRow | null {
  return listStaff(db).find((row) => row.id === staffId) ?? null;
}
