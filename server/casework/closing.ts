import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { appointments, escalations } from '../../db/schema/casework.ts';
import type { PortalDb } from '../../db/client.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { alertAddressesFor, listRecipients } from '../offices/recipients.ts';
import { encryptField, type Keyring } from '../security/field-encryption.ts';
import { everReached, openEscalation, readableReferral, setStatus } from './actions.ts';
import { contactPlan, type ContactPlan } from './contact-plan.ts';
import { notifyAssignee, type NotifyContext } from './notify.ts';
import { safeContactFrom } from './safe-contact.ts';
import {
  canTransition,
  CLOSED_REASON_LABELS,
  CLOSED_REASONS_NEEDING_TEXT,
  isCountingDown,
  PRIORITY_LABELS,
  type ClosedReason,
  type ReferralStatus,
} from './statuses.ts';
import { casenoteAad, fail, REASON_MAX, type ReferralHead } from './types.ts';

/**
 * Closing is a decision, not a click. A referral nobody has reached is closed only by a manager, with a reason,
 * and "unable to contact" only once the contact plan is exhausted. A caseworker who has exhausted the plan asks a
 * manager (an escalation); one who has not is told what is still to try. "Not suitable" and "referred elsewhere"
 * always need the reason in words, and "referred elsewhere" says where. Closing asks what to do with future
 * appointments. A manager may reopen a closed referral, with a reason.
 */

export interface CloseInput {
  closedReason: string;
  /** Why, in the staff member's words. */
  reason: string;
  /** For "referred elsewhere": where to. */
  whereTo: string;
  /** 'cancel' or 'keep', required when future appointments are booked. */
  futureAppointments: string;
}

export type StatusResult =
  { ok: true; message: string; escalated: boolean } | { ok: false; errors: Record<string, string> };

export function futureAppointmentCount(db: DbWriter, referralId: string, now: Date): number {
  return db
    .select({ id: appointments.id })
    .from(appointments)
    .where(
      and(eq(appointments.referralId, referralId), eq(appointments.status, 'booked'), gt(appointments.startsAt, now)),
    )
    .all().length;
}

function planFor(db: PortalDb, keyring: Keyring, referral: ReferralHead, now: Date): ContactPlan | null {
  const loaded = readableReferral(db, keyring, referral.id);
  return loaded ? contactPlan(db, referral, safeContactFrom(loaded.answers), now) : null;
}

/** Status changes other than closing (closing goes through closeReferral). */
export function changeStatus(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { status: string } & Partial<CloseInput>,
  context: { publicBaseUrl: string },
  now: Date,
): StatusResult {
  const to = input.status as ReferralStatus;
  if (to === 'closed') {
    return closeReferral(
      db,
      keyring,
      staff,
      referral,
      {
        closedReason: input.closedReason ?? '',
        reason: input.reason ?? '',
        whereTo: input.whereTo ?? '',
        futureAppointments: input.futureAppointments ?? '',
      },
      context,
      now,
    );
  }
  if (!canTransition(referral.status, to) || to === 'contact_attempted' || to === 'appointment_booked') {
    return fail('status', 'That change is not possible from the current status.');
  }
  // Booking is not contact, and neither is a click: he is "in contact" only once an attempt reached him.
  if (isCountingDown(referral.status) && !everReached(db, referral.id)) {
    return fail('status', 'Nobody has reached him yet. Record the contact attempt that reached him instead.');
  }
  db.transaction((tx) => {
    setStatus(tx, referral, to, staff.id, now);
  });
  return { ok: true, escalated: false, message: 'Status changed.' };
}

