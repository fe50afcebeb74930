import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import { staffOffices, staffUsers } from '../../../db/schema/staff.ts';
import {
  appointments,
  caseNotes,
  contactAttempts,
  escalations,
  priorityOverrides,
  referralAssignments,
  statusChanges,
} from '../../../db/schema/casework.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import { recordAudit } from '../../audit/audit.ts';
import { encryptField, type Keyring } from '../../security/field-encryption.ts';
import { enqueueEmail } from '../../mail/outbox.ts';
import { alertAddressesFor } from '../../offices/recipients.ts';
import { calendarFor } from '../../offices/calendar.ts';
import { contactBy as computeContactBy, sevenDayLimit } from '../../scheduling/deadline.ts';
import { loadReferralAnswers, ReferralDataTamperedError } from '../../referrals/store.ts';
import type { Priority } from '../../triage/types.ts';
import type { PortalTx } from '../db.ts';
import type { ReferralHead } from './access.ts';
import { contactAttemptProblem, safeContactFrom } from './safe-contact.ts';
import {
  canTransition,
  CLOSED_REASON_LABELS,
  ESCALATE_UNABLE_TO_CONTACT,
  PRIORITY_LABELS,
  REACHED_OUTCOMES,
  type ClosedReason,
  type ContactChannel,
  type ContactOutcome,
  type ReferralStatus,
} from './statuses.ts';

/**
 * What staff do to a referral. Every function checks its own rules, writes in one transaction with its audit
 * entry, and returns either what happened or the errors to show (keyed by form field). Callers have already
 * checked that this member of staff may work on this referral (access.ts).
 */

export type ActionResult<T = unknown> =
  ({ ok: true; message: string } & T) | { ok: false; errors: Record<string, string> };

const fail = (field: string, message: string): { ok: false; errors: Record<string, string> } => ({
  ok: false,
  errors: { [field]: message },
});

export const casenoteAad = (table: string, id: string) => `casework:${table}:${id}`;

function setStatus(
  tx: PortalTx,
  referral: ReferralHead,
  to: ReferralStatus,
  staffId: string,
  now: Date,
  closedReason: ClosedReason | null = null,
): void {
  if (referral.status === to) return;
  tx.update(referrals).set({ status: to }).where(eq(referrals.id, referral.id)).run();
  tx.insert(statusChanges)
    .values({
      id: randomUUID(),
      referralId: referral.id,
      staffId,
      fromStatus: referral.status,
      toStatus: to,
      closedReason,
      changedAt: now,
    })
    .run();
  recordAudit(
    tx,
    {
      actorId: staffId,
      action: 'status_changed',
      referralId: referral.id,
      officeId: referral.officeId,
      detail: { status: { before: referral.status, after: to }, ...(closedReason ? { closedReason } : {}) },
    },
    now,
  );
}

/** His answers and triage, or null when there are none or they fail their integrity check. */
function readableReferral(db: PortalDb, keyring: Keyring, referralId: string) {
  try {
    return loadReferralAnswers(db, keyring, referralId);
  } catch (error) {
    if (error instanceof ReferralDataTamperedError) return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Assignment

/** Caseworkers and managers of the referral's office, who are active: the people it can be assigned to. */
export function assignableStaff(db: PortalDb, officeId: string): Array<{ id: string; name: string }> {
  return db
    .select({ id: staffUsers.id, name: staffUsers.name })
    .from(staffUsers)
    .innerJoin(staffOffices, eq(staffOffices.staffId, staffUsers.id))
    .where(
      and(
        eq(staffOffices.officeId, officeId),
        eq(staffUsers.status, 'active'),
        inArray(staffUsers.role, ['caseworker', 'manager']),
      ),
    )
    .orderBy(staffUsers.name)
    .all();
}

export function currentAssignee(db: PortalDb | PortalTx, referralId: string): { id: string; name: string } | null {
  return (
    db
      .select({ id: staffUsers.id, name: staffUsers.name })
      .from(referralAssignments)
      .innerJoin(staffUsers, eq(staffUsers.id, referralAssignments.staffId))
      .where(eq(referralAssignments.referralId, referralId))
      .get() ?? null
  );
}

/**
 * Managers assign and reassign to anyone who can work on it (or nobody: `targetId` null). Caseworkers can only
 * take an unassigned referral themselves.
 */
export function assignReferral(
  db: PortalDb,
  staff: SessionStaff,
  referral: ReferralHead,
  targetId: string | null,
  now: Date,
): ActionResult {
  const current = currentAssignee(db, referral.id);
  if (staff.role !== 'manager') {
    if (targetId !== staff.id) return fail('assignee', 'Only a manager can assign a referral to someone else.');
    if (current && current.id !== staff.id)
      return fail('assignee', `This referral is assigned to ${current.name}. Ask a manager to reassign it.`);
  }
  if (targetId !== null && !assignableStaff(db, referral.officeId).some((person) => person.id === targetId)) {
    return fail('assignee', 'Choose someone who works for this office.');
  }
  if ((current?.id ?? null) === targetId)
    return { ok: true, message: 'Nothing changed: it was already assigned that way.' };
  db.transaction((tx) => {
    if (targetId === null) tx.delete(referralAssignments).where(eq(referralAssignments.referralId, referral.id)).run();
    else
      tx.insert(referralAssignments)
        .values({ referralId: referral.id, staffId: targetId, assignedAt: now, assignedBy: staff.id })
        .onConflictDoUpdate({
          target: referralAssignments.referralId,
          set: { staffId: targetId, assignedAt: now, assignedBy: staff.id },
        })
        .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'referral_assigned',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { assigneeId: { before: current?.id ?? null, after: targetId } },
      },
      now,
    );
  });
  if (targetId === null) return { ok: true, message: 'The referral is now unassigned.' };
  const name =
    targetId === staff.id
      ? 'you'
      : (assignableStaff(db, referral.officeId).find((p) => p.id === targetId)?.name ?? 'them');
  return { ok: true, message: `Assigned to ${name}.` };
}

