import { and, eq, gte } from 'drizzle-orm';
import { contactAttempts } from '../../db/schema/casework.ts';
import { firstContactSlots } from '../../db/schema/scheduling.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { PortalDb } from '../../db/client.ts';
import { recordAudit } from '../audit/audit.ts';
import { DEFAULT_SLOT_MINUTES } from '../scheduling/slot.ts';
import { getFirstContactSlot, proposeFirstContact, type StoredFirstContactSlot } from '../offices/first-contact.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { loadReferralAnswers, ReferralDataTamperedError } from '../referrals/store.ts';
import type { SafeContact } from './safe-contact.ts';
import { safeContactFrom } from './safe-contact.ts';
import { isCountingDown } from './statuses.ts';
import type { ReferralHead } from './types.ts';

/**
 * The proposed first contact after the referral arrived: proposed again when the deadline changes (a priority
 * change), and when a proposed slot passed without anyone reaching him (it is marked missed in the audit trail
 * and on the new proposal, and a new one is proposed from now).
 */

/** Replaces the referral's proposed first contact with a new proposal from `now` to its (current) deadline. */
export function reproposeFirstContact(
  tx: DbWriter,
  referral: Pick<ReferralHead, 'id' | 'officeId' | 'contactBy' | 'receivedAt'>,
  safe: Pick<SafeContact, 'phoneSafe' | 'emailSafe' | 'safeTimes'>,
  now: Date,
  replacesMissedAt: Date | null,
): StoredFirstContactSlot {
  tx.delete(firstContactSlots).where(eq(firstContactSlots.referralId, referral.id)).run();
  const from = now.getTime() > referral.receivedAt.getTime() ? now : referral.receivedAt;
  const proposal = proposeFirstContact(tx, {
    officeId: referral.officeId,
    receivedAt: from,
    deadline: referral.contactBy,
    phoneSafe: safe.phoneSafe,
    emailSafe: safe.emailSafe,
    safeTimes: [...safe.safeTimes],
  });
  const row: StoredFirstContactSlot =
    proposal.kind === 'slot'
      ? {
          referralId: referral.id,
          officeId: referral.officeId,
          kind: 'slot',
          staffId: proposal.staffId,
          startsAt: proposal.start,
          endsAt: proposal.end,
          channel: proposal.channel,
          reasonId: null,
          reason: null,
        }
      : {
          referralId: referral.id,
          officeId: referral.officeId,
          kind: 'deadline_fallback',
          staffId: null,
          startsAt: proposal.start,
          endsAt: new Date(
            Math.max(
              proposal.start.getTime(),
              Math.min(referral.contactBy.getTime(), proposal.start.getTime() + DEFAULT_SLOT_MINUTES * 60_000),
            ),
          ),
          channel: null,
          reasonId: proposal.reasonId,
          reason: proposal.reason,
        };
  tx.insert(firstContactSlots)
    .values({ ...row, replacesMissedAt, createdAt: now })
    .run();
  return row;
}

/**
 * A proposed slot whose time has passed while he still waits, with no attempt made since it started, is
 * missed: recorded, and a new one proposed. Returns the new slot, or null when nothing was missed.
 */
export function refreshMissedSlot(
  db: PortalDb,
  keyring: Keyring,
  referral: ReferralHead,
  now: Date,
): StoredFirstContactSlot | null {
  if (!isCountingDown(referral.status)) return null;
  const slot = getFirstContactSlot(db, referral.id);
  if (!slot || slot.kind !== 'slot' || slot.endsAt.getTime() > now.getTime()) return null;
  const triedSince = db
    .select({ id: contactAttempts.id })
    .from(contactAttempts)
    .where(and(eq(contactAttempts.referralId, referral.id), gte(contactAttempts.attemptedAt, slot.startsAt)))
    .get();
  if (triedSince) return null;
  let safe: SafeContact;
  try {
    const loaded = loadReferralAnswers(db, keyring, referral.id);
    if (!loaded) return null;
    safe = safeContactFrom(loaded.answers);
  } catch (error) {
    if (error instanceof ReferralDataTamperedError) return null;
    throw error;
  }
  return db.transaction((tx) => {
    recordAudit(
      tx,
      {
        actorId: null,
        action: 'first_contact_slot_missed',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { startsAt: slot.startsAt.toISOString() },
      },
      now,
    );
    return reproposeFirstContact(tx, referral, safe, now, slot.startsAt);
  });
}
