import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_OFFICE_HOURS,
  addCalendarDays,
  bankHolidayName,
  bankHolidaysInYear,
  calendarConfigProblems,
  calendarDaysBetween,
  defaultCalendarConfig,
  endOfLondonDate,
  isBankHoliday,
  isValidIsoDate,
  isWorkingDate,
  isoWeekday,
  londonDate,
  londonWallClock,
  londonWallTimeToInstant,
  nextWorkingDate,
  startOfLondonDate,
  workingWindow,
  workingWindowsBetween,
} from '../../../server/scheduling/calendar.ts';
import type { CalendarConfig, Nation } from '../../../server/scheduling/types.ts';

const englandAndWales = defaultCalendarConfig('england-and-wales');
const scotland = defaultCalendarConfig('scotland');
const northernIreland = defaultCalendarConfig('northern-ireland');

describe('London dates and wall-clock times', () => {
  it.each([
    ['2027-03-27T23:30:00Z', '2027-03-27'], // GMT: London = UTC
    ['2027-06-30T23:30:00Z', '2027-07-01'], // BST: London is an hour ahead
    ['2027-10-30T23:30:00Z', '2027-10-31'], // still BST the night before the autumn change
    ['2027-10-31T23:30:00Z', '2027-10-31'], // GMT again after it
  ])('londonDate(%s) is %s', (instant, expected) => {
    expect(londonDate(new Date(instant))).toBe(expected);
  });

  it.each([
    // Spring forward: 2027-03-28 01:00 GMT -> 02:00 BST
    ['2027-03-28', '00:30', '2027-03-28T00:30:00.000Z'],
    ['2027-03-28', '01:30', '2027-03-28T01:30:00.000Z'], // does not exist: read as GMT (shows 02:30 BST)
    ['2027-03-28', '02:30', '2027-03-28T01:30:00.000Z'],
    ['2027-03-28', '12:00', '2027-03-28T11:00:00.000Z'],
    // Fall back: 2027-10-31 02:00 BST -> 01:00 GMT
    ['2027-10-31', '00:30', '2027-10-30T23:30:00.000Z'],
    ['2027-10-31', '01:30', '2027-10-31T00:30:00.000Z'], // happens twice: the earlier (BST) one
    ['2027-10-31', '02:00', '2027-10-31T02:00:00.000Z'],
    ['2027-10-31', '12:00', '2027-10-31T12:00:00.000Z'],
    // Working days right after each change: 09:00 London = 08:00Z in BST, 09:00Z in GMT
    ['2027-03-29', '09:00', '2027-03-29T08:00:00.000Z'],
    ['2027-11-01', '09:00', '2027-11-01T09:00:00.000Z'],
    ['2027-03-26', '09:00', '2027-03-26T09:00:00.000Z'], // the Friday before the spring change is GMT
    ['2027-10-29', '09:00', '2027-10-29T08:00:00.000Z'], // the Friday before the autumn change is BST
  ])('londonWallTimeToInstant(%s, %s) is %s', (date, time, expected) => {
    expect(londonWallTimeToInstant(date, time).toISOString()).toBe(expected);
  });

  it('reads back every quarter hour of both clock-change days, except the spring gap', () => {
    for (const date of ['2027-03-28', '2027-10-31', '2026-03-29', '2026-10-25']) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        const springGap = date.endsWith('03-28') || date.endsWith('03-29') ? minutes >= 60 && minutes < 120 : false;
        if (springGap) continue;
        expect(londonWallClock(londonWallTimeToInstant(date, time))).toEqual({ date, minutes });
      }
    }
  });

  it('has a 23-hour day in spring and a 25-hour day in autumn', () => {
    const hours = (date: string) =>
      (endOfLondonDate(date).getTime() + 1 - startOfLondonDate(date).getTime()) / 3_600_000;
    expect(hours('2027-03-28')).toBe(23);
    expect(hours('2027-10-31')).toBe(25);
    expect(hours('2027-06-15')).toBe(24);
  });

  it('adds and counts calendar days across months, years and leap days', () => {
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addCalendarDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addCalendarDays('2027-03-28', 1)).toBe('2027-03-29'); // not confused by the 23-hour day
    expect(addCalendarDays('2027-01-03', -7)).toBe('2026-12-27');
    expect(calendarDaysBetween('2026-12-03', '2026-12-08')).toBe(5);
    expect(calendarDaysBetween('2027-10-30', '2027-11-02')).toBe(3);
    expect(calendarDaysBetween('2026-12-08', '2026-12-03')).toBe(-5);
  });

  it.each([
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2027-13-01', false],
    ['2027-04-31', false],
    ['2027-4-1', false],
    ['', false],
    ['not a date', false],
  ])('isValidIsoDate(%j) is %s', (value, expected) => {
    expect(isValidIsoDate(value)).toBe(expected);
  });

  it('throws on impossible dates and times rather than guessing', () => {
    expect(() => addCalendarDays('2027-02-30', 1)).toThrow(RangeError);
    expect(() => londonWallTimeToInstant('2027-01-04', '9:00')).toThrow(RangeError);
    expect(() => londonWallTimeToInstant('2027-01-04', '24:00')).toThrow(RangeError);
  });

  it('numbers weekdays ISO style', () => {
    expect(isoWeekday('2026-12-07')).toBe(1);
    expect(isoWeekday('2026-12-13')).toBe(7);
  });
});

