import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  defaultCalendarConfig,
  endOfLondonDate,
  isWorkingDate,
  londonDate,
  workingWindow,
  workingWindowsBetween,
} from '../../../server/scheduling/calendar.ts';
import { contactBy, sevenDayLimit } from '../../../server/scheduling/deadline.ts';
import type { CalendarConfig, DeadlineNoteId, Nation } from '../../../server/scheduling/types.ts';
import type { Priority } from '../../../server/triage/types.ts';

const englandAndWales = defaultCalendarConfig('england-and-wales');
const scotland = defaultCalendarConfig('scotland');
const at = (iso: string) => new Date(iso);
const deadline = (
  priority: Priority,
  receivedAt: string,
  cfg: CalendarConfig = englandAndWales,
  trigger?: string | null,
) => contactBy(priority, at(receivedAt), cfg, trigger);

describe('contactBy: Friday 16:59 and 17:01 (GMT, Fri 4 Dec 2026)', () => {
  it.each<[Priority, string, string]>([
    ['today', '2026-12-04T16:59:00Z', '2026-12-04T17:00:00.000Z'], // still inside hours: end of today
    ['today', '2026-12-04T17:01:00Z', '2026-12-07T11:00:00.000Z'], // after closing: two hours into Monday
    ['next_working_day', '2026-12-04T16:59:00Z', '2026-12-07T17:00:00.000Z'],
    ['next_working_day', '2026-12-04T17:01:00Z', '2026-12-07T17:00:00.000Z'],
    ['within_7_days', '2026-12-04T16:59:00Z', '2026-12-11T17:00:00.000Z'],
    ['within_7_days', '2026-12-04T17:01:00Z', '2026-12-11T17:00:00.000Z'],
  ])('%s received %s -> %s', (priority, receivedAt, expected) => {
    const result = deadline(priority, receivedAt);
    expect(result.contactBy.toISOString()).toBe(expected);
    expect(result.notes).toEqual([]);
  });

  it.each<[Priority, string, string]>([
    // Same thing in summer time: Fri 4 Jun 2027, 16:59 BST = 15:59Z
    ['today', '2027-06-04T15:59:00Z', '2027-06-04T16:00:00.000Z'],
    ['today', '2027-06-04T16:01:00Z', '2027-06-07T10:00:00.000Z'],
    ['next_working_day', '2027-06-04T16:01:00Z', '2027-06-07T16:00:00.000Z'],
    ['within_7_days', '2027-06-04T15:59:00Z', '2027-06-11T16:00:00.000Z'],
  ])('in BST: %s received %s -> %s', (priority, receivedAt, expected) => {
    expect(deadline(priority, receivedAt).contactBy.toISOString()).toBe(expected);
  });
});

describe("contactBy 'today'", () => {
  it.each([
    ['at 08:00 on a working day: two hours after opening', '2026-12-07T08:00:00Z', '2026-12-07T11:00:00.000Z'],
    ['at 09:00 exactly: inside hours, end of today', '2026-12-07T09:00:00Z', '2026-12-07T17:00:00.000Z'],
    ['at 17:00 exactly: closed, so next morning', '2026-12-07T17:00:00Z', '2026-12-08T11:00:00.000Z'],
    ['at 18:30: two hours into the next working day', '2026-12-07T18:30:00Z', '2026-12-08T11:00:00.000Z'],
    ['on Saturday: two hours into Monday', '2026-12-05T10:00:00Z', '2026-12-07T11:00:00.000Z'],
    [
      'on Christmas Eve evening 2026: skips Christmas and the Boxing Day substitute',
      '2026-12-24T18:00:00Z',
      '2026-12-29T11:00:00.000Z',
    ],
    ['on Good Friday 2027: skips Easter Monday, into BST', '2027-03-26T10:00:00Z', '2027-03-30T10:00:00.000Z'],
    [
      'on Good Friday 2027 in Scotland: Easter Monday is worked',
      '2027-03-26T10:00:00Z',
      '2027-03-29T10:00:00.000Z',
      scotland,
    ],
    ['Friday evening before the autumn change: Monday in GMT', '2027-10-29T16:30:00Z', '2027-11-01T11:00:00.000Z'],
  ] as Array<[string, string, string, CalendarConfig?]>)('received %s', (_label, receivedAt, expected, cfg) => {
    expect(deadline('today', receivedAt, cfg).contactBy.toISOString()).toBe(expected);
  });

  it('uses the end of a next window shorter than two hours', () => {
    const shortMonday: CalendarConfig = {
      ...englandAndWales,
      hours: [{ weekday: 1, opens: '09:00', closes: '10:00' }],
    };
    expect(deadline('today', '2026-12-05T10:00:00Z', shortMonday).contactBy.toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    );
  });
});

