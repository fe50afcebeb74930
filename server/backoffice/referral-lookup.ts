import type { PortalDb } from '../../db/client.ts';

/**
 * Referral references for a list of referral ids (for the audit screen). Filled in once the referral table exists.
 */
export function referralReferencesFor(_db: PortalDb, _ids: string[]): Map<string, string> {
  return new Map();
}
