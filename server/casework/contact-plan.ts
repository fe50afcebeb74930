import { asc, eq } from 'drizzle-orm';
import { contactAttempts } from '../../db/schema/casework.ts';
import type { DbWriter } from '../../db/writer.ts';
import { calendarFor } from '../offices/calendar.ts';
import { londonDate, londonWallClock, workingWindowsBetween } from '../scheduling/calendar.ts';
import { sevenDayLimit } from '../scheduling/deadline.ts';
import { safeOfficeWindows } from '../scheduling/safe-deadline.ts';
import type { SafeTime } from '../scheduling/types.ts';
import { channelAllowed, TIMED_CHANNELS, type SafeContact } from './safe-contact.ts';
import {
  CHANNEL_LABELS,
  OUTGOING_CHANNELS,
  REACHED_OUTCOMES,
  type ContactChannel,
  type ContactOutcome,
} from './statuses.ts';

/**
 * The contact plan: how we keep trying to reach a man before anyone may even propose "unable to contact".
 * At least three attempts, on at least two working days, at different times of day (where his safe times allow
 * more than one), across the channels he allows (at least two when he allows two or more). For each channel he
 * allows, the next safe window to try.
 */

export const PLAN_MINIMUM = { attempts: 3, workingDays: 2, timesOfDay: 2, channels: 2 } as const;

export interface PlanWindow {
  channel: ContactChannel;
  label: string;
  allowed: boolean;
  /** Why not, in words, when not allowed. */
  why: string | null;
  /** The next time it is safe and the office is open (null when none is left within 7 days of receipt). */
  from: Date | null;
  to: Date | null;
}

export interface ContactPlan {
  attempts: { count: number; workingDays: number; timesOfDay: SafeTime[]; channels: ContactChannel[] };
  required: { attempts: number; workingDays: number; timesOfDay: number; channels: number };
  reached: boolean;
  declined: boolean;
  /** The minimum is met: "unable to contact" may be proposed (to a manager). */
  exhausted: boolean;
  /** What is still needed, in plain words. */
  missing: string[];
  windows: PlanWindow[];
  lastAttemptAt: Date | null;
}

export function timeOfDay(at: Date): SafeTime {
  const { minutes } = londonWallClock(at);
  return minutes < 12 * 60 ? 'morning' : minutes < 17 * 60 ? 'afternoon' : 'evening';
}

const NOT_ALLOWED: Record<Exclude<ContactChannel, 'he_contacted_us'>, string> = {
  phone: 'He said it is not safe to call this number.',
  text: 'He said we must not send texts (or his phone is not safe).',
  email: 'He gave no email address that he said is safe.',
  letter: 'He gave no postal address that he said is safe to write to.',
};

export function contactPlan(
  db: DbWriter,
  referral: { id: string; officeId: string; receivedAt: Date },
  safe: SafeContact,
  now: Date,
): ContactPlan {
  const rows = db
    .select({ at: contactAttempts.attemptedAt, channel: contactAttempts.channel, outcome: contactAttempts.outcome })
    .from(contactAttempts)
    .where(eq(contactAttempts.referralId, referral.id))
    .orderBy(asc(contactAttempts.attemptedAt))
    .all() as Array<{ at: Date; channel: ContactChannel; outcome: ContactOutcome }>;
  const outgoing = rows.filter((row) => OUTGOING_CHANNELS.includes(row.channel) && row.outcome !== 'wrong_number');
  const days = new Set(outgoing.map((row) => londonDate(row.at)));
  const times = [...new Set(outgoing.map((row) => timeOfDay(row.at)))];
  const channels = [...new Set(outgoing.map((row) => row.channel))];
  const allowed = OUTGOING_CHANNELS.filter((channel) => channelAllowed(safe, channel));

  // What his wishes make possible: one time of day if he chose one; one channel if he allows one.
  const possibleTimes = safe.phoneSafe && safe.safeTimes.length > 0 ? safe.safeTimes.length : 3;
  const required = {
    attempts: PLAN_MINIMUM.attempts,
    workingDays: PLAN_MINIMUM.workingDays,
    timesOfDay: Math.min(PLAN_MINIMUM.timesOfDay, possibleTimes),
    channels: Math.max(1, Math.min(PLAN_MINIMUM.channels, allowed.length)),
  };
  const missing: string[] = [];
  if (outgoing.length < required.attempts)
    missing.push(
      `${required.attempts - outgoing.length} more attempt${required.attempts - outgoing.length === 1 ? '' : 's'}`,
    );
  if (days.size < required.workingDays) missing.push(`attempts on ${required.workingDays} different working days`);
  if (times.length < required.timesOfDay) missing.push(`attempts at ${required.timesOfDay} different times of day`);
  if (channels.filter((c) => allowed.includes(c)).length < required.channels)
    missing.push(`attempts by ${required.channels} different ways he allows`);

  const calendar = calendarFor(db, referral.officeId);
  const limit = sevenDayLimit(referral.receivedAt);
  // After day 7 we still try: look a week ahead from now.
  const horizonStart = now.getTime() > limit.getTime() ? now : referral.receivedAt;
  const windows: PlanWindow[] = OUTGOING_CHANNELS.map((channel) => {
    const ok = channelAllowed(safe, channel);
    if (!ok)
      return {
        channel,
        label: CHANNEL_LABELS[channel],
        allowed: false,
        why: NOT_ALLOWED[channel as keyof typeof NOT_ALLOWED],
        from: null,
        to: null,
      };
    let next: { start: Date; end: Date } | undefined;
    if (TIMED_CHANNELS.includes(channel)) {
      next = safeOfficeWindows(now, horizonStart, calendar, safe.safeTimes)[0];
    } else {
      next = workingWindowsBetween(londonDate(now), londonDate(new Date(now.getTime() + 8 * 86_400_000)), calendar)
        .filter((window) => window.end.getTime() > now.getTime())
        .map((window) => ({ start: new Date(Math.max(window.start.getTime(), now.getTime())), end: window.end }))[0];
    }
    return {
      channel,
      label: CHANNEL_LABELS[channel],
      allowed: true,
      why: null,
      from: next?.start ?? null,
      to: next?.end ?? null,
    };
  });

  return {
    attempts: { count: outgoing.length, workingDays: days.size, timesOfDay: times, channels },
    required,
    reached: rows.some((row) => REACHED_OUTCOMES.includes(row.outcome)),
    declined: rows.some((row) => row.outcome === 'declined'),
    exhausted: missing.length === 0,
    missing,
    windows,
    lastAttemptAt: rows.at(-1)?.at ?? null,
  };
}
