import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { appointments } from '../../db/schema/casework.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { calendarFor } from '../offices/calendar.ts';
import { encryptField, type Keyring } from '../security/field-encryption.ts';
import { londonDate, workingWindow } from '../scheduling/calendar.ts';
import { sevenDayLimit } from '../scheduling/deadline.ts';
import { assignableStaff, currentAssignee, everReached, setStatus } from './actions.ts';
import type { SafeContact } from './safe-contact.ts';
import { channelAllowed } from './safe-contact.ts';
import { isCountingDown, type ContactChannel } from './statuses.ts';
import { casenoteAad, fail, REASON_MAX, type ActionResult, type ReferralHead } from './types.ts';

/**
 * Appointments have a life cycle: booked (with a caseworker, a length, at an office or remote, inside office
 * hours or with a reason), rescheduled, cancelled, attended or did not attend. Booking is not contact: an
 * appointment booked before anyone reached him is "booked, not yet confirmed with him", and the referral stays
 * in the needs-contact queue.
 */

export const APPOINTMENT_STATUSES = ['booked', 'cancelled', 'attended', 'did_not_attend'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  cancelled: 'Cancelled',
  attended: 'Attended',
  did_not_attend: 'Did not attend',
};
export const APPOINTMENT_LENGTHS = [30, 45, 60, 90] as const;

export interface AppointmentInput {
  startsAt: Date | null;
  durationMinutes: string | number;
  mode: string;
  officeId: string;
  /** The caseworker who will see him: a staff id, or '' for the assignee (or you). */
  staffId: string;
  lateReason: string;
  outOfHoursReason: string;
}

/** Whether [start, start + minutes) is inside the office's opening hours that day. */
export function insideOfficeHours(db: PortalDb, officeId: string, start: Date, minutes: number): boolean {
  const window = workingWindow(londonDate(start), calendarFor(db, officeId));
  return (
    !!window && start.getTime() >= window.start.getTime() && start.getTime() + minutes * 60_000 <= window.end.getTime()
  );
}

function checkReason(value: string, errors: Record<string, string>, field: string, missing: string | null): string {
  const text = value.trim();
  if (missing && text.length < 5) errors[field] = missing;
  if (text.length > REASON_MAX) errors[field] = `The reason must be ${REASON_MAX} characters or fewer.`;
  return text;
}

