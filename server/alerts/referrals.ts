import { asc, inArray } from 'drizzle-orm';
import { referrals } from '../../db/schema/referrals.ts';
import { NEEDS_CONTACT_STATUSES } from '../casework/statuses.ts';
import type { SqliteDb } from '../offices/db.ts';
import type { OnReferralStored } from '../referrals/service.ts';
import { triageInputFromAnswers } from '../referrals/triage-input.ts';
import { safeTimesFromAnswers } from '../referrals/assessment.ts';
import type { OutboxSignal } from '../mail/signal.ts';
import type { UncontactedReferral } from './escalations.ts';
import { handleNewReferral, type AlertDeps } from './new-referral.ts';

/**
 * Where alerts meet the referral service. The hook runs inside the referral transaction: it books the
 * first-contact slot and queues the alerts, then asks the worker (on a later tick, after the commit) to send.
 */
export function onReferralStoredHook(deps: AlertDeps & { signal: OutboxSignal }): OnReferralStored {
  return (tx, referral, now) => {
    // The referral service's own mapping decides which channels are safe, so both agree.
    const input = triageInputFromAnswers(referral.answers);
    handleNewReferral(
      tx,
      deps,
      {
        referralId: referral.id,
        reference: referral.reference,
        officeId: referral.officeId,
        priority: referral.priority,
        receivedAt: referral.receivedAt,
        contactBy: referral.contactBy,
        phoneSafe: input.phoneSafe,
        emailSafe: input.emailSafe,
        safeTimes: safeTimesFromAnswers(referral.answers),
        safeTimesOutsideOfficeHours: referral.deadline.notes.some(
          (note) => note.id === 'safe_times_outside_office_hours',
        ),
      },
      now,
    );
    deps.signal.notify();
  };
}

/**
 * Referrals nobody has reached yet: the back office's "needs contact" statuses ('new', and
 * 'contact_attempted' after tries that did not reach him). Reaching him, booking an appointment or closing
 * the referral moves it out, and escalations stop.
 */
export function uncontactedReferrals(db: SqliteDb): UncontactedReferral[] {
  return db
    .select({
      referralId: referrals.id,
      reference: referrals.reference,
      officeId: referrals.officeId,
      priority: referrals.priority,
      receivedAt: referrals.receivedAt,
      contactBy: referrals.contactBy,
    })
    .from(referrals)
    .where(inArray(referrals.status, [...NEEDS_CONTACT_STATUSES]))
    .orderBy(asc(referrals.contactBy))
    .all();
}