// ---------------------------------------------------------------------------------------------------------
// Priority override (managers)

export const REASON_MAX = 1000;

export function overridePriority(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { priority: string; reason: string },
  now: Date,
): ActionResult<{ contactBy: Date }> {
  if (staff.role !== 'manager') return fail('priority', 'Only a manager can change the priority.');
  const priorities: readonly string[] = ['today', 'next_working_day', 'within_7_days'];
  const errors: Record<string, string> = {};
  if (!priorities.includes(input.priority)) errors.priority = 'Choose a priority.';
  else if (input.priority === referral.priority)
    errors.priority = `It is already ${PRIORITY_LABELS[referral.priority]}. Choose a different priority.`;
  const reason = input.reason.trim();
  if (reason.length < 5) errors.reason = 'Say why you are changing the priority. This is kept with the referral.';
  else if (reason.length > REASON_MAX) errors.reason = `The reason must be ${REASON_MAX} characters or fewer.`;
  if (referral.status === 'closed') errors.priority = 'This referral is closed, so its priority no longer matters.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const priority = input.priority as Priority;
  const trigger = readableReferral(db, keyring, referral.id)?.triage.result.mustContactBeforeDate ?? null;
  // The deadline follows the new priority from the time he wrote, in his office's calendar, never past 7 days.
  const deadline = computeContactBy(priority, referral.receivedAt, calendarFor(db, referral.officeId), trigger);
  const id = randomUUID();
  db.transaction((tx) => {
    tx.update(referrals).set({ priority, contactBy: deadline.contactBy }).where(eq(referrals.id, referral.id)).run();
    tx.insert(priorityOverrides)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        fromPriority: referral.priority,
        toPriority: priority,
        contactByBefore: referral.contactBy,
        contactByAfter: deadline.contactBy,
        reasonEnc: encryptField(keyring, reason, casenoteAad('priority_overrides', id)),
        createdAt: now,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'priority_overridden',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: {
          priority: { before: referral.priority, after: priority },
          contactBy: { before: referral.contactBy.toISOString(), after: deadline.contactBy.toISOString() },
        },
      },
      now,
    );
  });
  return { ok: true, message: `Priority changed to ${PRIORITY_LABELS[priority]}.`, contactBy: deadline.contactBy };
}

// ---------------------------------------------------------------------------------------------------------
// Contact attempts

export const NOTE_MAX = 5000;

export interface ContactAttemptInput {
  channel: string;
  outcome: string;
  note: string;
  /** When it happened; defaults to now. */
  at: Date | null;
}

