import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { contactAttempts } from '../../db/schema/casework.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { firstContactSlots } from '../../db/schema/scheduling.ts';
import type { PortalDb } from '../../db/client.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { refreshMissedSlot } from './first-contact.ts';
import type { NotifyContext } from './notify.ts';
import { sweepAppointmentReminders, sweepPlanWindowReminders } from './reminders.ts';
import { NEEDS_CONTACT_STATUSES } from './statuses.ts';

/**
 * Casework the alert scheduler does every minute, so nothing waits for someone to open a record: a proposed
 * first contact whose time passed with no attempt is marked missed and a new one proposed.
 */

/** Referrals still waiting for first contact whose proposed slot ended by `now` with no attempt since it began. */
function referralsWithMissedSlots(db: PortalDb, now: Date) {
  return db
    .select({
      id: referrals.id,
      reference: referrals.reference,
      status: referrals.status,
      priority: referrals.priority,
      contactBy: referrals.contactBy,
      receivedAt: referrals.receivedAt,
      officeId: referrals.officeId,
      ruleVersion: referrals.ruleVersion,
    })
    .from(firstContactSlots)
    .innerJoin(referrals, eq(referrals.id, firstContactSlots.referralId))
    .where(
      and(
        eq(firstContactSlots.kind, 'slot'),
        lte(firstContactSlots.endsAt, now),
        inArray(referrals.status, [...NEEDS_CONTACT_STATUSES]),
        sql`NOT EXISTS (SELECT 1 FROM ${contactAttempts} WHERE ${contactAttempts.referralId} = ${referrals.id}
              AND ${contactAttempts.attemptedAt} >= ${firstContactSlots.startsAt})`,
      ),
    )
    .all();
}

/** Marks every missed first-contact slot and proposes a new one. Returns how many were missed. */
export function sweepMissedSlots(db: PortalDb, keyring: Keyring, now: Date): number {
  let missed = 0;
  for (const referral of referralsWithMissedSlots(db, now)) {
    if (refreshMissedSlot(db, keyring, referral, now)) missed += 1;
  }
  return missed;
}

/** Everything casework does on the scheduler's minute. */
export function runCaseworkSweep(
  db: PortalDb,
  ctx: NotifyContext,
  now: Date,
): { missedSlots: number; reminders: number } {
  const missedSlots = sweepMissedSlots(db, ctx.keyring, now);
  const reminders =
    db.transaction(() => sweepPlanWindowReminders(db, ctx, now)) +
    db.transaction(() => sweepAppointmentReminders(db, ctx, now));
  return { missedSlots, reminders };
}
