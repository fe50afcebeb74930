import { londonDate, londonWallTimeToInstant, workingWindowsBetween } from './calendar.ts';
import { sevenDayLimit } from './deadline.ts';
import { SAFE_TIME_MINUTES } from './slot.ts';
import type { CalendarConfig, SafeTime } from './types.ts';

/**
 * Deadlines that can be met: the contact-by time from the office calendar, checked against his safe times for
 * the channel we will use. (Kept apart from slot.ts, which is tuned for speed.)
 */

export interface ContactWishes {
  phoneSafe: boolean;
  emailSafe: boolean;
  letterSafe?: boolean;
  safeTimes: readonly SafeTime[];
}

export const SAFE_TIMES_OUTSIDE_OFFICE_HOURS =
  'his safe times are outside office hours: arrange an evening call or use email';

export type SafeDeadlineFit =
  /** A safe time inside office hours starts before the deadline (or no time limits apply): nothing changes. */
  | { kind: 'fits'; contactBy: Date; channel: 'phone' | 'email' | 'letter' | null; firstSafeStart: Date | null }
  /** The deadline fell before his first safe office time: moved to the end of that safe time (never past day 7). */
  | { kind: 'moved'; contactBy: Date; channel: 'phone'; firstSafeStart: Date; explanation: string }
  /** No safe time inside office hours before day 7: the deadline stays (it is his right), and we say why. */
  | { kind: 'outside_office_hours'; contactBy: Date; channel: 'phone'; firstSafeStart: null; explanation: string };

/** Minutes a first call needs inside a safe time for that time to count. */
const MIN_CALL_MINUTES = 15;

/** The stretches of office time (from `from` to the end of day 7 after receipt) inside his safe times. */
export function safeOfficeWindows(
  from: Date,
  receivedAt: Date,
  cfg: CalendarConfig,
  safeTimes: readonly SafeTime[],
): Array<{ start: Date; end: Date }> {
  return safeOfficeWindowsUntil(from, sevenDayLimit(receivedAt), cfg, safeTimes);
}

/** The stretches of office time from `from` to `limit` inside his safe times (at least MIN_CALL_MINUTES long). */
export function safeOfficeWindowsUntil(
  from: Date,
  limit: Date,
  cfg: CalendarConfig,
  safeTimes: readonly SafeTime[],
): Array<{ start: Date; end: Date }> {
  const result: Array<{ start: Date; end: Date }> = [];
  for (const window of workingWindowsBetween(londonDate(from), londonDate(limit), cfg)) {
    const ranges =
      safeTimes.length === 0
        ? [{ start: window.start, end: window.end }]
        : safeTimes.map((time) => {
            const { from: a, to: b } = SAFE_TIME_MINUTES[time];
            const at = (m: number) =>
              londonWallTimeToInstant(
                window.date,
                `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
              );
            return { start: at(a), end: at(b) };
          });
    for (const range of ranges) {
      const start = Math.max(range.start.getTime(), window.start.getTime(), from.getTime());
      const end = Math.min(range.end.getTime(), window.end.getTime(), limit.getTime());
      if (end - start >= MIN_CALL_MINUTES * 60_000) result.push({ start: new Date(start), end: new Date(end) });
    }
  }
  return result.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * Fits a deadline to his safe times. By phone when his phone is safe (his safe times then limit us), otherwise
 * by email or letter (read when he chooses, so no time limit).
 */
export function fitDeadlineToSafeTimes(
  deadline: Date,
  from: Date,
  receivedAt: Date,
  cfg: CalendarConfig,
  wishes: ContactWishes,
): SafeDeadlineFit {
  if (!wishes.phoneSafe) {
    const channel = wishes.emailSafe ? 'email' : wishes.letterSafe ? 'letter' : null;
    return { kind: 'fits', contactBy: deadline, channel, firstSafeStart: null };
  }
  const windows = safeOfficeWindows(from, receivedAt, cfg, wishes.safeTimes);
  const first = windows[0];
  if (!first) {
    return {
      kind: 'outside_office_hours',
      contactBy: deadline,
      channel: 'phone',
      firstSafeStart: null,
      explanation: SAFE_TIMES_OUTSIDE_OFFICE_HOURS,
    };
  }
  if (first.start.getTime() + MIN_CALL_MINUTES * 60_000 <= deadline.getTime()) {
    return { kind: 'fits', contactBy: deadline, channel: 'phone', firstSafeStart: first.start };
  }
  return {
    kind: 'moved',
    contactBy: first.end,
    channel: 'phone',
    firstSafeStart: first.start,
    explanation:
      'the deadline came before his first safe time to call inside office hours, so it is the end of that safe time',
  };
}
