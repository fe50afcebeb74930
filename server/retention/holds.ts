import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { legalHolds, safeguardingMarkers } from '../../db/schema/lifecycle.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { recordAudit } from '../audit/audit.ts';
import { decryptField, encryptField, type Keyring } from '../security/field-encryption.ts';
import { legalHoldAad } from './aad.ts';

/** Legal holds: while one stands, a referral is never deleted (by retention or on request). */

export const HOLD_KINDS = {
  court_order: 'Court order or police request',
  safeguarding_review: 'Safeguarding review',
  complaint_or_claim: 'Complaint or legal claim',
  other: 'Other',
} as const;
export type HoldKind = keyof typeof HOLD_KINDS;

export interface HoldView {
  id: string;
  referralId: string;
  reference: string;
  officeId: string;
  kind: HoldKind;
  reason: string;
  placedBy: string;
  placedAt: Date;
  reviewBy: string;
  reviewedAt: Date | null;
  releasedAt: Date | null;
}

export function activeHold(db: PortalDb, referralId: string) {
  return (
    db
      .select()
      .from(legalHolds)
      .where(and(eq(legalHolds.referralId, referralId), isNull(legalHolds.releasedAt)))
      .get() ?? null
  );
}

/** Holds on referrals of these offices (all offices for admins), standing ones first. */
export function listHolds(db: PortalDb, keyring: Keyring, officeIds: readonly string[] | 'all'): HoldView[] {
  const rows = db
    .select({
      hold: legalHolds,
      reference: referrals.reference,
      officeId: referrals.officeId,
      placedByName: staffUsers.name,
    })
    .from(legalHolds)
    .innerJoin(referrals, eq(referrals.id, legalHolds.referralId))
    .innerJoin(staffUsers, eq(staffUsers.id, legalHolds.placedBy))
    .orderBy(asc(legalHolds.reviewBy))
    .all();
  return rows
    .filter((row) => officeIds === 'all' || officeIds.includes(row.officeId))
    .map((row) => ({
      id: row.hold.id,
      referralId: row.hold.referralId,
      reference: row.reference,
      officeId: row.officeId,
      kind: row.hold.kind as HoldKind,
      reason: decryptField(keyring, row.hold.reasonEnc, legalHoldAad(row.hold.id)),
      placedBy: row.placedByName,
      placedAt: row.hold.placedAt,
      reviewBy: row.hold.reviewBy,
      reviewedAt: row.hold.reviewedAt,
      releasedAt: row.hold.releasedAt,
    }))
    .sort((a, b) => Number(a.releasedAt !== null) - Number(b.releasedAt !== null));
}

export type HoldResult = { ok: true; message: string } | { ok: false; errors: Record<string, string> };

export function placeHold(
  db: PortalDb,
  keyring: Keyring,
  input: { referralId: string; officeId: string; kind: string; reason: string; reviewBy: string },
  staffId: string,
  now: Date,
): HoldResult {
  const errors: Record<string, string> = {};
  if (!(input.kind in HOLD_KINDS)) errors.kind = 'Choose what kind of hold this is.';
  const reason = input.reason.trim();
  if (reason.length < 5) errors.reason = 'Say why the record must be kept, for example which order or review.';
  if (reason.length > 2000) errors.reason = 'Keep the reason under 2,000 characters.';
  const today = now.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.reviewBy) || input.reviewBy <= today)
    errors.reviewBy = 'Enter a review date after today, like 2027-01-31.';
  if (activeHold(db, input.referralId)) errors.kind = 'This referral already has a legal hold.';
  if (Object.keys(errors).length) return { ok: false, errors };
  const id = randomUUID();
  db.transaction((tx) => {
    tx.insert(legalHolds)
      .values({
        id,
        referralId: input.referralId,
        kind: input.kind,
        reasonEnc: encryptField(keyring, reason, legalHoldAad(id)),
        placedBy: staffId,
        placedAt: now,
        reviewBy: input.reviewBy,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staffId,
        action: 'legal_hold_placed',
        referralId: input.referralId,
        officeId: input.officeId,
        detail: { holdId: id, kind: input.kind, reviewBy: input.reviewBy },
      },
      now,
    );
  });
  return { ok: true, message: 'Legal hold placed: this referral will not be deleted while it stands.' };
}

export function reviewHold(
  db: PortalDb,
  input: { referralId: string; officeId: string; decision: string; reviewBy: string },
  staffId: string,
  now: Date,
): HoldResult {
  const hold = activeHold(db, input.referralId);
  if (!hold) return { ok: false, errors: { decision: 'There is no legal hold on this referral.' } };
  if (input.decision === 'release') {
    db.transaction((tx) => {
      tx.update(legalHolds)
        .set({ releasedAt: now, releasedBy: staffId, reviewedAt: now })
        .where(eq(legalHolds.id, hold.id))
        .run();
      recordAudit(
        tx,
        {
          actorId: staffId,
          action: 'legal_hold_released',
          referralId: input.referralId,
          officeId: input.officeId,
          detail: { holdId: hold.id },
        },
        now,
      );
    });
    return { ok: true, message: 'Legal hold released: the retention policy applies again.' };
  }
  const today = now.toISOString().slice(0, 10);
  if (input.decision !== 'keep') return { ok: false, errors: { decision: 'Choose to keep or release the hold.' } };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.reviewBy) || input.reviewBy <= today)
    return { ok: false, errors: { reviewBy: 'Enter the next review date, after today, like 2027-01-31.' } };
  db.transaction((tx) => {
    tx.update(legalHolds).set({ reviewedAt: now, reviewBy: input.reviewBy }).where(eq(legalHolds.id, hold.id)).run();
    recordAudit(
      tx,
      {
        actorId: staffId,
        action: 'legal_hold_reviewed',
        referralId: input.referralId,
        officeId: input.officeId,
        detail: { holdId: hold.id, reviewBy: { before: hold.reviewBy, after: input.reviewBy } },
      },
      now,
    );
  });
  return { ok: true, message: 'Hold reviewed and kept.' };
}

export function markSafeguarding(
  db: PortalDb,
  referral: { id: string; officeId: string },
  staffId: string,
  now: Date,
): HoldResult {
  const existing = db.select().from(safeguardingMarkers).where(eq(safeguardingMarkers.referralId, referral.id)).get();
  if (existing) return { ok: false, errors: { safeguarding: 'A safeguarding concern is already recorded.' } };
  db.transaction((tx) => {
    tx.insert(safeguardingMarkers).values({ referralId: referral.id, markedBy: staffId, markedAt: now }).run();
    recordAudit(
      tx,
      { actorId: staffId, action: 'safeguarding_marked', referralId: referral.id, officeId: referral.officeId },
      now,
    );
  });
  return { ok: true, message: 'Safeguarding concern recorded: this record is kept for the longest period.' };
}