export function bookAppointment(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: AppointmentInput,
  now: Date,
): ActionResult<{ confirmedWithHim: boolean; appointmentId: string }> {
  const errors: Record<string, string> = {};
  if (referral.status === 'closed')
    return fail('startsAt', 'This referral is closed. Appointments can no longer be booked.');
  if (!input.startsAt) errors.startsAt = 'Enter the date and time of the appointment, like 14/03/2026 10:30.';
  else if (input.startsAt.getTime() <= now.getTime()) errors.startsAt = 'The appointment must be in the future.';
  const duration = Number(input.durationMinutes || 60);
  if (!Number.isInteger(duration) || duration < 15 || duration > 240)
    errors.durationMinutes = 'Choose how long the appointment is (15 minutes to 4 hours).';
  if (input.mode !== 'office' && input.mode !== 'remote') errors.mode = 'Choose an office appointment or a remote one.';
  if (input.mode === 'office' && !staff.officeIds.includes(input.officeId))
    errors.officeId = 'Choose one of your offices.';
  const caseworkerId =
    input.staffId || currentAssignee(db, referral.id)?.id || (staff.role === 'caseworker' ? staff.id : '');
  if (!caseworkerId) errors.staffId = 'Choose the caseworker who will see him.';
  else if (!assignableStaff(db, referral.officeId).some((person) => person.id === caseworkerId))
    errors.staffId = 'Choose a caseworker who works for this office.';
  const late = !!input.startsAt && input.startsAt.getTime() > sevenDayLimit(referral.receivedAt).getTime();
  const lateReason = checkReason(
    input.lateReason,
    errors,
    'lateReason',
    late ? 'This is after the 7-day window. Say why (for example, he asked for a later date).' : null,
  );
  const hoursOffice = input.mode === 'office' ? input.officeId : referral.officeId;
  const outOfHours =
    !!input.startsAt && Number.isInteger(duration) && !insideOfficeHours(db, hoursOffice, input.startsAt, duration);
  const outOfHoursReason = checkReason(
    input.outOfHoursReason,
    errors,
    'outOfHoursReason',
    outOfHours
      ? input.mode === 'office'
        ? 'The office is closed then. Choose a time inside its opening hours.'
        : 'This is outside office hours. Say why (for example, his only safe time is the evening) or choose another time.'
      : null,
  );
  // An office appointment needs the office open: no reason makes an empty building safe.
  if (outOfHours && input.mode === 'office')
    errors.outOfHoursReason = 'The office is closed then. Choose a time inside its opening hours.';
  if (Object.keys(errors).length > 0 || !input.startsAt) return { ok: false, errors };

  const id = randomUUID();
  const startsAt = input.startsAt;
  const confirmedWithHim = everReached(db, referral.id);
  db.transaction((tx) => {
    tx.insert(appointments)
      .values({
        id,
        referralId: referral.id,
        bookedBy: staff.id,
        staffId: caseworkerId,
        startsAt,
        durationMinutes: duration,
        mode: input.mode as 'office' | 'remote',
        officeId: input.mode === 'office' ? input.officeId : null,
        status: 'booked',
        lateReasonEnc: late ? encryptField(keyring, lateReason, casenoteAad('appointments', id)) : null,
        outOfHoursReasonEnc: outOfHours
          ? encryptField(keyring, outOfHoursReason, casenoteAad('appointments:out_of_hours', id))
          : null,
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
        detail: {
          startsAt: startsAt.toISOString(),
          mode: input.mode,
          insideSevenDays: !late,
          durationMinutes: duration,
          caseworkerId,
          outOfHours,
          confirmedWithHim,
        },
      },
      now,
    );
    // Booking is not contact: only a referral he has been reached on moves to "appointment booked".
    if (referral.status === 'in_contact') setStatus(tx, referral, 'appointment_booked', staff.id, now);
  });
  const base = late ? 'Appointment booked (after the 7-day window, with your reason).' : 'Appointment booked.';
  return {
    ok: true,
    confirmedWithHim,
    appointmentId: id,
    message: confirmedWithHim
      ? base
      : `${base} Nobody has reached him yet, so it is booked, not yet confirmed with him: he still needs first contact.`,
  };
}

function findAppointment(db: PortalDb, referral: ReferralHead, appointmentId: string) {
  return (
    db
      .select()
      .from(appointments)
      .where(and(eq(appointments.id, appointmentId), eq(appointments.referralId, referral.id)))
      .get() ?? null
  );
}

export function rescheduleAppointment(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  appointmentId: string,
  input: { startsAt: Date | null; reason: string; outOfHoursReason: string },
  now: Date,
): ActionResult {
  const row = findAppointment(db, referral, appointmentId);
  if (!row) return fail('startsAt', 'That appointment is not on this referral.');
  if (row.status !== 'booked') return fail('startsAt', 'Only a booked appointment can be moved.');
  if (referral.status === 'closed') return fail('startsAt', 'This referral is closed.');
  const errors: Record<string, string> = {};
  if (!input.startsAt) errors.startsAt = 'Enter the new date and time, like 14/03/2026 10:30.';
  else if (input.startsAt.getTime() <= now.getTime()) errors.startsAt = 'The new time must be in the future.';
  const reason = checkReason(input.reason, errors, 'reason', 'Say why it is moving.');
  const officeId = row.officeId ?? referral.officeId;
  const outOfHours = !!input.startsAt && !insideOfficeHours(db, officeId, input.startsAt, row.durationMinutes);
  if (outOfHours && row.mode === 'office')
    errors.startsAt = 'The office is closed then. Choose a time inside its opening hours.';
  const outOfHoursReason = checkReason(
    input.outOfHoursReason,
    errors,
    'outOfHoursReason',
    outOfHours && row.mode === 'remote' ? 'This is outside office hours. Say why, or choose another time.' : null,
  );
  if (Object.keys(errors).length > 0 || !input.startsAt) return { ok: false, errors };
  const startsAt = input.startsAt;
  db.transaction((tx) => {
    tx.update(appointments)
      .set({
        startsAt,
        updatedAt: now,
        changeReasonEnc: encryptField(keyring, reason, casenoteAad('appointments:change', row.id)),
        outOfHoursReasonEnc: outOfHours
          ? encryptField(keyring, outOfHoursReason, casenoteAad('appointments:out_of_hours', row.id))
          : null,
      })
      .where(eq(appointments.id, row.id))
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'appointment_rescheduled',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: {
          appointmentId: row.id,
          startsAt: { before: row.startsAt.toISOString(), after: startsAt.toISOString() },
        },
      },
      now,
    );
  });
  return { ok: true, message: 'Appointment moved.' };
}

