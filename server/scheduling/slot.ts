import { addCalendarDays, isoWeekday, londonDate, londonWallClock, parseClockTime, workingWindow } from './calendar.ts';
import type {
  BookedContact,
  CaseworkerPattern,
  IsoDate,
  SafeTime,
  SlotFallbackReasonId,
  SlotProposal,
  SlotRequest,
  WorkingWindow,
} from './types.ts';

export type {
  BookedContact,
  CaseworkerPattern,
  CaseworkerShift,
  SafeTime,
  SlotFallbackReasonId,
  SlotProposal,
  SlotRequest,
} from './types.ts';

const MINUTE_MS = 60_000;
const STEP_MS = 15 * MINUTE_MS;
// Deadlines are at most D+7, so eight days always covers the whole search; the cap only guards against bad input.
const SEARCH_HORIZON_MS = 8 * 24 * 60 * MINUTE_MS;
export const DEFAULT_SLOT_MINUTES = 30;

/** London wall-clock minutes [from, to) for each answer he can give to "when is it safe to call?". */
export const SAFE_TIME_MINUTES: Record<SafeTime, { from: number; to: number }> = {
  morning: { from: 9 * 60, to: 12 * 60 },
  afternoon: { from: 12 * 60, to: 17 * 60 },
  evening: { from: 17 * 60, to: 20 * 60 },
};

/**
 * The earliest first-contact slot that keeps every promise: office open, a caseworker rostered, free and under
 * their daily limit, inside his safe times when we will phone him, and finished by the deadline.
 * Caseworker ties go to whoever has fewest contacts that day, then to the order given, to spread the load.
 * When nothing fits we say why and fall back to the deadline itself, so a manager can make room.
 *
 * Candidate starts are the UTC quarter hours inside each working window. The search goes window by window
 * (nights, weekends and closures cost nothing) and, inside a window, jumps over time that cannot change the
 * answer: to the next shift start when nobody is rostered, to the end of the blocking bookings (or the next
 * shift start) when every rostered caseworker is busy, and to the next safe time when he cannot be called yet.
 * London wall-clock minutes come from one Intl lookup per date, not one per quarter hour.
 */
