import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import { appointments, referralAssignments } from '../../db/schema/casework.ts';
import { outboxMessages } from '../../db/schema/outbox.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { loadReferralAnswers, ReferralDataTamperedError } from '../referrals/store.ts';
import {
  addCalendarDays,
  endOfLondonDate,
  londonDate,
  londonWallClock,
  startOfLondonDate,
} from '../scheduling/calendar.ts';
import { backOfficeReferralUrl, formatLondonDateTime } from '../alerts/format.ts';
import { reminderChannelFor, type HandReminderChannel } from './appointments.ts';
import { appointmentReminderWords } from './reminder-words.ts';
import { contactPlan, timeOfDay } from './contact-plan.ts';
import type { NotifyContext } from './notify.ts';
import { safeContactFrom, TIMED_CHANNELS, type SafeContact } from './safe-contact.ts';
import { NEEDS_CONTACT_STATUSES, PRIORITY_LABELS } from './statuses.ts';

/**
 * Reminders, sent through the outbox by the alert scheduler:
 * - to the assignee, when a safe window of the contact plan opens for a referral still waiting for contact
 *   (at most once per window and once per working day for each referral; like every staff alert, no personal data);
 * - to him, the day before an appointment, only by email when email is safe for him, and without saying who we
 *   are when he asked us not to. Otherwise nothing is sent and the record says to remind him by hand.
 */

/** Appointment reminders go out from this London time on the day before. */
export const APPOINTMENT_REMINDER_FROM_MINUTES = 9 * 60;

export type SafeWithEmail = SafeContact & { email: string | null };

/** His contact wishes and email address, or null when his answers are missing or fail their integrity check. */
export function safeFor(db: PortalDb, keyring: NotifyContext['keyring'], referralId: string): SafeWithEmail | null {
  try {
    const loaded = loadReferralAnswers(db, keyring, referralId);
    if (!loaded) return null;
    const email = typeof loaded.answers.email === 'string' ? loaded.answers.email.trim() : '';
    return { ...safeContactFrom(loaded.answers), email: email || null };
  } catch (error) {
    if (error instanceof ReferralDataTamperedError) return null;
    throw error;
  }
}

/** Which window an instant is in: the safe time of day for calls and texts, the working day for email and letters. */
const windowOf = (at: Date, timed: boolean) => `${londonDate(at)}:${timed ? timeOfDay(at) : 'day'}`;

/**
 * The dedupe key of an assignee reminder: one per referral per London day. A day can hold two safe windows (a
 * morning and an afternoon, or a call window and an email window), and each is "a window opening", but the
 * assignee hears about a referral at most once a working day (and so at most once per window).
 */
export const planReminderKey = (referralId: string, now: Date) => `plan-window:${referralId}:${londonDate(now)}`;

function alreadyQueued(db: PortalDb, keys: string[]): Set<string> {
  if (keys.length === 0) return new Set();
  return new Set(
    db
      .select({ key: outboxMessages.dedupeKey })
      .from(outboxMessages)
      .where(inArray(outboxMessages.dedupeKey, keys))
      .all()
      .map((row) => row.key ?? ''),
  );
}

/** Emails assignees whose referral's next safe window is open now. Returns how many emails were queued. */
export function sweepPlanWindowReminders(db: PortalDb, ctx: NotifyContext, now: Date): number {
  const held = db
    .select({
      id: referrals.id,
      reference: referrals.reference,
      priority: referrals.priority,
      contactBy: referrals.contactBy,
      receivedAt: referrals.receivedAt,
      officeId: referrals.officeId,
      email: staffUsers.email,
    })
    .from(referralAssignments)
    .innerJoin(referrals, eq(referrals.id, referralAssignments.referralId))
    .innerJoin(staffUsers, eq(staffUsers.id, referralAssignments.staffId))
    .where(and(inArray(referrals.status, [...NEEDS_CONTACT_STATUSES]), eq(staffUsers.status, 'active')))
    .all();
  // Skip (before decrypting anything) every referral already reminded today.
  const done = alreadyQueued(
    db,
    held.map((r) => planReminderKey(r.id, now)),
  );
  let queued = 0;
  for (const referral of held) {
    if (done.has(planReminderKey(referral.id, now))) continue;
    const safe = safeFor(db, ctx.keyring, referral.id);
    if (!safe) continue;
    const plan = contactPlan(db, referral, safe, now);
    if (plan.reached || plan.declined) continue;
    const open = plan.windows.filter(
      (w) => w.allowed && w.from && w.to && w.from.getTime() <= now.getTime() && now.getTime() < w.to.getTime(),
    );
    if (open.length === 0) continue;
    const timed = open.some((w) => TIMED_CHANNELS.includes(w.channel));
    // Already tried in this window: no reminder needed.
    if (plan.lastAttemptAt && windowOf(plan.lastAttemptAt, timed) === windowOf(now, timed)) continue;
    const until = Math.max(...open.map((w) => w.to!.getTime()));
    const id = enqueueEmail(
      db,
      ctx.keyring,
      {
        kind: 'assignee_window_open',
        to: [referral.email],
        subject: `[Safe time to contact] Referral ${referral.reference} (${PRIORITY_LABELS[referral.priority]})`,
        text: [
          'A safe time to contact him has started for a referral assigned to you, and he has not been reached yet.',
          '',
          `Reference:  ${referral.reference}`,
          `Priority:   ${PRIORITY_LABELS[referral.priority]}`,
          `Safe until: ${formatLondonDateTime(new Date(until))}`,
          `Contact by: ${formatLondonDateTime(referral.contactBy)}`,
          '',
          `Open it: ${backOfficeReferralUrl(ctx.publicBaseUrl, referral.id)}`,
          '',
          '--',
          'This alert holds no personal details on purpose. Sign in to the back office to see the referral.',
        ].join('\n'),
        dedupeKey: planReminderKey(referral.id, now),
      },
      now,
    );
    if (id) queued += 1;
  }
  return queued;
}