export function cancelAppointment(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  appointmentId: string,
  input: { reason: string },
  now: Date,
): ActionResult {
  const row = findAppointment(db, referral, appointmentId);
  if (!row) return fail('reason', 'That appointment is not on this referral.');
  if (row.status !== 'booked') return fail('reason', 'Only a booked appointment can be cancelled.');
  const errors: Record<string, string> = {};
  const reason = checkReason(input.reason, errors, 'reason', 'Say why it is cancelled.');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  db.transaction((tx) => {
    tx.update(appointments)
      .set({
        status: 'cancelled',
        updatedAt: now,
        changeReasonEnc: encryptField(keyring, reason, casenoteAad('appointments:change', row.id)),
      })
      .where(eq(appointments.id, row.id))
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'appointment_cancelled',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { appointmentId: row.id },
      },
      now,
    );
  });
  return { ok: true, message: 'Appointment cancelled.' };
}

/** Attended or did not attend, once its time has come. Attending is engagement. */
export function recordAppointmentOutcome(
  db: PortalDb,
  staff: SessionStaff,
  referral: ReferralHead,
  appointmentId: string,
  input: { outcome: string },
  now: Date,
): ActionResult {
  const row = findAppointment(db, referral, appointmentId);
  if (!row) return fail('outcome', 'That appointment is not on this referral.');
  if (row.status !== 'booked') return fail('outcome', 'This appointment already has an outcome.');
  if (input.outcome !== 'attended' && input.outcome !== 'did_not_attend')
    return fail('outcome', 'Choose whether he attended.');
  if (row.startsAt.getTime() > now.getTime()) return fail('outcome', 'This appointment has not started yet.');
  const outcome = input.outcome;
  db.transaction((tx) => {
    tx.update(appointments).set({ status: outcome, updatedAt: now }).where(eq(appointments.id, row.id)).run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'appointment_outcome_recorded',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { appointmentId: row.id, outcome },
      },
      now,
    );
    if (outcome === 'attended' && referral.status !== 'closed' && referral.status !== 'engaged')
      setStatus(tx, referral, 'engaged', staff.id, now);
  });
  return { ok: true, message: outcome === 'attended' ? 'Recorded: he attended.' : 'Recorded: he did not attend.' };
}

export interface AppointmentView {
  id: string;
  referralId: string;
  reference: string;
  startsAt: Date;
  durationMinutes: number;
  mode: 'office' | 'remote';
  officeId: string | null;
  staffId: string | null;
  staffName: string | null;
  status: AppointmentStatus;
  /** False while nobody has reached him: show "booked, not yet confirmed with him". */
  confirmedWithHim: boolean;
}

