import { addCalendarDays, londonDate, workingWindowsBetween } from '../scheduling/calendar.ts';
import type { CalendarConfig, IsoDate } from '../scheduling/types.ts';

/**
 * Working hours between two instants in one office's calendar (its hours, closures and bank holidays).
 * Built once per office and period, then answered by binary search, so thousands of referrals cost little.
 */
export interface WorkingClock {
  hoursBetween(from: number, to: number): number;
}

/**
 * Clocks already built, by calendar and dates. A clock depends only on those, so a dashboard opened again (or for
 * the other presets) reuses it instead of walking a year of dates through the time zone again; a change of hours
 * or closures changes the key. A few entries cover every office and preset.
 */
const built = new Map<string, WorkingClock>();
const BUILT_LIMIT = 32;

export function workingClock(cfg: CalendarConfig, fromMs: number, toMs: number): WorkingClock {
  const from: IsoDate = addCalendarDays(londonDate(new Date(fromMs)), -1);
  const to: IsoDate = addCalendarDays(londonDate(new Date(toMs)), 1);
  const key = `${from}|${to}|${JSON.stringify(cfg)}`;
  let clock = built.get(key);
  if (!clock) {
    clock = buildClock(cfg, from, to);
    if (built.size >= BUILT_LIMIT) built.delete(built.keys().next().value!);
    built.set(key, clock);
  }
  return clock;
}

function buildClock(cfg: CalendarConfig, from: IsoDate, to: IsoDate): WorkingClock {
  const windows = workingWindowsBetween(from, to, cfg).map((w) => ({ start: w.start.getTime(), end: w.end.getTime() }));
  const before: number[] = [];
  let total = 0;
  for (const w of windows) {
    before.push(total);
    total += w.end - w.start;
  }
  // Working milliseconds from the first window up to instant t.
  const upTo = (t: number): number => {
    let lo = 0;
    let hi = windows.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (windows[mid]!.start <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === -1) return 0;
    const w = windows[found]!;
    return before[found]! + Math.min(t, w.end) - w.start;
  };
  return {
    hoursBetween(a: number, b: number): number {
      if (b <= a) return 0;
      return (upTo(b) - upTo(a)) / 3_600_000;
    },
  };
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