export function proposeSlot(req: SlotRequest): SlotProposal {
  const slotMinutes = req.slotMinutes ?? DEFAULT_SLOT_MINUTES;
  if (!Number.isFinite(slotMinutes) || slotMinutes <= 0)
    throw new RangeError(`slotMinutes must be positive, got ${slotMinutes}`);
  const slotMs = slotMinutes * MINUTE_MS;

  // Contact on an unsafe channel could out him to the people he lives with; a person has to agree another route.
  if (!req.phoneSafe && !req.emailSafe) {
    return deadlineFallback(
      req,
      slotMs,
      'no_safe_channel',
      'he gave no phone or email that is safe to use: agree a safe way to reach him',
    );
  }
  const channel = req.phoneSafe ? 'phone' : 'email';
  // An email can be read whenever he chooses, so his safe times only limit phone calls.
  const safeRanges = channel === 'phone' ? mergedSafeRanges(req.safeTimes) : null;

  const contactsByStaffAndDate = countContactsByStaffAndDate(req.booked);
  const bookedByStaff = groupByStaff(req.booked);
  const shiftsOn = shiftsByWeekday(req.caseworkers);

  // London offsets are whole hours, so quarter hours in UTC are quarter hours on London clocks.
  const firstStart = Math.ceil(req.receivedAt.getTime() / STEP_MS) * STEP_MS;
  const lastStart = Math.min(req.deadline.getTime() - slotMs, firstStart + SEARCH_HORIZON_MS);
  let sawOfficeTime = false;
  let sawRosteredCaseworker = false;
  let sawFreeCaseworker = false;

  const lastDate = lastStart < firstStart ? null : londonDate(new Date(lastStart));
  for (
    let date = londonDate(new Date(firstStart));
    lastDate !== null && date <= lastDate;
    date = addCalendarDays(date, 1)
  ) {
    const window = workingWindow(date, req.cfg);
    if (!window) continue;
    const windowStartMs = window.start.getTime();
    const lastInWindow = Math.min(lastStart, window.end.getTime() - slotMs);
    const fromMs = Math.ceil(Math.max(firstStart, windowStartMs) / STEP_MS) * STEP_MS;
    if (fromMs > lastInWindow) continue;
    sawOfficeTime = true;

    const clock = windowClock(window);
    const weekday = isoWeekday(date);
    const shifts = shiftsOn(weekday);
    const contactsThatDay = (staffId: string): number => contactsByStaffAndDate.get(staffId)?.get(date) ?? 0;

    for (let startMs = fromMs; startMs <= lastInWindow;) {
      const endMs = startMs + slotMs;
      const startMinutes = clock.minutesAt(startMs);
      const endMinutes = clock.minutesAt(endMs);
      // The next moment a shift starts: the first time someone not rostered now could be.
      const nextShiftStart = (): number =>
        clock.instantAt(Math.min(...shifts.starts.filter((minutes) => minutes > startMinutes)));
      const next = (jumpTo: number): number => Math.max(startMs + STEP_MS, Math.ceil(jumpTo / STEP_MS) * STEP_MS);

      const rostered = req.caseworkers.filter((caseworker) =>
        (shifts.byCaseworker.get(caseworker) ?? []).some(
          (shift) => shift.start <= startMinutes && endMinutes <= shift.end,
        ),
      );
      if (rostered.length === 0) {
        startMs = next(nextShiftStart());
        continue;
      }
      sawRosteredCaseworker = true;

      // For each rostered caseworker: free now, or the instant before which they certainly stay busy.
      const free: CaseworkerPattern[] = [];
      let busyUntil = Infinity;
      for (const caseworker of rostered) {
        if (contactsThatDay(caseworker.staffId) >= caseworker.maxFirstContactsPerDay) continue;
        let blockedUntil = -Infinity;
        for (const booking of bookedByStaff.get(caseworker.staffId) ?? []) {
          if (booking.startMs < endMs && startMs < booking.endMs) blockedUntil = Math.max(blockedUntil, booking.endMs);
        }
        if (blockedUntil === -Infinity) free.push(caseworker);
        else busyUntil = Math.min(busyUntil, blockedUntil);
      }
      if (free.length === 0) {
        startMs = next(Math.min(busyUntil, nextShiftStart()));
        continue;
      }
      sawFreeCaseworker = true;

      if (safeRanges && !safeRanges.some((range) => range.from <= startMinutes && endMinutes <= range.to)) {
        startMs = next(clock.instantAt(Math.min(...safeRanges.map((r) => r.from).filter((m) => m > startMinutes))));
        continue;
      }

      const chosen = free.reduce((best, candidate) =>
        contactsThatDay(candidate.staffId) < contactsThatDay(best.staffId) ? candidate : best,
      );
      return { kind: 'slot', start: new Date(startMs), end: new Date(endMs), staffId: chosen.staffId, channel };
    }
  }

  const [reasonId, reason]: [SlotFallbackReasonId, string] =
    lastStart < firstStart
      ? ['no_time_before_deadline', `not enough time before the deadline for a ${slotMinutes}-minute contact`]
      : !sawOfficeTime
        ? ['no_office_time', 'no office working time between receipt and the deadline']
        : !sawRosteredCaseworker
          ? ['no_caseworker_rostered', 'no caseworker is rostered in office hours before the deadline']
          : !sawFreeCaseworker
            ? [
                'caseworkers_fully_booked',
                'every rostered caseworker is fully booked or at their daily limit before the deadline',
              ]
            : [
                'outside_safe_times',
                `no caseworker free before the deadline inside his safe times (${req.safeTimes.join(', ')})`,
              ];
  return deadlineFallback(req, slotMs, reasonId, reason);
}

function deadlineFallback(
  req: SlotRequest,
  slotMs: number,
  reasonId: SlotFallbackReasonId,
  reason: string,
): SlotProposal {
  // Late enough to leave a whole slot before the deadline, never before receipt, never past the deadline.
  const deadlineMs = req.deadline.getTime();
  const startMs = Math.min(deadlineMs, Math.max(req.receivedAt.getTime(), deadlineMs - slotMs));
  return { kind: 'deadline_fallback', start: new Date(startMs), reasonId, reason, capacityShort: true };
}

