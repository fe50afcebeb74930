import type { referrals } from '../../db/schema/referrals.ts';

/** What casework needs to know about a referral to act on it (read once per request by the back office). */
export type ReferralHead = Pick<
  typeof referrals.$inferSelect,
  'id' | 'reference' | 'status' | 'priority' | 'contactBy' | 'receivedAt' | 'officeId' | 'ruleVersion'
>;

/** Encrypted text staff write about him carries the AAD `casework:<table>:<row id>`. */
export const casenoteAad = (table: string, id: string) => `casework:${table}:${id}`;

export type ActionResult<T = unknown> =
  ({ ok: true; message: string } & T) | { ok: false; errors: Record<string, string> };

export const fail = (field: string, message: string): { ok: false; errors: Record<string, string> } => ({
  ok: false,
  errors: { [field]: message },
});

export const REASON_MAX = 1000;
export const NOTE_MAX = 5000;
