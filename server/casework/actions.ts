import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { referrals } from '../../db/schema/referrals.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import {
  appointments,
  caseNotes,
  contactAttempts,
  escalations,
  priorityOverrides,
  referralAssignments,
  statusChanges,
} from '../../db/schema/casework.ts';
import type { PortalDb } from '../../db/client.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { encryptField, type Keyring } from '../security/field-encryption.ts';
import { calendarFor } from '../offices/calendar.ts';
import { contactBy as computeContactBy } from '../scheduling/deadline.ts';
import { fitDeadlineToSafeTimes } from '../scheduling/safe-deadline.ts';
import { loadReferralAnswers, ReferralDataTamperedError } from '../referrals/store.ts';
import { CASEWORK_ROLES } from '../staff/roles.ts';
import type { Priority } from '../triage/types.ts';
import { casenoteAad, fail, NOTE_MAX, REASON_MAX, type ActionResult, type ReferralHead } from './types.ts';
import { notifyAssignee, type NotifyContext } from './notify.ts';
import { reproposeFirstContact } from './first-contact.ts';
import { contactAttemptProblem, safeContactFrom } from './safe-contact.ts';
import {
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  isCountingDown,
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

export function setStatus(
  tx: DbWriter,
  referral: ReferralHead,
  to: ReferralStatus,
  staffId: string,
  now: Date,
  closedReason: ClosedReason | null = null,
  reasonEnc: ((id: string) => string) | null = null,
): void {
  if (referral.status === to) return;
  tx.update(referrals).set({ status: to }).where(eq(referrals.id, referral.id)).run();
  const changeId = randomUUID();
  tx.insert(statusChanges)
    .values({
      id: changeId,
      reasonEnc: reasonEnc ? reasonEnc(changeId) : null,
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
export function readableReferral(db: PortalDb, keyring: Keyring, referralId: string) {
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

export function currentAssignee(db: DbWriter, referralId: string): { id: string; name: string } | null {
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
 * take an unassigned referral themselves. The new assignee is emailed (no personal data).
 */
export function assignReferral(
  db: PortalDb,
  staff: SessionStaff,
  referral: ReferralHead,
  targetId: string | null,
  now: Date,
  notify?: NotifyContext,
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
    writeAssignment(tx, referral, current?.id ?? null, targetId, staff.id, now);
    if (targetId !== null && notify) notifyAssignee(tx, notify, referral, 'assigned', staff.id, now, targetId);
  });
  if (targetId === null) return { ok: true, message: 'The referral is now unassigned.' };
  const name =
    targetId === staff.id
      ? 'you'
      : (assignableStaff(db, referral.officeId).find((p) => p.id === targetId)?.name ?? 'them');
  return { ok: true, message: `Assigned to ${name}.` };
}

/** Writes an assignment and its audit entry (inside the caller's transaction). */
export function writeAssignment(
  tx: DbWriter,
  referral: Pick<ReferralHead, 'id' | 'officeId'>,
  before: string | null,
  targetId: string | null,
  actorId: string,
  now: Date,
): void {
  if (targetId === null) tx.delete(referralAssignments).where(eq(referralAssignments.referralId, referral.id)).run();
  else
    tx.insert(referralAssignments)
      .values({ referralId: referral.id, staffId: targetId, assignedAt: now, assignedBy: actorId })
      .onConflictDoUpdate({
        target: referralAssignments.referralId,
        set: { staffId: targetId, assignedAt: now, assignedBy: actorId },
      })
      .run();
  recordAudit(
    tx,
    {
      actorId,
      action: 'referral_assigned',
      referralId: referral.id,
      officeId: referral.officeId,
      detail: { assigneeId: { before, after: targetId } },
    },
    now,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Priority override (managers)

const PRIORITY_RANK: Record<Priority, number> = { today: 0, next_working_day: 1, within_7_days: 2 };

/**
 * A manager's change of priority. The deadline and the proposed first contact are recomputed together: the
 * deadline from the office calendar and his safe times, then a new slot before it (or a fallback managers are
 * told about), so a slot is never left after the deadline. A raise emails the assignee.
 */
export function overridePriority(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { priority: string; reason: string },
  now: Date,
  notify?: NotifyContext,
): ActionResult<{ contactBy: Date; explanation: string | null }> {
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
  const loaded = readableReferral(db, keyring, referral.id);
  const trigger = loaded?.triage.result.mustContactBeforeDate ?? null;
  const calendar = calendarFor(db, referral.officeId);
  // The deadline follows the new priority from the time he wrote, in his office's calendar, never past 7 days,
  // and it is never set before the first time it is safe to call him inside office hours.
  const base = computeContactBy(priority, referral.receivedAt, calendar, trigger);
  const safe = loaded ? safeContactFrom(loaded.answers) : null;
  const fit = safe
    ? fitDeadlineToSafeTimes(base.contactBy, now, referral.receivedAt, calendar, safe)
    : { kind: 'fits' as const, contactBy: base.contactBy };
  const contactBy = fit.contactBy;
  const explanation = fit.kind === 'fits' ? null : fit.explanation;
  const id = randomUUID();
  const raised = PRIORITY_RANK[priority] < PRIORITY_RANK[referral.priority];
  db.transaction((tx) => {
    tx.update(referrals).set({ priority, contactBy }).where(eq(referrals.id, referral.id)).run();
    tx.insert(priorityOverrides)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        fromPriority: referral.priority,
        toPriority: priority,
        contactByBefore: referral.contactBy,
        contactByAfter: contactBy,
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
          contactBy: { before: referral.contactBy.toISOString(), after: contactBy.toISOString() },
          ...(explanation ? { deadlineExplanation: fit.kind } : {}),
        },
      },
      now,
    );
    if (safe && isCountingDown(referral.status)) {
      reproposeFirstContact(tx, { ...referral, contactBy }, safe, now, null);
    }
    if (raised && notify)
      notifyAssignee(tx, notify, { ...referral, priority, contactBy }, 'priority_raised', staff.id, now);
  });
  return {
    ok: true,
    message: `Priority changed to ${PRIORITY_LABELS[priority]}.${explanation ? ` Note: ${explanation}.` : ''}`,
    contactBy,
    explanation,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Contact attempts

export interface ContactAttemptInput {
  channel: string;
  outcome: string;
  note: string;
  /** When it happened; defaults to now. */
  at: Date | null;
  /** Phone calls: was the number withheld? */
  withheldNumber?: boolean | null;
  /** Did we say who we are? */
  saidWhoWeAre?: boolean | null;
}

/**
 * Records a try to reach him, after checking it against every wish it concerns. An attempt that reached him
 * (or his own contact) takes the referral out of the needs-contact queue; anything else keeps it there. Whoever
 * records an attempt on an unassigned referral takes it.
 */
export function recordContactAttempt(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: ContactAttemptInput,
  now: Date,
): ActionResult<{ assignedToMe: boolean; attemptId: string }> {
  const errors: Record<string, string> = {};
  if (!(CONTACT_CHANNELS as readonly string[]).includes(input.channel))
    errors.channel = 'Choose how you contacted him.';
  if (!(CONTACT_OUTCOMES as readonly string[]).includes(input.outcome)) errors.outcome = 'Choose what happened.';
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
  const problem = contactAttemptProblem(safeContactFrom(loaded.answers), {
    channel,
    outcome,
    at,
    withheldNumber: input.withheldNumber ?? null,
    saidWhoWeAre: input.saidWhoWeAre ?? null,
  });
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
    return fail(
      problem.startsWith('He said we must not say who we are. Confirm') ? 'saidWhoWeAre' : 'outcome',
      problem,
    );
  }

  const id = randomUUID();
  const note = input.note.trim();
  let assignedToMe = false;
  db.transaction((tx) => {
    tx.insert(contactAttempts)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        attemptedAt: at,
        channel,
        outcome,
        withheldNumber: channel === 'phone' ? (input.withheldNumber ?? null) : null,
        saidWhoWeAre: input.saidWhoWeAre ?? null,
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
    // Nobody has it: whoever is trying to reach him has it now, so the next try is theirs to plan.
    if (!currentAssignee(tx, referral.id) && CASEWORK_ROLES.includes(staff.role)) {
      writeAssignment(tx, referral, null, staff.id, staff.id, now);
      assignedToMe = true;
    }
    if (REACHED_OUTCOMES.includes(outcome)) {
      if (isCountingDown(referral.status)) setStatus(tx, referral, 'in_contact', staff.id, now);
      // Reached: whatever was waiting for a manager because he could not be reached is resolved.
      tx.update(escalations)
        .set({ resolvedAt: now, resolvedBy: staff.id })
        .where(and(eq(escalations.referralId, referral.id), isNull(escalations.resolvedAt)))
        .run();
    } else if (referral.status === 'new') {
      setStatus(tx, referral, 'contact_attempted', staff.id, now);
    }
  });
  return {
    ok: true,
    message: assignedToMe
      ? 'Contact attempt recorded. The referral is now assigned to you.'
      : 'Contact attempt recorded.',
    assignedToMe,
    attemptId: id,
  };
}

/** Whether any attempt reached him (or he contacted us, or came to an appointment). */
export function everReached(db: DbWriter, referralId: string): boolean {
  const attended = db
    .select({ id: appointments.id })
    .from(appointments)
    .where(and(eq(appointments.referralId, referralId), eq(appointments.status, 'attended')))
    .get();
  if (attended) return true;
  return !!db
    .select({ id: contactAttempts.id })
    .from(contactAttempts)
    .where(and(eq(contactAttempts.referralId, referralId), inArray(contactAttempts.outcome, [...REACHED_OUTCOMES])))
    .get();
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

export function openEscalation(db: DbWriter, referralId: string) {
  return (
    db
      .select()
      .from(escalations)
      .where(and(eq(escalations.referralId, referralId), isNull(escalations.resolvedAt)))
      .get() ?? null
  );
}