/** Adjacent safe times join up, so a call from 11:45 to 12:15 is fine when he chose morning and afternoon. */
function mergedSafeRanges(safeTimes: SafeTime[]): Array<{ from: number; to: number }> | null {
  if (safeTimes.length === 0) return null;
  const sorted = [...new Set(safeTimes)].map((time) => SAFE_TIME_MINUTES[time]).sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}

/** London wall-clock minutes inside one working window, from one Intl lookup per end of the window. */
function windowClock(window: WorkingWindow): { minutesAt(ms: number): number; instantAt(minutes: number): number } {
  const startMs = window.start.getTime();
  const opens = londonWallClock(window.start).minutes;
  const closes = londonWallClock(window.end).minutes;
  if (closes - opens === (window.end.getTime() - startMs) / MINUTE_MS) {
    return {
      minutesAt: (ms) => opens + Math.floor((ms - startMs) / MINUTE_MS),
      instantAt: (minutes) => (minutes === Infinity ? Infinity : startMs + (minutes - opens) * MINUTE_MS),
    };
  }
  // The clocks change inside this window (only possible with hours around 01:00): ask Intl each time, never jump.
  return { minutesAt: (ms) => londonWallClock(new Date(ms)).minutes, instantAt: () => -Infinity };
}

interface WeekdayShifts {
  /** Each caseworker's shifts that day, as minutes after midnight. */
  byCaseworker: Map<CaseworkerPattern, Array<{ start: number; end: number }>>;
  /** Every minute-of-day at which somebody's shift starts. */
  starts: number[];
}

/** Shifts parsed once per weekday the search reaches (a bad time still throws, as before, when it is needed). */
function shiftsByWeekday(caseworkers: CaseworkerPattern[]): (weekday: number) => WeekdayShifts {
  const cache = new Map<number, WeekdayShifts>();
  return (weekday) => {
    let shifts = cache.get(weekday);
    if (!shifts) {
      shifts = { byCaseworker: new Map(), starts: [] };
      for (const caseworker of caseworkers) {
        const parsed = caseworker.weekly
          .filter((shift) => shift.weekday === weekday)
          .map((shift) => ({ start: parseClockTime(shift.start), end: parseClockTime(shift.end) }));
        shifts.byCaseworker.set(caseworker, parsed);
        shifts.starts.push(...parsed.map((shift) => shift.start));
      }
      cache.set(weekday, shifts);
    }
    return shifts;
  };
}

function groupByStaff(booked: BookedContact[]): Map<string, Array<{ startMs: number; endMs: number }>> {
  const byStaff = new Map<string, Array<{ startMs: number; endMs: number }>>();
  for (const booking of booked) {
    const list = byStaff.get(booking.staffId) ?? [];
    list.push({ startMs: booking.start.getTime(), endMs: booking.end.getTime() });
    byStaff.set(booking.staffId, list);
  }
  return byStaff;
}

const HOUR_MS = 60 * MINUTE_MS;

function countContactsByStaffAndDate(booked: BookedContact[]): Map<string, Map<IsoDate, number>> {
  const counts = new Map<string, Map<IsoDate, number>>();
  // London offsets are whole hours, so every instant in one UTC hour falls on the same London date.
  const dateByUtcHour = new Map<number, IsoDate>();
  for (const booking of booked) {
    // The limit is on first contacts; appointments only block their own time (see BookedContact.kind).
    if (booking.kind === 'appointment') continue;
    const hour = Math.floor(booking.start.getTime() / HOUR_MS);
    let date = dateByUtcHour.get(hour);
    if (date === undefined) {
      date = londonDate(booking.start);
      dateByUtcHour.set(hour, date);
    }
    const byDate = counts.get(booking.staffId) ?? new Map<IsoDate, number>();
    byDate.set(date, (byDate.get(date) ?? 0) + 1);
    counts.set(booking.staffId, byDate);
  }
  return counts;
}