const HAND_TEXT: Record<HandReminderChannel, string> = {
  text: 'by text',
  phone: 'by a phone call',
  letter: 'by letter',
};

/** How he will be reminded of an appointment, in words for the record. */
export function appointmentReminderPlan(safe: SafeContact | null): { byEmail: boolean; text: string } {
  const channel = safe ? reminderChannelFor(safe) : null;
  if (safe && channel === 'email')
    return {
      byEmail: true,
      text: safe.mayTellWhoWeAre
        ? 'He will be emailed a reminder the day before.'
        : 'He will be emailed a reminder the day before that does not say who we are.',
    };
  if (safe && channel && channel !== 'email')
    return {
      byEmail: false,
      text: `Email is not safe for him, so no email is sent: his caseworker is asked on My work to remind him ${HAND_TEXT[channel]}${
        safe.mayTellWhoWeAre ? '' : ', in words that do not say who we are'
      }.`,
    };
  return {
    byEmail: false,
    text: 'No way of reminding him is safe, so no reminder is sent: agree the time with him when you speak.',
  };
}

export const appointmentReminderKey = (appointmentId: string, startsAt: Date) =>
  `appointment-reminder:${appointmentId}:${startsAt.getTime()}`;

/** Emails him the day before each booked appointment, when email is safe for him. Returns how many were queued. */
export function sweepAppointmentReminders(db: PortalDb, ctx: NotifyContext, now: Date): number {
  if (londonWallClock(now).minutes < APPOINTMENT_REMINDER_FROM_MINUTES) return 0;
  const tomorrow = addCalendarDays(londonDate(now), 1);
  const from = startOfLondonDate(tomorrow);
  const to = endOfLondonDate(tomorrow);
  const rows = db
    .select({
      id: appointments.id,
      referralId: appointments.referralId,
      startsAt: appointments.startsAt,
      mode: appointments.mode,
    })
    .from(appointments)
    .innerJoin(referrals, eq(referrals.id, appointments.referralId))
    .where(
      and(
        eq(appointments.status, 'booked'),
        gte(appointments.startsAt, from),
        lte(appointments.startsAt, to),
        inArray(referrals.status, ['new', 'contact_attempted', 'in_contact', 'appointment_booked', 'engaged']),
      ),
    )
    .all()
    .filter((row) => londonDate(row.startsAt) === tomorrow);
  const done = alreadyQueued(
    db,
    rows.map((row) => appointmentReminderKey(row.id, row.startsAt)),
  );
  let queued = 0;
  for (const row of rows) {
    if (done.has(appointmentReminderKey(row.id, row.startsAt))) continue;
    const safe = safeFor(db, ctx.keyring, row.referralId);
    if (!safe?.email || !appointmentReminderPlan(safe).byEmail) continue;
    const words = appointmentReminderWords('email', row.startsAt, row.mode, safe.mayTellWhoWeAre);
    const id = enqueueEmail(
      db,
      ctx.keyring,
      {
        kind: 'appointment_reminder',
        to: [safe.email],
        subject: words.subject ?? 'Reminder for tomorrow',
        text: words.lines.join('\n'),
        dedupeKey: appointmentReminderKey(row.id, row.startsAt),
      },
      now,
    );
    if (id) queued += 1;
  }
  return queued;
}
