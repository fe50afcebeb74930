import Holidays from 'date-holidays';
import type { CalendarConfig, ClockTime, IsoDate, IsoWeekday, Nation, OfficeHours, WorkingWindow } from './types.ts';

export type { CalendarConfig, ClockTime, IsoDate, IsoWeekday, Nation, OfficeHours, WorkingWindow } from './types.ts';

const LONDON = 'Europe/London';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const DEFAULT_OFFICE_HOURS: OfficeHours[] = ([1, 2, 3, 4, 5] as const).map((weekday) => ({
  weekday,
  opens: '09:00',
  closes: '17:00',
}));

export function defaultCalendarConfig(nation: Nation): CalendarConfig {
  return { nation, hours: DEFAULT_OFFICE_HOURS, closures: [] };
}

// ---------------------------------------------------------------------------
// Dates and wall-clock times
// ---------------------------------------------------------------------------

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True only for a real calendar date written `YYYY-MM-DD` (so `2027-02-29` is false). */
export function isValidIsoDate(value: string): boolean {
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

function parseIsoDate(date: IsoDate): { year: number; month: number; day: number } {
  if (!isValidIsoDate(date)) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

// Date.UTC at midnight is a timezone-free way to do calendar arithmetic on London dates.
// Bounded memo: the same few hundred dates are converted again and again by every deadline and slot search.
const utcMidnightByDate = new Map<IsoDate, number>();
function isoDateToUtcMidnight(date: IsoDate): number {
  let ms = utcMidnightByDate.get(date);
  if (ms === undefined) {
    const { year, month, day } = parseIsoDate(date);
    ms = Date.UTC(year, month - 1, day);
    if (utcMidnightByDate.size >= 20_000) utcMidnightByDate.clear();
    utcMidnightByDate.set(date, ms);
  }
  return ms;
}

// And back (every deadline and slot search steps through the same few hundred days, each step a date string).
const isoDateByUtcMidnight = new Map<number, IsoDate>();
function utcMidnightToIsoDate(ms: number): IsoDate {
  let date = isoDateByUtcMidnight.get(ms);
  if (date === undefined) {
    date = new Date(ms).toISOString().slice(0, 10);
    if (isoDateByUtcMidnight.size >= 20_000) isoDateByUtcMidnight.clear();
    isoDateByUtcMidnight.set(ms, date);
  }
  return date;
}

/** Minutes after midnight for `HH:MM`; throws on anything else so a bad config fails loudly. */
export function parseClockTime(time: ClockTime): number {
  const match = CLOCK_TIME_PATTERN.exec(time);
  if (!match) throw new RangeError(`Not an HH:MM time: ${JSON.stringify(time)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  return utcMidnightToIsoDate(isoDateToUtcMidnight(date) + days * DAY_MS);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((isoDateToUtcMidnight(to) - isoDateToUtcMidnight(from)) / DAY_MS);
}

export function isoWeekday(date: IsoDate): IsoWeekday {
  const sundayZero = new Date(isoDateToUtcMidnight(date)).getUTCDay();
  return (sundayZero === 0 ? 7 : sundayZero) as IsoWeekday;
}

const londonPartsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const HOUR_MS = 3_600_000;
/** London's offset from UTC in minutes, by UTC hour. Bounded: cleared when it grows past a few years of hours. */
const londonOffsetByUtcHour = new Map<number, number>();
const LONDON_OFFSET_CACHE_LIMIT = 50_000;

/**
 * London's offset from UTC (minutes) at an instant, asked of Intl once per UTC hour. London's clocks have only
 * ever changed on a whole UTC hour (01:00 UTC since 1981; whole hours before), so every instant of one UTC hour
 * has the same offset (a property test compares this with Intl over two centuries).
 */
function londonOffsetMinutes(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = londonOffsetByUtcHour.get(hour);
  if (offset === undefined) {
    const parts: Record<string, string> = {};
    for (const part of londonPartsFormatter.formatToParts(new Date(hour * HOUR_MS))) parts[part.type] = part.value;
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
    );
    offset = Math.round((wall - hour * HOUR_MS) / MINUTE_MS);
    if (londonOffsetByUtcHour.size >= LONDON_OFFSET_CACHE_LIMIT) londonOffsetByUtcHour.clear();
    londonOffsetByUtcHour.set(hour, offset);
  }
  return offset;
}

/** The London date and wall-clock minute-of-day that an instant falls on. */
export function londonWallClock(instant: Date): { date: IsoDate; minutes: number } {
  const wall = instant.getTime() + londonOffsetMinutes(instant.getTime()) * MINUTE_MS;
  const dayStart = Math.floor(wall / DAY_MS) * DAY_MS;
  return { date: utcMidnightToIsoDate(dayStart), minutes: Math.floor((wall - dayStart) / MINUTE_MS) };
}

export function londonDate(instant: Date): IsoDate {
  return londonWallClock(instant).date;
}

/**
 * The instant at which London clocks show `time` on `date`.
 * London is only ever UTC+0 or UTC+1, so we try both offsets and keep the one that reads back correctly.
 * Autumn overlap (01:00-01:59 happens twice): the earlier, BST, instant - a deadline should err early.
 * Spring gap (01:00-01:59 never happens): read as GMT, i.e. pushed forward an hour, as Temporal's
 * 'compatible' rule does. Office hours never fall in either hour.
 */
export function londonWallTimeToInstant(date: IsoDate, time: ClockTime): Date {
  const minutes = parseClockTime(time);
  const asIfUtc = isoDateToUtcMidnight(date) + minutes * MINUTE_MS;
  for (const offsetMinutes of [60, 0]) {
    const candidate = new Date(asIfUtc - offsetMinutes * MINUTE_MS);
    const readBack = londonWallClock(candidate);
    if (readBack.date === date && readBack.minutes === minutes) return candidate;
  }
  return new Date(asIfUtc);
}

/** The first instant of a London date. Midnight always exists in London (changes happen at 01:00 UTC). */
export function startOfLondonDate(date: IsoDate): Date {
  return londonWallTimeToInstant(date, '00:00');
}

/** The last millisecond of a London date: the latest moment that still counts as "on" that date. */
export function endOfLondonDate(date: IsoDate): Date {
  return new Date(startOfLondonDate(addCalendarDays(date, 1)).getTime() - 1);
}

// ---------------------------------------------------------------------------
// Bank holidays
// ---------------------------------------------------------------------------

const DATE_HOLIDAYS_STATE: Record<Nation, string> = {
  'england-and-wales': 'ENG', // Wales has exactly England's bank holidays
  scotland: 'SCT',
  'northern-ireland': 'NIR',
};

const holidaysByNation = new Map<Nation, Holidays>();
const bankHolidaysByNationYear = new Map<string, Map<IsoDate, string>>();

function holidaysFor(nation: Nation): Holidays {
  let holidays = holidaysByNation.get(nation);
  if (!holidays) {
    holidays = new Holidays('GB', DATE_HOLIDAYS_STATE[nation]);
    holidaysByNation.set(nation, holidays);
  }
  return holidays;
}

/** Bank holidays (including substitute days) for one nation and year, date -> name. */
export function bankHolidaysInYear(year: number, nation: Nation): ReadonlyMap<IsoDate, string> {
  const key = `${nation}:${year}`;
  let byDate = bankHolidaysByNationYear.get(key);
  if (!byDate) {
    byDate = new Map();
    for (const holiday of holidaysFor(nation).getHolidays(year)) {
      // Mother's Day, Father's Day etc. are 'observance': offices stay open.
      if (holiday.type !== 'public' && holiday.type !== 'bank') continue;
      // `date` is the local (London) date as 'YYYY-MM-DD hh:mm:ss'; `start` is a UTC instant and would be off by a day in BST.
      byDate.set(holiday.date.slice(0, 10), holiday.name);
    }
    bankHolidaysByNationYear.set(key, byDate);
  }
  return byDate;
}

export function bankHolidayName(date: IsoDate, nation: Nation): string | null {
  return bankHolidaysInYear(parseIsoDate(date).year, nation).get(date) ?? null;
}

export function isBankHoliday(date: IsoDate, nation: Nation): boolean {
  return bankHolidayName(date, nation) !== null;
}

// ---------------------------------------------------------------------------
// Working days and windows
// ---------------------------------------------------------------------------

/** Everything wrong with a config, in words; empty when it is usable. Call at start-up. */
export function calendarConfigProblems(cfg: CalendarConfig): string[] {
  const problems: string[] = [];
  const seenWeekdays = new Set<number>();
  for (const entry of cfg.hours) {
    if (seenWeekdays.has(entry.weekday)) problems.push(`weekday ${entry.weekday} has more than one opening window`);
    seenWeekdays.add(entry.weekday);
    let opens: number;
    let closes: number;
    try {
      opens = parseClockTime(entry.opens);
      closes = parseClockTime(entry.closes);
    } catch (error) {
      problems.push(`weekday ${entry.weekday}: ${(error as Error).message}`);
      continue;
    }
    if (opens >= closes)
      problems.push(`weekday ${entry.weekday} closes (${entry.closes}) before it opens (${entry.opens})`);
  }
  for (const closure of cfg.closures) {
    if (!isValidIsoDate(closure)) problems.push(`closure ${JSON.stringify(closure)} is not a YYYY-MM-DD date`);
  }
  return problems;
}

function officeHoursFor(date: IsoDate, cfg: CalendarConfig): OfficeHours | null {
  const weekday = isoWeekday(date);
  const matching = cfg.hours.filter((entry) => entry.weekday === weekday);
  // Two windows a day would make "end of the working day" ambiguous; refuse rather than guess.
  if (matching.length > 1) throw new RangeError(`Office hours list weekday ${weekday} more than once`);
  const hours = matching[0];
  if (!hours) return null;
  if (parseClockTime(hours.opens) >= parseClockTime(hours.closes)) {
    throw new RangeError(`Office hours for weekday ${weekday} close before they open`);
  }
  return hours;
}

export function isWorkingDate(date: IsoDate, cfg: CalendarConfig): boolean {
  if (cfg.closures.includes(date)) return false;
  if (isBankHoliday(date, cfg.nation)) return false;
  return officeHoursFor(date, cfg) !== null;
}

// A day's window depends only on the weekly hours, the nation and the date (closures are checked first): kept per
// hours list (office calendars share one list per stored text), as instants, so each is worked out once.
const windowsByHours = new WeakMap<readonly OfficeHours[], Map<string, { start: number; end: number } | null>>();

export function workingWindow(date: IsoDate, cfg: CalendarConfig): WorkingWindow | null {
  if (cfg.closures.includes(date)) return null;
  let byDate = windowsByHours.get(cfg.hours);
  if (!byDate) windowsByHours.set(cfg.hours, (byDate = new Map()));
  const key = `${cfg.nation}:${date}`;
  let window = byDate.get(key);
  if (window === undefined) {
    const hours = isWorkingDate(date, cfg) ? officeHoursFor(date, cfg) : null;
    window = hours
      ? {
          start: londonWallTimeToInstant(date, hours.opens).getTime(),
          end: londonWallTimeToInstant(date, hours.closes).getTime(),
        }
      : null;
    if (byDate.size >= 5_000) byDate.clear();
    byDate.set(key, window);
  }
  // Fresh Date objects each time: callers may keep or change them.
  return window && { date, start: new Date(window.start), end: new Date(window.end) };
}

/** Working windows on every working date from `from` to `to`, both inclusive, in order. */
export function workingWindowsBetween(from: IsoDate, to: IsoDate, cfg: CalendarConfig): WorkingWindow[] {
  const windows: WorkingWindow[] = [];
  for (let date = from; date <= to; date = addCalendarDays(date, 1)) {
    const window = workingWindow(date, cfg);
    if (window) windows.push(window);
  }
  return windows;
}

// A year and a bit covers any realistic run of closures; beyond that the config is broken, not the search.
const WORKING_DATE_SEARCH_LIMIT_DAYS = 400;

/** The first working date strictly after `date`, or null if none within about a year (e.g. no office hours at all). */
export function nextWorkingDate(date: IsoDate, cfg: CalendarConfig): IsoDate | null {
  for (let offset = 1; offset <= WORKING_DATE_SEARCH_LIMIT_DAYS; offset++) {
    const candidate = addCalendarDays(date, offset);
    if (isWorkingDate(candidate, cfg)) return candidate;
  }
  return null;
}
