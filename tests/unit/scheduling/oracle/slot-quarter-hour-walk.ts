// The first-contact slot search as it was before it learned to jump (commit 9051006): it probes every quarter hour
// and asks Intl for the London wall clock at each one. Kept unchanged as the oracle for the property test.
import {
  isoWeekday,
  londonDate,
  londonWallClock,
  parseClockTime,
  workingWindow,
} from '../../../../server/scheduling/calendar.ts';
import type {
  BookedContact,
  CaseworkerPattern,
  IsoDate,
  SafeTime,
  SlotFallbackReasonId,
  SlotProposal,
  SlotRequest,
  WorkingWindow,
} from '../../../../server/scheduling/types.ts';

export type {
  BookedContact,
  CaseworkerPattern,
  CaseworkerShift,
  SafeTime,
  SlotFallbackReasonId,
  SlotProposal,
  SlotRequest,
} from '../../../../server/scheduling/types.ts';

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
 */
export function proposeSlotOracle(req: SlotRequest): SlotProposal {
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
  const windowsByDate = new Map<IsoDate, WorkingWindow | null>();
  const windowFor = (date: IsoDate): WorkingWindow | null => {
    if (!windowsByDate.has(date)) windowsByDate.set(date, workingWindow(date, req.cfg));
    return windowsByDate.get(date) ?? null;
  };

  // London offsets are whole hours, so quarter hours in UTC are quarter hours on London clocks.
  const firstStart = Math.ceil(req.receivedAt.getTime() / STEP_MS) * STEP_MS;
  const lastStart = Math.min(req.deadline.getTime() - slotMs, firstStart + SEARCH_HORIZON_MS);
  let sawOfficeTime = false;
  let sawRosteredCaseworker = false;
  let sawFreeCaseworker = false;

  for (let startMs = firstStart; startMs <= lastStart; startMs += STEP_MS) {
    const endMs = startMs + slotMs;
    const start = new Date(startMs);
    const { date, minutes: startMinutes } = londonWallClock(start);
    const window = windowFor(date);
    if (!window || startMs < window.start.getTime() || endMs > window.end.getTime()) continue;
    sawOfficeTime = true;

    const end = new Date(endMs);
    // A window never crosses midnight, so the end is on the same London date.
    const endMinutes = londonWallClock(end).minutes;
    const weekday = isoWeekday(date);
    const rostered = req.caseworkers.filter((caseworker) => isRostered(caseworker, weekday, startMinutes, endMinutes));
    if (rostered.length === 0) continue;
    sawRosteredCaseworker = true;

    const contactsThatDay = (staffId: string): number => contactsByStaffAndDate.get(staffId)?.get(date) ?? 0;
    const free = rostered.filter(
      (caseworker) =>
        contactsThatDay(caseworker.staffId) < caseworker.maxFirstContactsPerDay &&
        !(bookedByStaff.get(caseworker.staffId) ?? []).some(
          (booking) => booking.start.getTime() < endMs && startMs < booking.end.getTime(),
        ),
    );
    if (free.length === 0) continue;
    sawFreeCaseworker = true;

    if (safeRanges && !safeRanges.some((range) => range.from <= startMinutes && endMinutes <= range.to)) continue;

    const chosen = free.reduce((best, candidate) =>
      contactsThatDay(candidate.staffId) < contactsThatDay(best.staffId) ? candidate : best,
    );
    return { kind: 'slot', start, end, staffId: chosen.staffId, channel };
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

function isRostered(caseworker: CaseworkerPattern, weekday: number, startMinutes: number, endMinutes: number): boolean {
  return caseworker.weekly.some(
    (shift) =>
      shift.weekday === weekday &&
      parseClockTime(shift.start) <= startMinutes &&
      endMinutes <= parseClockTime(shift.end),
  );
}

function groupByStaff(booked: BookedContact[]): Map<string, BookedContact[]> {
  const byStaff = new Map<string, BookedContact[]>();
  for (const booking of booked) {
    const list = byStaff.get(booking.staffId) ?? [];
    list.push(booking);
    byStaff.set(booking.staffId, list);
  }
  return byStaff;
}

function countContactsByStaffAndDate(booked: BookedContact[]): Map<string, Map<IsoDate, number>> {
  const counts = new Map<string, Map<IsoDate, number>>();
  for (const booking of booked) {
    // The limit is on first contacts; appointments only block their own time (see BookedContact.kind).
    if (booking.kind === 'appointment') continue;
    const byDate = counts.get(booking.staffId) ?? new Map<IsoDate, number>();
    const date = londonDate(booking.start);
    byDate.set(date, (byDate.get(date) ?? 0) + 1);
    counts.set(booking.staffId, byDate);
  }
  return counts;
}