function appointmentViews(db: PortalDb, where: SQL | undefined): AppointmentView[] {
  const rows = db
    .select({
      id: appointments.id,
      referralId: appointments.referralId,
      reference: referrals.reference,
      referralStatus: referrals.status,
      startsAt: appointments.startsAt,
      durationMinutes: appointments.durationMinutes,
      mode: appointments.mode,
      officeId: appointments.officeId,
      staffId: appointments.staffId,
      staffName: staffUsers.name,
      status: appointments.status,
    })
    .from(appointments)
    .innerJoin(referrals, eq(referrals.id, appointments.referralId))
    .leftJoin(staffUsers, eq(staffUsers.id, appointments.staffId))
    .where(where)
    .orderBy(asc(appointments.startsAt))
    .all();
  return rows.map((row) => ({
    id: row.id,
    referralId: row.referralId,
    reference: row.reference,
    startsAt: row.startsAt,
    durationMinutes: row.durationMinutes,
    mode: row.mode,
    officeId: row.officeId,
    staffId: row.staffId,
    staffName: row.staffName,
    status: row.status,
    confirmedWithHim: !isCountingDown(row.referralStatus) || everReached(db, row.referralId),
  }));
}

/** One referral's appointments, earliest first. */
export function appointmentsForReferral(db: PortalDb, referralId: string): AppointmentView[] {
  return appointmentViews(db, and(eq(appointments.referralId, referralId)));
}

/** A caseworker's booked appointments in [from, to). */
export function appointmentsForStaff(db: PortalDb, staffId: string, from: Date, to: Date): AppointmentView[] {
  return appointmentViews(
    db,
    and(
      eq(appointments.staffId, staffId),
      eq(appointments.status, 'booked'),
      gte(appointments.startsAt, from),
      lt(appointments.startsAt, to),
    ),
  );
}

/** The office calendar: booked appointments of referrals owned by these offices in [from, to), by caseworker. */
export function officeCalendar(
  db: PortalDb,
  officeIds: readonly string[],
  from: Date,
  to: Date,
): Array<{ staffId: string | null; staffName: string; appointments: AppointmentView[] }> {
  if (officeIds.length === 0) return [];
  const views = appointmentViews(
    db,
    and(
      inArray(referrals.officeId, [...officeIds]),
      eq(appointments.status, 'booked'),
      gte(appointments.startsAt, from),
      lt(appointments.startsAt, to),
    ),
  );
  const byStaff = new Map<string, { staffId: string | null; staffName: string; appointments: AppointmentView[] }>();
  for (const view of views) {
    const key = view.staffId ?? '';
    const entry = byStaff.get(key) ?? {
      staffId: view.staffId,
      staffName: view.staffName ?? 'Nobody assigned',
      appointments: [],
    };
    entry.appointments.push(view);
    byStaff.set(key, entry);
  }
  return [...byStaff.values()].sort((a, b) => a.staffName.localeCompare(b.staffName));
}

/**
 * How we may remind him of an appointment: only by channels he allows, and without naming the service unless
 * he said we may. Empty when no channel is safe (then nobody reminds him; the caseworker agrees it when they speak).
 */
export function reminderChannels(safe: SafeContact): { channels: ContactChannel[]; mayNameService: boolean } {
  const channels = (['text', 'email', 'letter', 'phone'] as const).filter((channel) => channelAllowed(safe, channel));
  return { channels, mayNameService: safe.mayTellWhoWeAre };
}

/** The channels a caseworker reminds him through by hand, most convenient first (a letter needs days to arrive). */
export const HAND_REMINDER_CHANNELS = ['text', 'phone', 'letter'] as const;
export type HandReminderChannel = (typeof HAND_REMINDER_CHANNELS)[number];

/**
 * How he is reminded of an appointment: 'email' (the outbox sends it, automatically), a channel a caseworker
 * uses by hand (there is no SMS gateway), or null when no way of reminding him is safe.
 */
export function reminderChannelFor(safe: SafeContact): 'email' | HandReminderChannel | null {
  const { channels } = reminderChannels(safe);
  if (channels.includes('email')) return 'email';
  return HAND_REMINDER_CHANNELS.find((channel) => channels.includes(channel)) ?? null;
}
