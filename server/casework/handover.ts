import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { referralAssignments } from '../../db/schema/casework.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { assignableStaff, writeAssignment } from './actions.ts';
import { notifyAssignee, type NotifyContext } from './notify.ts';
import { fail, type ActionResult } from './types.ts';
import type { Priority } from '../triage/types.ts';

/**
 * When someone leaves: their open referrals are listed when they are disabled, stay findable under their name
 * in the "assigned to" filter, and a manager reassigns them in one go.
 */

export interface OpenReferral {
  id: string;
  reference: string;
  priority: Priority;
  status: string;
  contactBy: Date;
  officeId: string;
}

export function openReferralsOf(db: PortalDb, staffId: string, officeIds?: readonly string[]): OpenReferral[] {
  return db
    .select({
      id: referrals.id,
      reference: referrals.reference,
      priority: referrals.priority,
      status: referrals.status,
      contactBy: referrals.contactBy,
      officeId: referrals.officeId,
    })
    .from(referralAssignments)
    .innerJoin(referrals, eq(referrals.id, referralAssignments.referralId))
    .where(
      and(
        eq(referralAssignments.staffId, staffId),
        ne(referrals.status, 'closed'),
        ...(officeIds ? [inArray(referrals.officeId, officeIds.length ? [...officeIds] : ['-'])] : []),
      ),
    )
    .orderBy(asc(referrals.contactBy))
    .all();
}

/**
 * Who the "assigned to" filter offers for these offices: everyone active who can hold referrals, and anyone
 * disabled who still holds open ones (marked), so their referrals never vanish from view.
 */
export function assigneeFilterOptions(
  db: PortalDb,
  officeIds: readonly string[],
): Array<{ id: string; name: string; disabled: boolean; openCount: number }> {
  if (officeIds.length === 0) return [];
  const people = new Map<string, { id: string; name: string; disabled: boolean; openCount: number }>();
  for (const officeId of officeIds)
    for (const person of assignableStaff(db, officeId))
      people.set(person.id, { ...person, disabled: false, openCount: 0 });
  const holders = db
    .select({ id: staffUsers.id, name: staffUsers.name, status: staffUsers.status, referralId: referrals.id })
    .from(referralAssignments)
    .innerJoin(referrals, eq(referrals.id, referralAssignments.referralId))
    .innerJoin(staffUsers, eq(staffUsers.id, referralAssignments.staffId))
    .where(and(inArray(referrals.officeId, [...officeIds]), ne(referrals.status, 'closed')))
    .all();
  for (const row of holders) {
    const entry = people.get(row.id) ?? { id: row.id, name: row.name, disabled: row.status !== 'active', openCount: 0 };
    entry.openCount += 1;
    people.set(row.id, entry);
  }
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A manager moves some or all of someone's open referrals (in the manager's offices) to another person. */
export function bulkReassign(
  db: PortalDb,
  staff: SessionStaff,
  input: { fromStaffId: string; toStaffId: string; referralIds: string[] },
  now: Date,
  notify?: NotifyContext,
): ActionResult<{ moved: number }> {
  if (staff.role !== 'manager') return fail('toStaffId', 'Only a manager can reassign referrals.');
  if (input.fromStaffId === input.toStaffId) return fail('toStaffId', 'Choose someone else to take them.');
  const open = openReferralsOf(db, input.fromStaffId, staff.officeIds);
  const chosen = input.referralIds.length > 0 ? open.filter((r) => input.referralIds.includes(r.id)) : open;
  if (chosen.length === 0) return fail('referralIds', 'There are no open referrals to move.');
  return moveReferrals(db, staff.id, input.fromStaffId, chosen, input.toStaffId, now, notify);
}

/**
 * Everyone who could take all of this person's open referrals: active caseworkers and managers who work for the
 * office of every one of them.
 */
export function handoverCandidates(db: PortalDb, staffId: string): Array<{ id: string; name: string }> {
  const open = openReferralsOf(db, staffId);
  const officeIds = [...new Set(open.map((r) => r.officeId))];
  if (officeIds.length === 0) return [];
  const perOffice = officeIds.map((officeId) => assignableStaff(db, officeId));
  const everywhere = (id: string) => perOffice.every((people) => people.some((p) => p.id === id));
  return (perOffice[0] ?? [])
    .filter((p) => p.id !== staffId && everywhere(p.id))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * An administrator disabling someone hands every open referral they hold to one person first (in every office).
 * The route is for administrators only; the target must be able to hold all of them.
 */
export function handOverAll(
  db: PortalDb,
  actorId: string,
  input: { fromStaffId: string; toStaffId: string },
  now: Date,
  notify?: NotifyContext,
): ActionResult<{ moved: number }> {
  if (input.fromStaffId === input.toStaffId) return fail('toStaffId', 'Choose someone else to take them.');
  const open = openReferralsOf(db, input.fromStaffId);
  if (open.length === 0) return { ok: true, moved: 0, message: 'They hold no open referrals.' };
  if (!input.toStaffId) return fail('toStaffId', 'Choose who takes their open referrals.');
  return moveReferrals(db, actorId, input.fromStaffId, open, input.toStaffId, now, notify);
}

function moveReferrals(
  db: PortalDb,
  actorId: string,
  fromStaffId: string,
  chosen: OpenReferral[],
  toStaffId: string,
  now: Date,
  notify?: NotifyContext,
): ActionResult<{ moved: number }> {
  const target = db
    .select({ id: staffUsers.id, status: staffUsers.status, role: staffUsers.role })
    .from(staffUsers)
    .where(eq(staffUsers.id, toStaffId))
    .get();
  if (!target || target.status !== 'active') return fail('toStaffId', 'Choose someone whose account is active.');
  const targetOffices = new Set(
    db
      .select({ officeId: staffOffices.officeId })
      .from(staffOffices)
      .where(eq(staffOffices.staffId, target.id))
      .all()
      .map((row) => row.officeId),
  );
  const outside = chosen.filter((r) => !targetOffices.has(r.officeId));
  if (outside.length > 0 || target.role === 'admin')
    return fail('toStaffId', 'They do not work for the office of every referral chosen. Choose someone who does.');
  db.transaction((tx) => {
    for (const referral of chosen) {
      writeAssignment(tx, referral, fromStaffId, target.id, actorId, now);
      if (notify) notifyAssignee(tx, notify, referral, 'assigned', actorId, now, target.id);
    }
    recordAudit(
      tx,
      {
        actorId,
        action: 'referrals_reassigned',
        targetStaffId: fromStaffId,
        detail: { count: chosen.length, toStaffId: target.id },
      },
      now,
    );
  });
  return {
    ok: true,
    moved: chosen.length,
    message: `${chosen.length} referral${chosen.length === 1 ? '' : 's'} reassigned.`,
  };
}