export function recordContactAttempt(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: ContactAttemptInput,
  now: Date,
): ActionResult {
  const channels: readonly string[] = ['phone', 'text', 'email', 'letter'];
  const outcomes: readonly string[] = ['spoke', 'no_answer', 'voicemail_left', 'wrong_number', 'declined'];
  const errors: Record<string, string> = {};
  if (!channels.includes(input.channel)) errors.channel = 'Choose how you contacted him.';
  if (!outcomes.includes(input.outcome)) errors.outcome = 'Choose what happened.';
  if (input.note.length > NOTE_MAX) errors.note = `The note must be ${NOTE_MAX} characters or fewer.`;
  const at = input.at ?? now;
  if (at.getTime() > now.getTime() + 60_000) errors.at = 'The time of the attempt cannot be in the future.';
  else if (at.getTime() < referral.receivedAt.getTime())
    errors.at = 'The time of the attempt cannot be before the referral arrived.';
  if (referral.status === 'closed')
    errors.outcome = 'This referral is closed. Contact attempts can no longer be added.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const channel = input.channel as ContactChannel;
  const outcome = input.outcome as ContactOutcome;
  const loaded = readableReferral(db, keyring, referral.id);
  // Without his answers his wishes cannot be checked, and guessing could put him at risk.
  if (!loaded)
    return fail(
      'outcome',
      'His answers cannot be read, so his contact wishes cannot be checked. Do not contact him: tell your manager.',
    );
  const problem = contactAttemptProblem(safeContactFrom(loaded.answers), { channel, outcome, at });
  if (problem) {
    recordAudit(
      db,
      {
        actorId: staff.id,
        action: 'contact_attempt_refused',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { channel, outcome },
      },
      now,
    );
    return fail('outcome', problem);
  }

  const id = randomUUID();
  const note = input.note.trim();
  db.transaction((tx) => {
    tx.insert(contactAttempts)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        attemptedAt: at,
        channel,
        outcome,
        noteEnc: note ? encryptField(keyring, note, casenoteAad('contact_attempts', id)) : null,
        createdAt: now,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'contact_attempt_recorded',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { channel, outcome, attemptedAt: at.toISOString(), withNote: note !== '' },
      },
      now,
    );
    if (REACHED_OUTCOMES.includes(outcome)) {
      if (
        canTransition(referral.status, 'in_contact') &&
        (referral.status === 'new' || referral.status === 'contact_attempted')
      ) {
        setStatus(tx, referral, 'in_contact', staff.id, now);
      }
    } else if (referral.status === 'new') {
      setStatus(tx, referral, 'contact_attempted', staff.id, now);
    }
  });
  return { ok: true, message: 'Contact attempt recorded.' };
}

// ---------------------------------------------------------------------------------------------------------
// Appointments

export function bookAppointment(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { startsAt: Date | null; mode: string; officeId: string; lateReason: string },
  now: Date,
): ActionResult {
  const errors: Record<string, string> = {};
  if (!input.startsAt) errors.startsAt = 'Enter the date and time of the appointment, like 14/03/2026 10:30.';
  else if (input.startsAt.getTime() <= now.getTime()) errors.startsAt = 'The appointment must be in the future.';
  if (input.mode !== 'office' && input.mode !== 'remote') errors.mode = 'Choose an office appointment or a remote one.';
  if (input.mode === 'office' && !staff.officeIds.includes(input.officeId))
    errors.officeId = 'Choose one of your offices.';
  const limit = sevenDayLimit(referral.receivedAt);
  const late = !!input.startsAt && input.startsAt.getTime() > limit.getTime();
  const lateReason = input.lateReason.trim();
  if (late && lateReason.length < 5) {
    errors.lateReason = 'This is after the 7-day window. Say why (for example, he asked for a later date).';
  }
  if (lateReason.length > REASON_MAX) errors.lateReason = `The reason must be ${REASON_MAX} characters or fewer.`;
  if (referral.status === 'closed') errors.startsAt = 'This referral is closed. Appointments can no longer be booked.';
  if (Object.keys(errors).length > 0 || !input.startsAt) return { ok: false, errors };

  const id = randomUUID();
  const startsAt = input.startsAt;
  db.transaction((tx) => {
    tx.insert(appointments)
      .values({
        id,
        referralId: referral.id,
        bookedBy: staff.id,
        startsAt,
        mode: input.mode as 'office' | 'remote',
        officeId: input.mode === 'office' ? input.officeId : null,
        lateReasonEnc: late ? encryptField(keyring, lateReason, casenoteAad('appointments', id)) : null,
        createdAt: now,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'appointment_booked',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { startsAt: startsAt.toISOString(), mode: input.mode, insideSevenDays: !late },
      },
      now,
    );
    if (canTransition(referral.status, 'appointment_booked') && referral.status !== 'engaged') {
      setStatus(tx, referral, 'appointment_booked', staff.id, now);
    }
  });
  return {
    ok: true,
    message: late ? 'Appointment booked (after the 7-day window, with your reason).' : 'Appointment booked.',
  };
}

