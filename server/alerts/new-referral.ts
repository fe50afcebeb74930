import { eq } from 'drizzle-orm';
import { offices } from '../../db/schema/offices.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { bookFirstContact, type StoredFirstContactSlot } from '../offices/first-contact.ts';
import type { SqliteDb } from '../offices/db.ts';
import { alertAddressesFor } from '../offices/recipients.ts';
import { calendarFor } from '../offices/calendar.ts';
import { workingWindow, londonDate } from '../scheduling/calendar.ts';
import type { SafeTime, SlotFallbackReasonId } from '../scheduling/types.ts';
import type { Keyring } from '../security/field-encryption.ts';
import type { Priority } from '../triage/types.ts';
import { backOfficeReferralUrl } from './format.ts';
import { capacityShortAlert, newReferralAlert, SAFE_TIMES_OUTSIDE_OFFICE_HOURS_TEXT } from './templates.ts';

/** What the alerts need to know about a referral that has just been stored. Nothing here goes into an email except the reference, priority and times. */
export interface NewReferralFacts {
  referralId: string;
  reference: string;
  officeId: string;
  priority: Priority;
  receivedAt: Date;
  contactBy: Date;
  /** His contact preferences, for the slot only. */
  phoneSafe: boolean;
  emailSafe: boolean;
  safeTimes: SafeTime[];
  /** No safe time to call him is inside office hours before day 7 (server/scheduling/safe-deadline.ts). */
  safeTimesOutsideOfficeHours?: boolean;
}

export interface AlertDeps {
  keyring: Keyring;
  publicBaseUrl: string;
}

export interface NewReferralOutcome {
  /** Null only if the slot could not be worked out (broken settings): the alerts still go. */
  slot: StoredFirstContactSlot | null;
  outOfHours: boolean;
  /** Outbox ids queued (empty when this referral had already been handled). */
  queued: string[];
}

export const newReferralDedupeKey = (referralId: string) => `referral:${referralId}:new`;
export const capacityDedupeKey = (referralId: string) => `referral:${referralId}:capacity`;

export function officeName(db: SqliteDb, officeId: string): string {
  return db.select({ name: offices.name }).from(offices).where(eq(offices.id, officeId)).get()?.name ?? officeId;
}

/**
 * Books the slot in a savepoint. A settings problem (say, a caseworker pattern edited by hand into something
 * unreadable) must cost the slot, never the referral or its alerts: the referral transaction goes on without it.
 */
function bookSlotOrNull(db: SqliteDb, referral: NewReferralFacts, now: Date): StoredFirstContactSlot | null {
  try {
    return db.transaction((savepoint) =>
      bookFirstContact(
        savepoint,
        {
          referralId: referral.referralId,
          officeId: referral.officeId,
          receivedAt: referral.receivedAt,
          deadline: referral.contactBy,
          phoneSafe: referral.phoneSafe,
          emailSafe: referral.emailSafe,
          safeTimes: referral.safeTimes,
        },
        now,
      ),
    );
  } catch {
    return null;
  }
}

/** True when `at` is outside the office's working window for that day (evenings, weekends, holidays, closures). */
export function isOutOfHours(db: SqliteDb, officeId: string, at: Date): boolean {
  const window = workingWindow(londonDate(at), calendarFor(db, officeId));
  return !window || at.getTime() < window.start.getTime() || at.getTime() >= window.end.getTime();
}

/**
 * Runs inside the referral transaction (synchronous, no I/O): books the proposed first-contact slot and
 * queues the alerts, so they commit with the referral or not at all. Call the outbox signal's notify()
 * after the commit to send them at once.
 *
 * - every referral: the office's triage list;
 * - Today: the duty list as well, in the same message, in or out of hours;
 * - no slot fits before the deadline for office reasons: the managers, that capacity is short.
 */
export function handleNewReferral(
  db: SqliteDb,
  deps: AlertDeps,
  referral: NewReferralFacts,
  now: Date,
): NewReferralOutcome {
  const slot = bookSlotOrNull(db, referral, now);
  const outOfHours = isOutOfHours(db, referral.officeId, referral.receivedAt);
  const link = backOfficeReferralUrl(deps.publicBaseUrl, referral.referralId);
  const facts = {
    reference: referral.reference,
    priority: referral.priority,
    contactBy: referral.contactBy,
    link,
    officeName: officeName(db, referral.officeId),
  };
  const queued: string[] = [];

  const alert = newReferralAlert({
    ...facts,
    receivedAt: referral.receivedAt,
    outOfHours,
    proposedSlotStart: slot?.kind === 'slot' ? slot.startsAt : null,
  });
  const newId = enqueueEmail(
    db,
    deps.keyring,
    {
      kind: 'referral_alert',
      to: alertAddressesFor(db, referral.officeId, referral.priority === 'today' ? ['triage', 'duty'] : ['triage']),
      subject: alert.subject,
      text: alert.text,
      dedupeKey: newReferralDedupeKey(referral.referralId),
    },
    now,
  );
  if (newId) queued.push(newId);

  if (slot?.kind === 'deadline_fallback' && slot.reasonId !== null && slot.reasonId !== 'no_safe_channel') {
    const warning = capacityShortAlert({
      ...facts,
      reasonId: slot.reasonId as Exclude<SlotFallbackReasonId, 'no_safe_channel'>,
      // Not a shortage of caseworkers: say exactly why, so a manager arranges an evening call or an email.
      ...(referral.safeTimesOutsideOfficeHours ? { reasonText: SAFE_TIMES_OUTSIDE_OFFICE_HOURS_TEXT } : {}),
    });
    const capacityId = enqueueEmail(
      db,
      deps.keyring,
      {
        kind: 'capacity_short',
        to: alertAddressesFor(db, referral.officeId, ['managers']),
        subject: warning.subject,
        text: warning.text,
        dedupeKey: capacityDedupeKey(referral.referralId),
      },
      now,
    );
    if (capacityId) queued.push(capacityId);
  }
  return { slot, outOfHours, queued };
}
