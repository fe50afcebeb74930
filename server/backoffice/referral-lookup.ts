import { inArray } from 'drizzle-orm';
import { referrals } from '../../db/schema/referrals.ts';
import type { PortalDb } from '../../db/client.ts';

/** Referral references for a list of referral ids (for the audit screen). */
export function referralReferencesFor(db: PortalDb, ids: string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map(
    db
      .select({ id: referrals.id, reference: referrals.reference })
      .from(referrals)
      .where(inArray(referrals.id, unique))
      .all()
      .map((row) => [row.id, row.reference]),
  );
}