export function closeReferral(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: CloseInput,
  context: { publicBaseUrl: string },
  now: Date,
): StatusResult {
  if (referral.status === 'closed') return fail('closedReason', 'This referral is already closed.');
  const errors: Record<string, string> = {};
  if (!(input.closedReason in CLOSED_REASON_LABELS)) return fail('closedReason', 'Choose why the referral is closing.');
  const closedReason = input.closedReason as ClosedReason;
  const reason = input.reason.trim();
  const whereTo = input.whereTo.trim();
  if (CLOSED_REASONS_NEEDING_TEXT.includes(closedReason) && reason.length < 5)
    errors.reason = `Say why it is closing as "${CLOSED_REASON_LABELS[closedReason].toLowerCase()}". This is kept with the referral.`;
  if (reason.length > REASON_MAX) errors.reason = `The reason must be ${REASON_MAX} characters or fewer.`;
  if (closedReason === 'referred_elsewhere' && whereTo.length < 2)
    errors.whereTo = 'Say where he was referred to (the service or organisation).';
  if (whereTo.length > 200) errors.whereTo = 'Where he was referred to must be 200 characters or fewer.';
  const future = futureAppointmentCount(db, referral.id, now);
  if (future > 0 && input.futureAppointments !== 'cancel' && input.futureAppointments !== 'keep')
    errors.futureAppointments = `He has ${future} appointment${future === 1 ? '' : 's'} still to come. Choose whether to cancel ${future === 1 ? 'it' : 'them'}.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const reached = everReached(db, referral.id);
  if (closedReason === 'support_completed' && !reached)
    return fail('closedReason', 'Support cannot be completed: nobody has reached him yet.');
  if (closedReason === 'declined' && !reached)
    return fail(
      'closedReason',
      'Record the contact in which he declined first (a call, or "He contacted us"), then close the referral.',
    );

  if (!reached) {
    // Never reached: the contact plan first, then a manager.
    const plan = planFor(db, keyring, referral, now);
    if (closedReason === 'unable_to_contact' && plan && !plan.exhausted) {
      return fail(
        'closedReason',
        `The contact plan is not finished, so "unable to contact" cannot be proposed yet. Still needed: ${plan.missing.join('; ')}.`,
      );
    }
    if (staff.role !== 'manager') {
      if (closedReason !== 'unable_to_contact')
        return fail(
          'closedReason',
          'Nobody has reached him, so only a manager can close this referral. Talk to your manager.',
        );
      return escalate(db, keyring, staff, referral, reason, context, now);
    }
  }

  const reasonText = JSON.stringify({ reason, ...(whereTo ? { whereTo } : {}) });
  let cancelled = 0;
  db.transaction((tx) => {
    setStatus(tx, referral, 'closed', staff.id, now, closedReason, (id) =>
      encryptField(keyring, reasonText, casenoteAad('status_changes', id)),
    );
    tx.update(escalations)
      .set({ resolvedAt: now, resolvedBy: staff.id })
      .where(and(eq(escalations.referralId, referral.id), isNull(escalations.resolvedAt)))
      .run();
    if (input.futureAppointments === 'cancel') {
      const rows = tx
        .select({ id: appointments.id })
        .from(appointments)
        .where(
          and(
            eq(appointments.referralId, referral.id),
            eq(appointments.status, 'booked'),
            gt(appointments.startsAt, now),
          ),
        )
        .all();
      for (const row of rows) {
        tx.update(appointments).set({ status: 'cancelled', updatedAt: now }).where(eq(appointments.id, row.id)).run();
        recordAudit(
          tx,
          {
            actorId: staff.id,
            action: 'appointment_cancelled',
            referralId: referral.id,
            officeId: referral.officeId,
            detail: { appointmentId: row.id, because: 'referral_closed' },
          },
          now,
        );
      }
      cancelled = rows.length;
    }
  });
  return {
    ok: true,
    escalated: false,
    message: `Referral closed: ${CLOSED_REASON_LABELS[closedReason].toLowerCase()}.${cancelled ? ` ${cancelled} future appointment${cancelled === 1 ? '' : 's'} cancelled.` : ''}`,
  };
}

/** Hands a never-reached referral to the managers, who decide (decisions.ts). */
function escalate(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  reason: string,
  context: { publicBaseUrl: string },
  now: Date,
): StatusResult {
  const already = openEscalation(db, referral.id);
  if (already)
    return {
      ok: true,
      escalated: true,
      message: 'Not closed: this referral is already with a manager, who will decide what happens next.',
    };
  const managersListed = listRecipients(db, referral.officeId).managers.length > 0;
  db.transaction((tx) => {
    const id = randomUUID();
    tx.insert(escalations)
      .values({
        id,
        referralId: referral.id,
        reason: 'unable_to_contact',
        raisedBy: staff.id,
        raisedAt: now,
        decisionNoteEnc: reason ? encryptField(keyring, reason, casenoteAad('escalations', id)) : null,
      })
      .run();
    const managers = alertAddressesFor(tx, referral.officeId, ['managers']);
    enqueueEmail(
      tx,
      keyring,
      {
        kind: 'escalation',
        to: managers,
        subject: `[Needs a manager] Unable to contact ${referral.reference} (${PRIORITY_LABELS[referral.priority]})`,
        text: [
          'A caseworker could not contact someone and asked a manager to decide what happens next.',
          '',
          `Reference: ${referral.reference}`,
          `Priority:  ${PRIORITY_LABELS[referral.priority]}`,
          '',
          `Decide: ${context.publicBaseUrl}/staff/referrals/${referral.id}/decision`,
          '',
          '--',
          'This alert holds no personal details on purpose. Sign in to the back office to see the referral.',
        ].join('\n'),
        dedupeKey: `escalation:${referral.id}:unable_to_contact:${now.getTime()}`,
      },
      now,
    );
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'escalated_to_manager',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: {
          reason: 'unable_to_contact',
          priority: referral.priority,
          managersAlerted: managers.length,
          managersListed,
        },
      },
      now,
    );
    notifyAssignee(tx, { keyring, publicBaseUrl: context.publicBaseUrl }, referral, 'escalated', staff.id, now);
  });
  return {
    ok: true,
    escalated: true,
    message: managersListed
      ? 'Not closed: nobody has reached him, so it has gone to a manager to decide what happens next. Managers have been emailed.'
      : 'Not closed: nobody has reached him, so it has gone to a manager to decide what happens next. This office has no managers list, so the triage list was emailed instead: ask an administrator to add the managers.',
  };
}

/** A manager reopens a closed referral, with a reason. He returns to where he was: reached or still waiting. */
export function reopenReferral(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { reason: string },
  now: Date,
  notify?: NotifyContext,
): StatusResult {
  if (staff.role !== 'manager') return fail('reason', 'Only a manager can reopen a referral.');
  if (referral.status !== 'closed') return fail('reason', 'This referral is not closed.');
  const reason = input.reason.trim();
  if (reason.length < 5) return fail('reason', 'Say why you are reopening it. This is kept with the referral.');
  if (reason.length > REASON_MAX) return fail('reason', `The reason must be ${REASON_MAX} characters or fewer.`);
  const reached = everReached(db, referral.id);
  const to: ReferralStatus = reached ? 'in_contact' : 'contact_attempted';
  db.transaction((tx) => {
    setStatus(tx, referral, to, staff.id, now, null, (id) =>
      encryptField(keyring, JSON.stringify({ reason }), casenoteAad('status_changes', id)),
    );
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'referral_reopened',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { status: to },
      },
      now,
    );
    if (notify) notifyAssignee(tx, notify, referral, 'assigned', staff.id, now);
  });
  return { ok: true, escalated: false, message: 'Referral reopened.' };
}