describe("contactBy 'next_working_day'", () => {
  it.each([
    ['Monday morning: end of Tuesday', '2026-12-07T10:00:00Z', '2026-12-08T17:00:00.000Z', englandAndWales],
    ['Saturday: end of Monday', '2026-12-05T10:00:00Z', '2026-12-07T17:00:00.000Z', englandAndWales],
    [
      'over Easter 2027 in England: Tuesday, now BST',
      '2027-03-25T12:00:00Z',
      '2027-03-30T16:00:00.000Z',
      englandAndWales,
    ],
    ['over Easter 2027 in Scotland: Monday', '2027-03-25T12:00:00Z', '2027-03-29T16:00:00.000Z', scotland],
    [
      "Friday before St Andrew's Day 2026 in Scotland: Tuesday",
      '2026-11-27T12:00:00Z',
      '2026-12-01T17:00:00.000Z',
      scotland,
    ],
    [
      'with a closure on Tuesday: Wednesday',
      '2026-12-07T10:00:00Z',
      '2026-12-09T17:00:00.000Z',
      { ...englandAndWales, closures: ['2026-12-08'] },
    ],
  ] as Array<[string, string, string, CalendarConfig]>)('%s', (_label, receivedAt, expected, cfg) => {
    expect(deadline('next_working_day', receivedAt, cfg).contactBy.toISOString()).toBe(expected);
  });
});

describe("contactBy 'within_7_days'", () => {
  it('ends on day 7 when it is a working day', () => {
    expect(deadline('within_7_days', '2026-12-07T10:00:00Z').contactBy.toISOString()).toBe('2026-12-14T17:00:00.000Z');
  });

  it('moves earlier, never later, when day 7 is a bank holiday (Good Friday 2027)', () => {
    expect(deadline('within_7_days', '2027-03-19T10:00:00Z').contactBy.toISOString()).toBe('2027-03-25T17:00:00.000Z');
  });

  it('moves earlier when day 7 is a weekend', () => {
    expect(deadline('within_7_days', '2026-12-05T10:00:00Z').contactBy.toISOString()).toBe('2026-12-11T17:00:00.000Z');
    expect(deadline('within_7_days', '2026-12-06T10:00:00Z').contactBy.toISOString()).toBe('2026-12-11T17:00:00.000Z');
  });

  it('moves earlier over a run of closures at the end of the week', () => {
    const cfg = { ...englandAndWales, closures: ['2026-12-10', '2026-12-11'] };
    expect(deadline('within_7_days', '2026-12-04T10:00:00Z', cfg).contactBy.toISOString()).toBe(
      '2026-12-09T17:00:00.000Z',
    );
  });

  it('moves earlier over Christmas 2027 with both substitute days', () => {
    // Received Tue 21 Dec: day 7 is Tue 28 Dec (Boxing Day substitute); 25-27 are not worked either.
    expect(deadline('within_7_days', '2027-12-21T10:00:00Z').contactBy.toISOString()).toBe('2027-12-24T17:00:00.000Z');
  });
});

