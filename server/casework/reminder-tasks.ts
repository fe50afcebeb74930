import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, lte, ne, or, sql } from 'drizzle-orm';
import { appointmentReminders } from '../../db/schema/appointment-reminders.ts';
import { appointments } from '../../db/schema/casework.ts';
import { referrals } from '../../db/schema/referrals.ts';
import type { PortalDb } from '../../db/client.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { calendarFor } from '../offices/calendar.ts';
import type { Keyring } from '../security/field-encryption.ts';
import {
  addCalendarDays,
  isWorkingDate,
  londonDate,
  startOfLondonDate,
  type CalendarConfig,
} from '../scheduling/calendar.ts';
import { safeOfficeWindowsUntil } from '../scheduling/safe-deadline.ts';
import { recordContactAttempt } from './actions.ts';
import { reminderChannelFor, type HandReminderChannel } from './appointments.ts';
import { appointmentReminderWords } from './reminder-words.ts';
import { safeFor } from './reminders.ts';
import { safeTimesText, type SafeContact } from './safe-contact.ts';
import { CHANNEL_LABELS, OUTCOME_LABELS, type ContactOutcome } from './statuses.ts';
import { fail, type ActionResult, type ReferralHead } from './types.ts';

/**
 * Appointment reminders a caseworker sends by hand. When email is not safe for him but a text, a call or a letter
 * is, the appointment's caseworker gets a task on My work: the channel, when it is safe, and the exact words he
 * allows. Recording it sends nothing: it goes in the contact log (checked against his wishes like any attempt),
 * an `appointment_reminders` row closes the task, and the audit trail says who did it.
 */

/** Working days before the appointment's day that the task appears: a letter needs time to arrive. */
const LEAD_WORKING_DAYS: Record<HandReminderChannel, number> = { text: 1, phone: 1, letter: 3 };
/** How far ahead tasks are looked for (the longest lead, with weekends and bank holidays). */
const LOOKAHEAD_DAYS = 14;

/** The start of the working day `count` working days before the appointment's London date. */
export function reminderDueFrom(channel: HandReminderChannel, startsAt: Date, cfg: CalendarConfig): Date {
  let date = londonDate(startsAt);
  let left = LEAD_WORKING_DAYS[channel];
  for (let i = 0; left > 0 && i < LOOKAHEAD_DAYS; i++) {
    date = addCalendarDays(date, -1);
    if (isWorkingDate(date, cfg)) left -= 1;
  }
  return startOfLondonDate(date);
}

export interface ReminderTask {
  appointmentId: string;
  referralId: string;
  reference: string;
  startsAt: Date;
  channel: HandReminderChannel;
  channelLabel: string;
  /** When it is safe, in words, and the next stretch of office time inside his safe times (calls and texts). */
  when: string;
  nextSafeWindow: { from: Date; to: Date } | null;
  /** The words to use, exactly. */
  words: string[];
  /** What not to do (his other wishes). */
  cautions: string[];
  /** The outcomes the button(s) record: 'sent' for a text or letter; for a call, whether he (or voicemail) heard it. */
  outcomes: Array<{ value: ContactOutcome; label: string }>;
}

function cautionsFor(channel: HandReminderChannel, safe: SafeContact): string[] {
  const cautions: string[] = [];
  if (!safe.mayTellWhoWeAre)
    cautions.push(
      channel === 'letter'
        ? 'Do not say who we are: no name of the service in the letter or on the envelope.'
        : 'Do not say who we are, to him or to anyone else who answers or sees the phone.',
    );
  if (channel === 'phone' && !safe.voicemailAllowed) cautions.push('Do not leave a voicemail.');
  if (channel === 'phone' && safe.withheldNumberOk === false) cautions.push('Call from a number that shows.');
  return cautions;
}

function outcomesFor(channel: HandReminderChannel, safe: SafeContact): ReminderTask['outcomes'] {
  if (channel !== 'phone') return [{ value: 'sent', label: 'Sent' }];
  const outcomes: ContactOutcome[] = [
    'spoke',
    ...(safe.voicemailAllowed ? (['voicemail_left'] as const) : []),
    'no_answer',
  ];
  return outcomes.map((value) => ({ value, label: OUTCOME_LABELS[value] }));
}

/** The task for one booked appointment, or null when none is due now (emailed, done already, or not yet time). */
function taskFor(
  db: PortalDb,
  keyring: Keyring,
  row: {
    id: string;
    referralId: string;
    reference: string;
    startsAt: Date;
    mode: 'office' | 'remote';
    officeId: string;
  },
  now: Date,
): ReminderTask | null {
  const safe = safeFor(db, keyring, row.referralId);
  if (!safe) return null;
  const channel = reminderChannelFor(safe);
  if (!channel || channel === 'email') return null;
  const cfg = calendarFor(db, row.officeId);
  if (reminderDueFrom(channel, row.startsAt, cfg).getTime() > now.getTime()) return null;
  const timed = channel !== 'letter';
  const nextSafeWindow = timed
    ? (safeOfficeWindowsUntil(now, row.startsAt, cfg, safe.safeTimes).map((w) => ({ from: w.start, to: w.end }))[0] ??
      null)
    : null;
  const when = timed
    ? `Only in his safe times: ${safeTimesText(safe.safeTimes)}.${
        nextSafeWindow ? '' : ' None is inside office hours before the appointment: arrange to do it in his safe time.'
      }`
    : 'Post it today, so it arrives before the appointment.';
  return {
    appointmentId: row.id,
    referralId: row.referralId,
    reference: row.reference,
    startsAt: row.startsAt,
    channel,
    channelLabel: CHANNEL_LABELS[channel],
    when,
    nextSafeWindow,
    words: appointmentReminderWords(channel, row.startsAt, row.mode, safe.mayTellWhoWeAre).lines,
    cautions: cautionsFor(channel, safe),
    outcomes: outcomesFor(channel, safe),
  };
}

