import { eq } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import { recordAudit } from '../../audit/audit.ts';
import { CASEWORK_ROLES } from '../../staff/roles.ts';

/**
 * Who may see a referral: caseworkers and managers of the referral's office. Checked on the server for every
 * request that names a referral, whatever the route's role rule already said.
 */
export function mayWorkOn(staff: Pick<SessionStaff, 'role' | 'officeIds'>, officeId: string): boolean {
  return CASEWORK_ROLES.includes(staff.role) && staff.officeIds.includes(officeId);
}

export type { ReferralHead } from '../../casework/types.ts';
import type { ReferralHead } from '../../casework/types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The referral if this member of staff may work on it, else null. The answer is the same for "no such
 * referral" and "another office's referral" (both become "page not found"), and a refused look at a real one is
 * audited so that browsing by id shows up.
 */
export function referralForStaff(
  db: PortalDb,
  staff: SessionStaff,
  referralId: string,
  now: Date,
): ReferralHead | null {
  if (!UUID.test(referralId)) return null;
  const row = db
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
    .from(referrals)
    .where(eq(referrals.id, referralId))
    .get();
  if (!row) return null;
  if (!mayWorkOn(staff, row.officeId)) {
    recordAudit(
      db,
      {
        actorId: staff.id,
        action: 'referral_access_denied',
        referralId: row.id,
        officeId: row.officeId,
        detail: { role: staff.role },
      },
      now,
    );
    return null;
  }
  return row;
}