describe('bank holidays', () => {
  const cases: Array<[string, Nation, string, boolean]> = [
    ['Good Friday 2027', 'england-and-wales', '2027-03-26', true],
    ['Easter Monday 2027', 'england-and-wales', '2027-03-29', true],
    ['Easter Monday 2027 is not a Scottish bank holiday', 'scotland', '2027-03-29', false],
    ['Easter Monday 2027 in Northern Ireland', 'northern-ireland', '2027-03-29', true],
    ['Christmas Day 2027 (Saturday)', 'england-and-wales', '2027-12-25', true],
    ['Christmas substitute Mon 27 Dec 2027', 'england-and-wales', '2027-12-27', true],
    ['Boxing Day substitute Tue 28 Dec 2027', 'england-and-wales', '2027-12-28', true],
    ['Christmas substitute Mon 27 Dec 2027 in Scotland', 'scotland', '2027-12-27', true],
    ['Boxing Day substitute Tue 28 Dec 2027 in Northern Ireland', 'northern-ireland', '2027-12-28', true],
    ['Wed 29 Dec 2027 is an ordinary day', 'england-and-wales', '2027-12-29', false],
    ['2 January 2026 in Scotland', 'scotland', '2026-01-02', true],
    ['2 January 2026 is not a holiday in England', 'england-and-wales', '2026-01-02', false],
    ['2 January 2027 substitute (Mon 4 Jan) in Scotland', 'scotland', '2027-01-04', true],
    ["St Andrew's Day, Mon 30 Nov 2026, in Scotland", 'scotland', '2026-11-30', true],
    ["St Andrew's Day is not a holiday in England", 'england-and-wales', '2026-11-30', false],
    ['Scottish summer bank holiday, first Monday of August 2026', 'scotland', '2026-08-03', true],
    ['Scottish summer bank holiday, first Monday of August 2027', 'scotland', '2027-08-02', true],
    ['England has no bank holiday on the first Monday of August', 'england-and-wales', '2026-08-03', false],
    ['English summer bank holiday, last Monday of August 2026', 'england-and-wales', '2026-08-31', true],
    ['Scotland does not have the last Monday of August', 'scotland', '2026-08-31', false],
    ["St Patrick's Day 2026 in Northern Ireland", 'northern-ireland', '2026-03-17', true],
    ["St Patrick's Day is not a holiday in England", 'england-and-wales', '2026-03-17', false],
    ['12 July 2027 (Monday) in Northern Ireland', 'northern-ireland', '2027-07-12', true],
    ['12 July 2026 is a Sunday, substitute Mon 13 July', 'northern-ireland', '2026-07-13', true],
    ['12 July is not a holiday in Scotland', 'scotland', '2027-07-12', false],
    ["Mother's Day is an observance, not a bank holiday", 'england-and-wales', '2027-03-07', false],
  ];

  it.each(cases)('%s', (_label, nation, date, expected) => {
    expect(isBankHoliday(date, nation)).toBe(expected);
  });

  it('names the holiday so staff can see why a day is skipped', () => {
    expect(bankHolidayName('2027-03-26', 'england-and-wales')).toBe('Good Friday');
    expect(bankHolidayName('2027-12-28', 'england-and-wales')).toMatch(/Boxing Day.*substitute/);
    expect(bankHolidayName('2027-06-15', 'england-and-wales')).toBeNull();
  });

  it('caches one holiday list per nation and year', () => {
    expect(bankHolidaysInYear(2027, 'scotland')).toBe(bankHolidaysInYear(2027, 'scotland'));
    expect(bankHolidaysInYear(2027, 'scotland')).not.toBe(bankHolidaysInYear(2028, 'scotland'));
  });

  it('England and Wales have eight bank holidays a year in 2026 (counting substitutes, not the weekend days they replace)', () => {
    const weekdayHolidays = [...bankHolidaysInYear(2026, 'england-and-wales').keys()].filter(
      (date) => isoWeekday(date) <= 5,
    );
    expect(weekdayHolidays).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
  });
});

