import { addCalendarDays, isValidIsoDate, londonDate, startOfLondonDate } from '../scheduling/calendar.ts';
import type { IsoDate } from '../scheduling/types.ts';

/**
 * The period a dashboard or export covers: a preset (last 4 weeks, quarter, year) or two dates. Dates are
 * London dates, both inclusive. Bad dates get a clear message and fall back to the default preset.
 */
export const PERIOD_PRESETS = [
  { id: '4w', label: 'Last 4 weeks', days: 28 },
  { id: 'quarter', label: 'Last quarter (13 weeks)', days: 91 },
  { id: 'year', label: 'Last year (52 weeks)', days: 364 },
] as const;
export type PresetId = (typeof PERIOD_PRESETS)[number]['id'] | 'dates';
export const DEFAULT_PRESET = '4w';
const MAX_DAYS = 366 * 5;

export interface Period {
  preset: PresetId;
  from: IsoDate;
  to: IsoDate;
  /** [start, end) in epoch milliseconds. */
  startMs: number;
  endMs: number;
  label: string;
}

export interface PeriodChoice {
  period: Period;
  problem: string | null;
}

function between(from: IsoDate, to: IsoDate, preset: PresetId, label: string): Period {
  return {
    preset,
    from,
    to,
    startMs: startOfLondonDate(from).getTime(),
    endMs: startOfLondonDate(addCalendarDays(to, 1)).getTime(),
    label,
  };
}

function presetPeriod(id: string, now: Date): Period {
  const preset = PERIOD_PRESETS.find((p) => p.id === id) ?? PERIOD_PRESETS[0];
  const to = londonDate(now);
  return between(addCalendarDays(to, -(preset.days - 1)), to, preset.id, preset.label);
}

export function choosePeriod(query: { period?: string; from?: string; to?: string }, now: Date): PeriodChoice {
  if (query.period !== 'dates') return { period: presetPeriod(query.period ?? DEFAULT_PRESET, now), problem: null };
  const from = (query.from ?? '').trim();
  const to = (query.to ?? '').trim();
  let problem: string | null = null;
  if (!isValidIsoDate(from)) problem = 'Enter a real start date, like 2026-01-31';
  else if (!isValidIsoDate(to)) problem = 'Enter a real end date, like 2026-03-31';
  else if (from > to) problem = 'The start date must be on or before the end date';
  else if (to > londonDate(now)) problem = 'The end date must be today or in the past';
  else if (startOfLondonDate(to).getTime() - startOfLondonDate(from).getTime() > MAX_DAYS * 86_400_000)
    problem = 'Choose a period of 5 years or less';
  if (problem) return { period: presetPeriod(DEFAULT_PRESET, now), problem };
  return { period: between(from, to, 'dates', `${from} to ${to}`), problem: null };
}

/** The Monday that starts the ISO week of a London date. */
export function weekStartOf(date: IsoDate): IsoDate {
  const weekday = (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return addCalendarDays(date, -weekday);
}

/** ISO week label, e.g. 2026-W49, of a London date. */
export function isoWeekOf(date: IsoDate): string {
  const d = new Date(`${date}T12:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4, 12));
  const firstDay = (firstThursday.getUTCDay() + 6) % 7;
  firstThursday.setUTCDate(firstThursday.getUTCDate() - firstDay + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * London calendar days as instants, built once per period, so thousands of rows are placed in a day, a week or
 * their 7-day window by binary search instead of a time-zone conversion each (the dashboard's hot path).
 */
export interface LondonDays {
  /** The London date an instant falls on. */
  dateOf(ms: number): IsoDate;
  /** The Monday starting its ISO week. */
  weekStartOf(ms: number): IsoDate;
  /** The last millisecond of London date D+7, D being the date of the instant (as sevenDayLimit). */
  sevenDayLimit(ms: number): number;
}

export function londonDays(fromMs: number, toMs: number): LondonDays {
  const first = addCalendarDays(londonDate(new Date(fromMs)), -1);
  const last = addCalendarDays(londonDate(new Date(toMs)), 9);
  const dates: IsoDate[] = [];
  const starts: number[] = [];
  for (let date = first; date <= last; date = addCalendarDays(date, 1)) {
    dates.push(date);
    starts.push(startOfLondonDate(date).getTime());
  }
  const weeks = dates.map(weekStartOf);
  const indexOf = (ms: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    if (ms < starts[0]! || ms >= starts[hi]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    dateOf(ms) {
      const i = indexOf(ms);
      return i === -1 ? londonDate(new Date(ms)) : dates[i]!;
    },
    weekStartOf(ms) {
      const i = indexOf(ms);
      return i === -1 ? weekStartOf(londonDate(new Date(ms))) : weeks[i]!;
    },
    sevenDayLimit(ms) {
      const i = indexOf(ms);
      if (i === -1 || i + 8 >= starts.length) {
        const limitDate = addCalendarDays(londonDate(new Date(ms)), 8);
        return startOfLondonDate(limitDate).getTime() - 1;
      }
      return starts[i + 8]! - 1;
    },
  };
}