const notReminded = sql`NOT EXISTS (SELECT 1 FROM ${appointmentReminders}
  WHERE ${appointmentReminders.appointmentId} = ${appointments.id}
    AND ${appointmentReminders.startsAt} = ${appointments.startsAt})`;

/** Reminders due now for this caseworker's booked appointments (in their offices), earliest appointment first. */
export function reminderTasksFor(
  db: PortalDb,
  keyring: Keyring,
  staff: Pick<SessionStaff, 'id' | 'officeIds'>,
  now: Date,
): ReminderTask[] {
  if (staff.officeIds.length === 0) return [];
  const rows = db
    .select({
      id: appointments.id,
      referralId: appointments.referralId,
      reference: referrals.reference,
      startsAt: appointments.startsAt,
      mode: appointments.mode,
      officeId: referrals.officeId,
    })
    .from(appointments)
    .innerJoin(referrals, eq(referrals.id, appointments.referralId))
    .where(
      and(
        or(
          eq(appointments.staffId, staff.id),
          and(sql`${appointments.staffId} IS NULL`, eq(appointments.bookedBy, staff.id)),
        ),
        eq(appointments.status, 'booked'),
        gt(appointments.startsAt, now),
        lte(appointments.startsAt, new Date(now.getTime() + LOOKAHEAD_DAYS * 86_400_000)),
        ne(referrals.status, 'closed'),
        inArray(referrals.officeId, [...staff.officeIds]),
        notReminded,
      ),
    )
    .orderBy(asc(appointments.startsAt))
    .all();
  return rows.map((row) => taskFor(db, keyring, row, now)).filter((task): task is ReminderTask => task !== null);
}

/**
 * Records that the reminder went (or, for a call, what happened): a contact attempt on the reminder's channel,
 * checked against his wishes, and, when it reached him (a text or letter sent, a call answered or a voicemail he
 * allows), the row that closes the task. One transaction, audited.
 */
export function recordReminderSent(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  appointmentId: string,
  input: { outcome: string },
  now: Date,
): ActionResult<{ done: boolean }> {
  const row = db
    .select({
      id: appointments.id,
      startsAt: appointments.startsAt,
      mode: appointments.mode,
      status: appointments.status,
    })
    .from(appointments)
    .where(and(eq(appointments.id, appointmentId), eq(appointments.referralId, referral.id)))
    .get();
  if (!row) return fail('outcome', 'That appointment is not on this referral.');
  if (row.status !== 'booked' || row.startsAt.getTime() <= now.getTime())
    return fail('outcome', 'This appointment is no longer coming up, so it needs no reminder.');
  const task = taskFor(
    db,
    keyring,
    { ...row, id: appointmentId, referralId: referral.id, reference: referral.reference, officeId: referral.officeId },
    now,
  );
  if (!task) return fail('outcome', 'No reminder by hand is due for this appointment.');
  const done = db
    .select({ id: appointmentReminders.id })
    .from(appointmentReminders)
    .where(and(eq(appointmentReminders.appointmentId, appointmentId), eq(appointmentReminders.startsAt, row.startsAt)))
    .get();
  if (done) return fail('outcome', 'This reminder has already been recorded.');
  const outcome = task.outcomes.find((o) => o.value === input.outcome)?.value;
  if (!outcome) return fail('outcome', 'Choose what happened.');
  const safe = safeFor(db, keyring, referral.id);
  if (!safe) return fail('outcome', 'His answers cannot be read, so his wishes cannot be checked. Tell your manager.');

  return db.transaction(() => {
    const attempt = recordContactAttempt(
      db,
      keyring,
      staff,
      referral,
      {
        channel: task.channel,
        outcome,
        note: `Reminder of the appointment: ${task.words.filter(Boolean).join(' ')}`,
        at: now,
        // The words shown name the service only when he allows it.
        saidWhoWeAre: safe.mayTellWhoWeAre,
        withheldNumber: null,
      },
      now,
    );
    if (!attempt.ok) return attempt;
    const reminded = outcome !== 'no_answer';
    if (reminded) {
      db.insert(appointmentReminders)
        .values({
          id: randomUUID(),
          referralId: referral.id,
          appointmentId,
          startsAt: row.startsAt,
          channel: task.channel,
          contactAttemptId: attempt.attemptId,
          staffId: staff.id,
          sentAt: now,
        })
        .run();
      recordAudit(
        db,
        {
          actorId: staff.id,
          action: 'appointment_reminder_sent',
          referralId: referral.id,
          officeId: referral.officeId,
          detail: { appointmentId, channel: task.channel, outcome, namedService: safe.mayTellWhoWeAre },
        },
        now,
      );
    }
    return {
      ok: true as const,
      done: reminded,
      message: reminded
        ? `Reminder recorded (${task.channelLabel.toLowerCase()}), in the contact log.`
        : 'No answer recorded in the contact log. The reminder is still to do: try again in his safe time.',
    };
  });
}