describe('working dates and windows', () => {
  it('weekends are not working dates with default hours', () => {
    expect(isWorkingDate('2026-12-05', englandAndWales)).toBe(false);
    expect(isWorkingDate('2026-12-06', englandAndWales)).toBe(false);
    expect(isWorkingDate('2026-12-07', englandAndWales)).toBe(true);
    expect(workingWindow('2026-12-05', englandAndWales)).toBeNull();
  });

  it('bank holidays are not working dates, per nation', () => {
    expect(isWorkingDate('2026-11-30', scotland)).toBe(false);
    expect(isWorkingDate('2026-11-30', englandAndWales)).toBe(true);
    expect(isWorkingDate('2026-03-17', northernIreland)).toBe(false);
  });

  it('closure days are not working dates', () => {
    const withClosure: CalendarConfig = { ...englandAndWales, closures: ['2026-12-08'] };
    expect(isWorkingDate('2026-12-08', withClosure)).toBe(false);
    expect(nextWorkingDate('2026-12-07', withClosure)).toBe('2026-12-09');
  });

  it('opens on a Saturday when the office hours say so', () => {
    const saturdays: CalendarConfig = {
      ...englandAndWales,
      hours: [...DEFAULT_OFFICE_HOURS, { weekday: 6, opens: '10:00', closes: '13:00' }],
    };
    expect(workingWindow('2026-12-05', saturdays)).toEqual({
      date: '2026-12-05',
      start: new Date('2026-12-05T10:00:00Z'),
      end: new Date('2026-12-05T13:00:00Z'),
    });
  });

  it('working windows follow the clocks either side of both changes', () => {
    // Easter Monday 2027 is the day after the spring change in England, so Scotland shows the Monday.
    expect(workingWindow('2027-03-29', scotland)).toEqual({
      date: '2027-03-29',
      start: new Date('2027-03-29T08:00:00Z'),
      end: new Date('2027-03-29T16:00:00Z'),
    });
    expect(workingWindow('2027-03-30', englandAndWales)?.start.toISOString()).toBe('2027-03-30T08:00:00.000Z');
    expect(workingWindow('2027-03-25', englandAndWales)?.start.toISOString()).toBe('2027-03-25T09:00:00.000Z');
    expect(workingWindow('2027-10-29', englandAndWales)?.end.toISOString()).toBe('2027-10-29T16:00:00.000Z');
    expect(workingWindow('2027-11-01', englandAndWales)).toEqual({
      date: '2027-11-01',
      start: new Date('2027-11-01T09:00:00Z'),
      end: new Date('2027-11-01T17:00:00Z'),
    });
  });

  it.each([
    ['Friday to Monday', englandAndWales, '2026-12-04', '2026-12-07'],
    ['over Easter 2027 in England', englandAndWales, '2027-03-25', '2027-03-30'],
    ['over Easter 2027 in Scotland (Easter Monday is worked)', scotland, '2027-03-25', '2027-03-29'],
    ['over Christmas 2027 with both substitute days', englandAndWales, '2027-12-24', '2027-12-29'],
    ['over New Year 2027 in Scotland (2 Jan substitute)', scotland, '2026-12-31', '2027-01-05'],
    ['over New Year 2027 in England', englandAndWales, '2026-12-31', '2027-01-04'],
  ])('nextWorkingDate %s', (_label, cfg, from, expected) => {
    expect(nextWorkingDate(from, cfg)).toBe(expected);
  });

  it('nextWorkingDate gives up with null when the office never opens', () => {
    expect(nextWorkingDate('2026-12-04', { ...englandAndWales, hours: [] })).toBeNull();
  });

  it('lists the working windows in a range, both ends included', () => {
    const dates = workingWindowsBetween('2027-12-23', '2027-12-30', englandAndWales).map((window) => window.date);
    expect(dates).toEqual(['2027-12-23', '2027-12-24', '2027-12-29', '2027-12-30']);
  });

  it('reports unusable config in words, and refuses to guess when it is used', () => {
    const broken: CalendarConfig = {
      nation: 'england-and-wales',
      hours: [
        { weekday: 1, opens: '09:00', closes: '17:00' },
        { weekday: 1, opens: '18:00', closes: '19:00' },
        { weekday: 2, opens: '17:00', closes: '09:00' },
        { weekday: 3, opens: '9am', closes: '17:00' },
      ],
      closures: ['2026-13-01'],
    };
    expect(calendarConfigProblems(broken)).toHaveLength(4);
    expect(calendarConfigProblems(englandAndWales)).toEqual([]);
    expect(() => workingWindow('2026-12-07', broken)).toThrow(/more than once/);
    expect(() => workingWindow('2026-12-08', broken)).toThrow(/close before they open/);
  });
});

describe('londonWallClock (one Intl lookup per UTC hour) agrees with Intl', () => {
  const intl = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const reference = (instant: Date) => {
    const parts: Record<string, string> = {};
    for (const part of intl.formatToParts(instant)) parts[part.type] = part.value;
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      minutes: Number(parts.hour) * 60 + Number(parts.minute),
    };
  };

  it('on random instants from 1900 to 2100', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }),
        (instant) => {
          expect(londonWallClock(instant)).toEqual(reference(instant));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('on every minute around the clock changes of 2026 and 2027', () => {
    for (const change of [
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2027-03-28T01:00:00Z',
      '2027-10-31T01:00:00Z',
    ]) {
      const at = new Date(change).getTime();
      for (let minute = -120; minute <= 120; minute++) {
        const instant = new Date(at + minute * 60_000 + 59_999);
        expect(londonWallClock(instant)).toEqual(reference(instant));
      }
    }
  });
});
