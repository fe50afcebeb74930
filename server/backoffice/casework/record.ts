import { appointmentReminderPlan } from '../../casework/reminders.ts';
import { linkedReferrals } from '../../retention/returning.ts';
import { asc, desc, eq } from 'drizzle-orm';
import { appointments, caseNotes, priorityOverrides, statusChanges } from '../../../db/schema/casework.ts';
import { offices } from '../../../db/schema/offices.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import { recordAudit } from '../../audit/audit.ts';
import { decryptField, type Keyring } from '../../security/field-encryption.ts';
import { loadReferralAnswers, ReferralDataTamperedError, type LoadedReferral } from '../../referrals/store.ts';
import { referralDisplayGroups } from '../../referrals/display.ts';
import { contactPlan } from '../../casework/contact-plan.ts';
import { decisionData } from '../../casework/decisions.ts';
import { contactLog, groupFlags, UNREADABLE_TEXT } from '../../casework/contact-log.ts';
import { BROKEN_WISHES, BROKEN_WISH_LABELS, incidentsFor } from '../../casework/incidents.ts';
import { refreshMissedSlot } from '../../casework/first-contact.ts';
import { futureAppointmentCount } from '../../casework/closing.ts';
import { APPOINTMENT_STATUS_LABELS, appointmentsForReferral } from '../../casework/appointments.ts';
import { getFirstContactSlot } from '../../offices/first-contact.ts';
import { sevenDayLimit } from '../../scheduling/deadline.ts';
import type { ReferralPage, TimelineEntry } from '../pages.ts';
import type { ReferralHead } from './access.ts';
import { assignableStaff, currentAssignee, openEscalation } from '../../casework/actions.ts';
import { casenoteAad } from '../../casework/types.ts';
import { safeContactFrom, safeTimesText } from '../../casework/safe-contact.ts';
import {
  CLOSED_REASON_LABELS,
  manualTransitions,
  PRIORITY_LABELS,
  STATUS_LABELS,
  type ClosedReason,
  type ReferralStatus,
} from '../../casework/statuses.ts';

/**
 * The referral record: his answers decrypted for this view only, the triage explanation, the safe-contact panel
 * and the casework so far. Every call is one audited view.
 */
