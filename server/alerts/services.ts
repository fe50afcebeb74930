import type { PortalDb } from '../../db/client.ts';
import type { OutboxSignal } from '../mail/signal.ts';
import { calendarFor } from '../offices/calendar.ts';
import { getFirstContactSlot } from '../offices/first-contact.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { explainReferral } from './explain.ts';
import { onReferralStoredHook } from './referrals.ts';

/**
 * The alerts part of `services`. `calendarFor` and `onReferralStored` are what the referral service is built
 * with: deadlines in each office's own calendar, and the slot and alerts written in the referral's transaction.
 */
export function createAlertServices(deps: {
  db: PortalDb;
  keyring: Keyring;
  publicBaseUrl: string;
  signal: OutboxSignal;
}) {
  return {
    calendarFor: (officeId: string) => calendarFor(deps.db, officeId),
    onReferralStored: onReferralStoredHook({
      keyring: deps.keyring,
      publicBaseUrl: deps.publicBaseUrl,
      signal: deps.signal,
    }),
    /** The first-contact slot proposed when the referral arrived (for the referral page). */
    firstContactSlot: (referralId: string) => getFirstContactSlot(deps.db, referralId),
    /** What triage would decide for a referral body at `at`, storing nothing (as `npm run triage:explain`). */
    explain: (body: unknown, at: Date) => explainReferral(deps.db, body, at),
  };
}

export type AlertServices = ReturnType<typeof createAlertServices>;