describe('contactBy with a bail, charge or court date', () => {
  it('caps the deadline at the end of the last working day before the date', () => {
    const result = deadline('within_7_days', '2026-11-30T10:00:00Z', englandAndWales, '2026-12-03');
    expect(result).toEqual({ contactBy: at('2026-12-02T17:00:00Z'), cappedByTriggerDate: true, notes: [] });
  });

  it('skips back over a weekend: court on Monday means contact by Friday', () => {
    const result = deadline('next_working_day', '2026-12-04T10:00:00Z', englandAndWales, '2026-12-07');
    expect(result).toEqual({ contactBy: at('2026-12-04T17:00:00Z'), cappedByTriggerDate: true, notes: [] });
  });

  it('does not report a cap when the priority deadline is already early enough', () => {
    const result = deadline('next_working_day', '2026-11-30T10:00:00Z', englandAndWales, '2026-12-02');
    expect(result).toEqual({ contactBy: at('2026-12-01T17:00:00Z'), cappedByTriggerDate: false, notes: [] });
  });

  it('keeps the priority deadline and says so when the date is today', () => {
    const result = deadline('next_working_day', '2026-11-30T10:00:00Z', englandAndWales, '2026-11-30');
    expect(result.contactBy.toISOString()).toBe('2026-12-01T17:00:00.000Z');
    expect(result.cappedByTriggerDate).toBe(false);
    expect(result.notes.map((note) => note.id)).toEqual(['trigger_date_cap_impossible']);
  });

  it('keeps the priority deadline when he wrote after closing on the last working day before the date', () => {
    const result = deadline('today', '2026-12-04T18:00:00Z', englandAndWales, '2026-12-07');
    expect(result.contactBy.toISOString()).toBe('2026-12-07T11:00:00.000Z');
    expect(result.notes.map((note) => note.id)).toEqual(['trigger_date_cap_impossible']);
  });

  it('ignores an impossible date, with a note', () => {
    const result = deadline('within_7_days', '2026-11-30T10:00:00Z', englandAndWales, '2026-02-30');
    expect(result.contactBy.toISOString()).toBe('2026-12-07T17:00:00.000Z');
    expect(result.notes.map((note) => note.id)).toEqual(['invalid_trigger_date']);
  });

  it('treats null like no date', () => {
    expect(deadline('within_7_days', '2026-11-30T10:00:00Z', englandAndWales, null)).toEqual(
      deadline('within_7_days', '2026-11-30T10:00:00Z'),
    );
  });
});

describe('contactBy edges where no working time is left within 7 days', () => {
  const closedAllNextWeek: CalendarConfig = {
    ...englandAndWales,
    closures: ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'],
  };

  it('within_7_days received Friday 17:30 when only that Friday is worked: end of day 7, with a note', () => {
    const result = deadline('within_7_days', '2026-12-04T17:30:00Z', closedAllNextWeek);
    expect(result.contactBy.toISOString()).toBe('2026-12-11T23:59:59.999Z');
    expect(result.notes.map((note) => note.id)).toEqual(['no_working_time_within_7_days']);
  });

  it('the same referral at 16:00 is still due that Friday at 17:00', () => {
    expect(deadline('within_7_days', '2026-12-04T16:00:00Z', closedAllNextWeek).contactBy.toISOString()).toBe(
      '2026-12-04T17:00:00.000Z',
    );
  });

  it('next_working_day with no working day after receipt falls back to the end of today, with a note', () => {
    const result = deadline('next_working_day', '2026-12-04T10:00:00Z', closedAllNextWeek);
    expect(result.contactBy.toISOString()).toBe('2026-12-04T17:00:00.000Z');
    expect(result.notes.map((note) => note.id)).toEqual(['no_working_day_after_receipt_within_7_days']);
  });

  it('today with the office closed for the whole 8 days: end of day 7 in London (BST)', () => {
    const closures = Array.from({ length: 8 }, (_, i) => addCalendarDays('2027-06-07', i));
    const result = deadline('today', '2027-06-07T10:00:00Z', { ...englandAndWales, closures });
    expect(result.contactBy.toISOString()).toBe('2027-06-14T22:59:59.999Z');
    expect(result.notes.map((note) => note.id)).toEqual(['no_working_time_within_7_days']);
  });

  it('never mentions a trigger cap for a date beyond day 7', () => {
    const result = deadline('within_7_days', '2026-12-04T17:30:00Z', closedAllNextWeek, '2026-12-20');
    expect(result.notes.map((note) => note.id)).toEqual(['no_working_time_within_7_days']);
  });
});