export function buildReferralPage(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  now: Date,
): ReferralPage {
  recordAudit(
    db,
    { actorId: staff.id, action: 'referral_viewed', referralId: referral.id, officeId: referral.officeId },
    now,
  );

  let loaded: LoadedReferral | null = null;
  let integrityProblem: string | null = null;
  try {
    loaded = loadReferralAnswers(db, keyring, referral.id);
  } catch (error) {
    if (!(error instanceof ReferralDataTamperedError)) throw error;
    integrityProblem = error.message;
  }

  const staffNames = new Map(
    db
      .select({ id: staffUsers.id, name: staffUsers.name })
      .from(staffUsers)
      .all()
      .map((row) => [row.id, row.name]),
  );
  const nameOf = (id: string | null) => (id ? (staffNames.get(id) ?? 'Unknown') : 'Nobody');
  const officeRows = db.select({ id: offices.id, name: offices.name }).from(offices).orderBy(asc(offices.name)).all();
  const officeName = (id: string | null) => officeRows.find((o) => o.id === id)?.name ?? id ?? '';
  const decrypt = (table: string, id: string, token: string | null): string | null => {
    if (!token) return null;
    try {
      return decryptField(keyring, token, casenoteAad(table, id));
    } catch {
      return UNREADABLE_TEXT;
    }
  };

  // The contact log and the flags come from casework (a manager's decision reads the same).
  const attempts: TimelineEntry[] = contactLog(db, keyring, referral.id).map((entry) => ({
    at: entry.at,
    staffName: entry.staffName,
    title: entry.title,
    text: entry.note,
  }));
  const notes: TimelineEntry[] = db
    .select()
    .from(caseNotes)
    .where(eq(caseNotes.referralId, referral.id))
    .orderBy(desc(caseNotes.createdAt))
    .all()
    .map((row) => ({
      at: row.createdAt,
      staffName: nameOf(row.staffId),
      title: 'Note',
      text: decrypt('case_notes', row.id, row.bodyEnc),
    }));
  const history: TimelineEntry[] = db
    .select()
    .from(statusChanges)
    .where(eq(statusChanges.referralId, referral.id))
    .orderBy(desc(statusChanges.changedAt))
    .all()
    .map((row) => ({
      at: row.changedAt,
      staffName: nameOf(row.staffId),
      title: `${STATUS_LABELS[row.fromStatus as ReferralStatus] ?? row.fromStatus} → ${STATUS_LABELS[row.toStatus as ReferralStatus] ?? row.toStatus}`,
      text: row.closedReason ? `Reason: ${CLOSED_REASON_LABELS[row.closedReason as ClosedReason]}` : null,
    }));
  const overrides = db
    .select()
    .from(priorityOverrides)
    .where(eq(priorityOverrides.referralId, referral.id))
    .orderBy(desc(priorityOverrides.createdAt))
    .all()
    .map((row) => ({
      at: row.createdAt,
      staffName: nameOf(row.staffId),
      from: PRIORITY_LABELS[row.fromPriority as keyof typeof PRIORITY_LABELS] ?? row.fromPriority,
      to: PRIORITY_LABELS[row.toPriority as keyof typeof PRIORITY_LABELS] ?? row.toPriority,
      reason: decrypt('priority_overrides', row.id, row.reasonEnc) ?? '',
    }));
  const appointmentRows = db
    .select()
    .from(appointments)
    .where(eq(appointments.referralId, referral.id))
    .orderBy(asc(appointments.startsAt))
    .all()
    .map((row) => ({
      startsAt: row.startsAt,
      mode: row.mode === 'office' ? 'At the office' : 'Remote (phone or video)',
      officeName: row.officeId ? officeName(row.officeId) : null,
      staffName: nameOf(row.bookedBy),
      lateReason: decrypt('appointments', row.id, row.lateReasonEnc),
    }));

  // A proposed slot that has passed without contact is marked missed and a new one proposed before we read it.
  refreshMissedSlot(db, keyring, referral, now);
  const slot = getFirstContactSlot(db, referral.id);
  const escalation = openEscalation(db, referral.id);
  const assignee = currentAssignee(db, referral.id);
  const safe = loaded ? safeContactFrom(loaded.answers) : null;
  const triage = loaded?.triage ?? null;
  const flagGroups = groupFlags(triage?.result.flags ?? [], loaded?.answers ?? null);

  return {
    kind: 'referral',
    now,
    linkedReferrals: linkedReferrals(db, referral.id).map(({ id, reference, receivedAt, status, matchedOn }) => ({
      id,
      reference,
      receivedAt,
      status,
      matchedOn,
    })),
    dataLink: staff.role === 'manager' ? `/staff/referrals/${referral.id}/data` : null,
    referral: {
      id: referral.id,
      reference: referral.reference,
      status: referral.status,
      priority: referral.priority,
      contactBy: referral.contactBy,
      receivedAt: referral.receivedAt,
      officeId: referral.officeId,
      officeName: officeName(referral.officeId),
      sevenDayLimit: sevenDayLimit(referral.receivedAt),
    },
    groups: loaded ? referralDisplayGroups(loaded.answers) : null,
    integrityProblem,
    person: loaded
      ? {
          name: typeof loaded.answers.name === 'string' ? loaded.answers.name : null,
          anythingElse:
            typeof loaded.answers.anythingElse === 'string' && loaded.answers.anythingElse.trim() !== ''
              ? loaded.answers.anythingElse
              : null,
        }
      : null,
    flagGroups,
    plan: safe && referral.status !== 'closed' ? planView(contactPlan(db, referral, safe, now)) : null,
    appointmentViews: appointmentsForReferral(db, referral.id).map((row) => ({
      id: row.id,
      startsAt: row.startsAt,
      durationMinutes: row.durationMinutes,
      where: row.mode === 'office' ? officeName(row.officeId) || 'At the office' : 'Remote (phone or video)',
      staffName: row.staffName,
      status: row.status,
      statusLabel: APPOINTMENT_STATUS_LABELS[row.status] ?? row.status,
      confirmedWithHim: row.confirmedWithHim,
      upcoming: row.status === 'booked' && row.startsAt.getTime() > now.getTime() - row.durationMinutes * 60_000,
      reminder:
        row.status === 'booked' && row.startsAt.getTime() > now.getTime() ? appointmentReminderPlan(safe).text : null,
    })),
    triage: triage
      ? {
          originalPriority: triage.result.priority,
          reasons: triage.result.reasons,
          flags: triage.result.flags,
          ruleVersion: triage.result.ruleVersion,
          mustContactBeforeDate: triage.result.mustContactBeforeDate,
          cappedByTriggerDate: triage.deadline.cappedByTriggerDate,
          deadlineNotes: triage.deadline.notes.map((note) => note.text),
        }
      : null,
    overrides,
    proposedSlot: slot
      ? {
          kind: slot.kind,
          startsAt: slot.startsAt,
          staffName: slot.staffId ? nameOf(slot.staffId) : null,
          channel: slot.channel,
          reason: slot.reason,
        }
      : null,
    safeContact:
      safe && loaded
        ? {
            phone: typeof loaded.answers.phone === 'string' ? loaded.answers.phone : null,
            email: typeof loaded.answers.email === 'string' ? loaded.answers.email : null,
            phoneSafe: safe.phoneSafe,
            voicemailAllowed: safe.voicemailAllowed,
            textsAllowed: safe.textsAllowed,
            withheldNumberOk: safe.withheldNumberOk,
            mayTellWhoWeAre: safe.mayTellWhoWeAre,
            safeTimesText: safeTimesText(safe.safeTimes),
            emailSafe: safe.emailSafe,
            gpWelfareCheck: safe.gpWelfareCheck,
          }
        : null,
    assignee,
    assignable: staff.role === 'manager' ? assignableStaff(db, referral.officeId) : [],
    caseworkers: assignableStaff(db, referral.officeId),
    decision: staff.role === 'manager' && escalation ? decisionView(decisionData(db, keyring, referral, now)) : null,
    incidents: incidentsFor(db, keyring, referral.id)
      .filter((row) => staff.role === 'manager' || row.staffName === staff.name)
      .map((row) => ({ label: row.label, happenedAt: row.happenedAt, staffName: row.staffName, note: row.note })),
    incidentWishes: BROKEN_WISHES.map((value) => ({ value, label: BROKEN_WISH_LABELS[value] })),
    futureAppointments: futureAppointmentCount(db, referral.id, now),
    attempts,
    appointments: appointmentRows,
    notes,
    history,
    escalation: escalation ? { raisedAt: escalation.raisedAt, raisedByName: nameOf(escalation.raisedBy) } : null,
    manualStatuses: manualTransitions(referral.status).map((value) => ({ value, label: STATUS_LABELS[value] })),
    offices: officeRows.filter((office) => staff.officeIds.includes(office.id)),
    can: {
      reassign: staff.role === 'manager',
      take: staff.role !== 'manager' && !assignee,
      overridePriority: staff.role === 'manager' && referral.status !== 'closed',
      export: staff.role === 'manager',
    },
  };
}

/** Only while nobody has reached him: after that the plan has done its job. */
function planView(plan: ReturnType<typeof contactPlan>): ReferralPage['plan'] {
  if (plan.reached || plan.declined) return null;
  return {
    attempts: plan.attempts.count,
    requiredAttempts: plan.required.attempts,
    exhausted: plan.exhausted,
    missing: plan.missing,
    windows: plan.windows.map((w) => ({
      channel: w.channel,
      label: w.label,
      allowed: w.allowed,
      why: w.why,
      from: w.from,
      to: w.to,
    })),
  };
}

function decisionView(data: ReturnType<typeof decisionData>): ReferralPage['decision'] {
  if (!data.escalation) return null;
  return { options: data.options.map((o) => ({ ...o })), note: data.escalation.note };
}
