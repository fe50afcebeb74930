import type { PortalDb } from '../../db/client.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { deleteReferralData, removeMailFiles } from './delete.ts';
import { activeHold, HOLD_KINDS, type HoldKind } from './holds.ts';

/** Erasure on request (UK GDPR Article 17), decided by a manager or admin, refused while a legal hold stands. */

export const ERASURE_REASONS = {
  his_request: 'He asked for his data to be erased, and no exemption applies',
  consent_withdrawn: 'He withdrew consent and no other lawful basis applies',
  not_needed: 'The data is no longer needed for the purpose it was collected for',
  unlawful: 'The data was processed unlawfully or by mistake',
} as const;
export type ErasureReason = keyof typeof ERASURE_REASONS;

export type ErasureResult =
  | { ok: true; message: string }
  | { ok: false; errors: Record<string, string>; refusedByHold?: { kind: string; placedAt: Date; reviewBy: string } };

export function eraseReferral(
  db: PortalDb,
  keyring: Keyring,
  referral: { id: string; officeId: string; reference: string },
  input: { reason: string; confirm: string },
  staffId: string,
  now: Date,
  mailDir: string | null,
): ErasureResult {
  const hold = activeHold(db, referral.id);
  if (hold) {
    recordAudit(
      db,
      {
        actorId: staffId,
        action: 'erasure_refused',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { holdId: hold.id, holdKind: hold.kind },
      },
      now,
    );
    return {
      ok: false,
      errors: {
        reason: `This record cannot be erased: a legal hold (${HOLD_KINDS[hold.kind as HoldKind] ?? hold.kind}) stands until a manager releases it. Review the hold first.`,
      },
      refusedByHold: { kind: hold.kind, placedAt: hold.placedAt, reviewBy: hold.reviewBy },
    };
  }
  const errors: Record<string, string> = {};
  if (!(input.reason in ERASURE_REASONS)) errors.reason = 'Choose why the record is being erased.';
  if (input.confirm.trim().toUpperCase() !== referral.reference.toUpperCase())
    errors.confirm = `Type the reference ${referral.reference} to confirm: erasure cannot be undone.`;
  if (Object.keys(errors).length) return { ok: false, errors };
  const outboxIds = db.transaction((tx) => {
    const result = deleteReferralData(tx, keyring, referral.id, 'erasure', now);
    recordAudit(
      tx,
      {
        actorId: staffId,
        action: 'referral_deleted',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { rule: 'erasure', reason: input.reason, decidedBy: staffId },
      },
      now,
    );
    return result.outboxIds;
  });
  removeMailFiles(mailDir, outboxIds);
  return {
    ok: true,
    message: `Referral ${referral.reference} was erased. Only a de-identified statistics row remains.`,
  };
}