describe('contactBy properties (fast-check)', () => {
  const nations: Nation[] = ['england-and-wales', 'scotland', 'northern-ireland'];
  const priorities: Priority[] = ['today', 'next_working_day', 'within_7_days'];
  const receivedAt = fc.date({
    min: new Date('2026-01-01T00:00:00Z'),
    max: new Date('2028-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const hours = fc.constantFrom<CalendarConfig['hours']>(
    defaultCalendarConfig('england-and-wales').hours,
    [
      { weekday: 1, opens: '08:30', closes: '18:00' },
      { weekday: 3, opens: '10:00', closes: '11:00' },
      { weekday: 6, opens: '09:00', closes: '12:30' },
    ],
    [{ weekday: 7, opens: '00:00', closes: '23:59' }],
  );
  const scenario = fc.record({
    receivedAt,
    nation: fc.constantFrom(...nations),
    priority: fc.constantFrom(...priorities),
    hours,
    // Closures as offsets from the day of receipt, so they land inside the 7-day range often.
    closureOffsets: fc.uniqueArray(fc.integer({ min: -1, max: 9 }), { maxLength: 9 }),
    triggerOffset: fc.option(fc.integer({ min: -2, max: 10 })),
  });

  const allowedNotes = new Set<DeadlineNoteId>([
    'no_working_time_within_7_days',
    'no_working_day_after_receipt_within_7_days',
    'trigger_date_cap_impossible',
  ]);

  it('is never after the end of D+7, never before receipt, and inside a working window unless no working time is left', () => {
    fc.assert(
      fc.property(scenario, ({ receivedAt, nation, priority, hours, closureOffsets, triggerOffset }) => {
        const receivedDate = londonDate(receivedAt);
        const lastDate = addCalendarDays(receivedDate, 7);
        const cfg: CalendarConfig = {
          nation,
          hours,
          closures: closureOffsets.map((offset) => addCalendarDays(receivedDate, offset)),
        };
        const trigger = triggerOffset === null ? null : addCalendarDays(receivedDate, triggerOffset);

        const result = contactBy(priority, receivedAt, cfg, trigger);
        const noteIds = result.notes.map((note) => note.id);

        expect(result.contactBy.getTime()).toBeLessThanOrEqual(endOfLondonDate(lastDate).getTime());
        expect(result.contactBy.getTime()).toBeLessThanOrEqual(sevenDayLimit(receivedAt).getTime());
        expect(result.contactBy.getTime()).toBeGreaterThanOrEqual(receivedAt.getTime());
        for (const id of noteIds) expect(allowedNotes.has(id)).toBe(true);

        const workingTimeLeft = workingWindowsBetween(receivedDate, lastDate, cfg).some(
          (window) => window.end.getTime() > receivedAt.getTime(),
        );
        if (workingTimeLeft) {
          // The normal case: a moment inside (end inclusive) a working window on a working date.
          expect(noteIds).not.toContain('no_working_time_within_7_days');
          const date = londonDate(result.contactBy);
          expect(isWorkingDate(date, cfg)).toBe(true);
          const window = workingWindow(date, cfg);
          expect(window).not.toBeNull();
          expect(result.contactBy.getTime()).toBeGreaterThanOrEqual(window!.start.getTime());
          expect(result.contactBy.getTime()).toBeLessThanOrEqual(window!.end.getTime());
        } else {
          // The documented impossible edge: nowhere to put the contact, so the last moment of D+7, said out loud.
          expect(noteIds).toContain('no_working_time_within_7_days');
          expect(result.contactBy.getTime()).toBe(endOfLondonDate(lastDate).getTime());
        }

        if (result.cappedByTriggerDate) {
          expect(trigger).not.toBeNull();
          expect(londonDate(result.contactBy) < trigger!).toBe(true);
        }
        if (noteIds.includes('no_working_day_after_receipt_within_7_days')) {
          expect(priority).toBe('next_working_day');
          expect(londonDate(result.contactBy)).toBe(receivedDate);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a more urgent priority is never due later than a less urgent one', () => {
    fc.assert(
      fc.property(scenario, ({ receivedAt, nation, hours, closureOffsets }) => {
        const receivedDate = londonDate(receivedAt);
        const cfg: CalendarConfig = {
          nation,
          hours,
          closures: closureOffsets.map((offset) => addCalendarDays(receivedDate, offset)),
        };
        const [today, nextDay, week] = priorities.map((priority) =>
          contactBy(priority, receivedAt, cfg).contactBy.getTime(),
        );
        expect(today).toBeLessThanOrEqual(nextDay!);
        expect(nextDay).toBeLessThanOrEqual(week!);
      }),
      { numRuns: 500 },
    );
  });
});
