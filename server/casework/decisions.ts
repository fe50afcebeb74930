import { and, eq, isNull } from 'drizzle-orm';
import { escalations } from '../../db/schema/casework.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { decryptField, encryptField, type Keyring } from '../security/field-encryption.ts';
import { openEscalation, readableReferral } from './actions.ts';
import { closeReferral, type StatusResult } from './closing.ts';
import { contactPlan, type ContactPlan } from './contact-plan.ts';
import { incidentsFor, type IncidentView } from './incidents.ts';
import { notifyAssignee, type NotifyContext } from './notify.ts';
import { safeContactFrom } from './safe-contact.ts';
import { contactLog, groupFlags, UNREADABLE_TEXT, type ContactLogEntry, type FlagGroups } from './contact-log.ts';
import { casenoteAad, fail, REASON_MAX, type ReferralHead } from './types.ts';

/**
 * A manager's decision on a referral "with a manager": the attempts, the flags and the options (another attempt,
 * a GP welfare check where he consented, safeguarding action, close with a reason), and the decision recorded.
 */

export const DECISION_OPTIONS = ['another_attempt', 'gp_welfare_check', 'safeguarding_action', 'close'] as const;
export type DecisionOption = (typeof DECISION_OPTIONS)[number];
export const DECISION_LABELS: Record<DecisionOption, string> = {
  another_attempt: 'Another attempt (the caseworker keeps trying)',
  gp_welfare_check: 'Ask his GP to check on him',
  safeguarding_action: 'Safeguarding action',
  close: 'Close, with a reason',
};

export interface DecisionData {
  escalation: { id: string; raisedAt: Date; raisedByName: string; note: string | null } | null;
  /** The contact log, newest first (the record shows the same entries). */
  attempts: ContactLogEntry[];
  /** Triage flags grouped as the record shows them (safeguarding, contact, admin). */
  flags: FlagGroups;
  plan: ContactPlan | null;
  incidents: IncidentView[];
  options: Array<{ value: DecisionOption; label: string; available: boolean; why: string | null }>;
}

export function decisionData(db: PortalDb, keyring: Keyring, referral: ReferralHead, now: Date): DecisionData {
  const open = openEscalation(db, referral.id);
  const loaded = readableReferral(db, keyring, referral.id);
  const safe = loaded ? safeContactFrom(loaded.answers) : null;
  const plan = safe ? contactPlan(db, referral, safe, now) : null;
  const nameOf = (id: string) =>
    db.select({ name: staffUsers.name }).from(staffUsers).where(eq(staffUsers.id, id)).get()?.name ?? 'Unknown';
  let note: string | null = null;
  if (open?.decisionNoteEnc) {
    try {
      note = decryptField(keyring, open.decisionNoteEnc, casenoteAad('escalations', open.id));
    } catch {
      note = UNREADABLE_TEXT;
    }
  }
  const attempts = contactLog(db, keyring, referral.id);
  const gp = safe?.gpWelfareCheck ?? false;
  return {
    escalation: open ? { id: open.id, raisedAt: open.raisedAt, raisedByName: nameOf(open.raisedBy), note } : null,
    attempts,
    flags: groupFlags(loaded?.triage.result.flags ?? [], loaded?.answers ?? null),
    plan,
    incidents: incidentsFor(db, keyring, referral.id),
    options: [
      { value: 'another_attempt', label: DECISION_LABELS.another_attempt, available: true, why: null },
      {
        value: 'gp_welfare_check',
        label: DECISION_LABELS.gp_welfare_check,
        available: gp,
        why: gp ? null : 'He did not agree to us contacting his GP.',
      },
      { value: 'safeguarding_action', label: DECISION_LABELS.safeguarding_action, available: true, why: null },
      {
        value: 'close',
        label: DECISION_LABELS.close,
        available: !plan || plan.exhausted || plan.reached,
        why:
          plan && !plan.exhausted && !plan.reached
            ? `The contact plan is not finished: ${plan.missing.join('; ')}.`
            : null,
      },
    ],
  };
}

export function recordDecision(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { option: string; reason: string; closedReason: string; whereTo: string; futureAppointments: string },
  context: NotifyContext,
  now: Date,
): StatusResult {
  if (staff.role !== 'manager') return fail('option', 'Only a manager can record a decision.');
  const open = openEscalation(db, referral.id);
  if (!open) return fail('option', 'This referral is not waiting for a manager.');
  if (!(DECISION_OPTIONS as readonly string[]).includes(input.option))
    return fail('option', 'Choose what happens next.');
  const option = input.option as DecisionOption;
  const reason = input.reason.trim();
  if (reason.length < 5) return fail('reason', 'Say why. This is kept with the referral.');
  if (reason.length > REASON_MAX) return fail('reason', `The reason must be ${REASON_MAX} characters or fewer.`);
  const data = decisionData(db, keyring, referral, now);
  const chosen = data.options.find((o) => o.value === option)!;
  if (!chosen.available) return fail('option', chosen.why ?? 'That is not possible here.');

  if (option === 'close') {
    const closed = closeReferral(
      db,
      keyring,
      staff,
      referral,
      {
        closedReason: input.closedReason || 'unable_to_contact',
        reason,
        whereTo: input.whereTo,
        futureAppointments: input.futureAppointments,
      },
      context,
      now,
    );
    if (!closed.ok) return closed;
  }
  db.transaction((tx) => {
    tx.update(escalations)
      .set({
        resolvedAt: now,
        resolvedBy: staff.id,
        decision: option,
        decisionNoteEnc: encryptField(keyring, reason, casenoteAad('escalations', open.id)),
      })
      .where(and(eq(escalations.id, open.id)))
      .run();
    // closeReferral resolved it without a decision; make sure the decision is on the row either way.
    tx.update(escalations)
      .set({ decision: option })
      .where(and(eq(escalations.id, open.id), isNull(escalations.decision)))
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'manager_decision_recorded',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { decision: option },
      },
      now,
    );
    notifyAssignee(tx, context, referral, 'decision', staff.id, now);
  });
  return {
    ok: true,
    escalated: false,
    message:
      option === 'close'
        ? 'Decision recorded: the referral is closed.'
        : `Decision recorded: ${DECISION_LABELS[option].toLowerCase()}.`,
  };
}
