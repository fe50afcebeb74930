import { eq } from 'drizzle-orm';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { openReferralsOf } from '../casework/handover.ts';
import type { StaffRole } from '../staff/roles.ts';

/**
 * Where someone lands after signing in when no screen was waiting for them (a `next` address, or a form kept at
 * the idle timeout, always wins):
 * - caseworkers: My work, their day's work;
 * - managers: My work when they carry referrals themselves, otherwise the inbox they oversee;
 * - administrators: the staff list (they manage the service and do no casework).
 */
export const MY_WORK_PATH = '/staff/my-work';
export const INBOX_PATH = '/staff';
export const ADMIN_START_PATH = '/staff/admin/staff';

export function startPathFor(role: StaffRole, carriesReferrals: boolean): string {
  if (role === 'admin') return ADMIN_START_PATH;
  if (role === 'caseworker') return MY_WORK_PATH;
  return carriesReferrals ? MY_WORK_PATH : INBOX_PATH;
}

/** The start page of a member of staff, read from the database (their role, and whether they hold open referrals). */
export function startPathOf(db: PortalDb, staffId: string): string {
  const row = db.select({ role: staffUsers.role }).from(staffUsers).where(eq(staffUsers.id, staffId)).get();
  if (!row) return INBOX_PATH;
  return startPathFor(row.role, row.role === 'manager' && openReferralsOf(db, staffId).length > 0);
}