// ---------------------------------------------------------------------------------------------------------
// Notes

export function addNote(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  body: string,
  now: Date,
): ActionResult {
  const text = body.trim();
  if (text === '') return fail('note', 'Write the note before saving it.');
  if (text.length > NOTE_MAX) return fail('note', `The note must be ${NOTE_MAX} characters or fewer.`);
  const id = randomUUID();
  db.transaction((tx) => {
    tx.insert(caseNotes)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        bodyEnc: encryptField(keyring, text, casenoteAad('case_notes', id)),
        createdAt: now,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'note_added',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { length: text.length },
      },
      now,
    );
  });
  return { ok: true, message: 'Note saved.' };
}

// ---------------------------------------------------------------------------------------------------------
// Status

export function openEscalation(db: PortalDb | PortalTx, referralId: string) {
  return (
    db
      .select()
      .from(escalations)
      .where(and(eq(escalations.referralId, referralId), isNull(escalations.resolvedAt)))
      .get() ?? null
  );
}

export interface StatusChangeResult {
  ok: true;
  message: string;
  escalated: boolean;
}

export function changeStatus(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { status: string; closedReason: string },
  context: { publicBaseUrl: string },
  now: Date,
): StatusChangeResult | { ok: false; errors: Record<string, string> } {
  const to = input.status as ReferralStatus;
  if (!canTransition(referral.status, to) || to === 'contact_attempted' || to === 'appointment_booked') {
    return fail('status', 'That change is not possible from the current status.');
  }
  let closedReason: ClosedReason | null = null;
  if (to === 'closed') {
    if (!(input.closedReason in CLOSED_REASON_LABELS))
      return fail('closedReason', 'Choose why the referral is closing.');
    closedReason = input.closedReason as ClosedReason;
  }

  if (closedReason === 'unable_to_contact') {
    const attempts =
      db.select({ n: count() }).from(contactAttempts).where(eq(contactAttempts.referralId, referral.id)).get()?.n ?? 0;
    if (attempts === 0)
      return fail('closedReason', 'Record your attempts to contact him before closing as "unable to contact".');
    if (ESCALATE_UNABLE_TO_CONTACT.includes(referral.priority) && staff.role !== 'manager') {
      // He may be at risk: a caseworker never closes this; a manager decides what happens next.
      const already = openEscalation(db, referral.id);
      if (!already) {
        db.transaction((tx) => {
          tx.insert(escalations)
            .values({
              id: randomUUID(),
              referralId: referral.id,
              reason: 'unable_to_contact',
              raisedBy: staff.id,
              raisedAt: now,
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
                'A caseworker could not contact someone whose referral needed contact urgently, and asked a manager to decide what happens next.',
                '',
                `Reference: ${referral.reference}`,
                `Priority:  ${PRIORITY_LABELS[referral.priority]}`,
                '',
                `Open it: ${context.publicBaseUrl}/staff/referrals/${referral.id}`,
                '',
                '--',
                'This alert holds no personal details on purpose. Sign in to the back office to see the referral.',
              ].join('\n'),
              dedupeKey: `escalation:${referral.id}:unable_to_contact`,
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
              detail: { reason: 'unable_to_contact', priority: referral.priority, managersAlerted: managers.length },
            },
            now,
          );
        });
      }
      return {
        ok: true,
        escalated: true,
        message: already
          ? 'Not closed: this referral is already with a manager, who will decide what happens next.'
          : 'Not closed: this referral needed contact urgently, so it has gone to a manager to decide what happens next. Managers have been emailed.',
      };
    }
  }

  db.transaction((tx) => {
    setStatus(tx, referral, to, staff.id, now, closedReason);
    if (to === 'closed' || to === 'in_contact' || to === 'engaged') {
      tx.update(escalations)
        .set({ resolvedAt: now, resolvedBy: staff.id })
        .where(and(eq(escalations.referralId, referral.id), isNull(escalations.resolvedAt)))
        .run();
    }
  });
  return {
    ok: true,
    escalated: false,
    message: closedReason ? `Referral closed: ${CLOSED_REASON_LABELS[closedReason].toLowerCase()}.` : 'Status changed.',
  };
}
