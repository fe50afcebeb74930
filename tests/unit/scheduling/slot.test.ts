import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultCalendarConfig,
  isoWeekday,
  londonDate,
  londonWallClock,
  parseClockTime,
  workingWindow,
} from '../../../server/scheduling/calendar.ts';
import { contactBy } from '../../../server/scheduling/deadline.ts';
import { SAFE_TIME_MINUTES, proposeSlot } from '../../../server/scheduling/slot.ts';
import type { BookedContact, CaseworkerPattern, SafeTime, SlotRequest } from '../../../server/scheduling/types.ts';

const englandAndWales = defaultCalendarConfig('england-and-wales');
const weekdays = [1, 2, 3, 4, 5] as const;
const caseworker = (
  staffId: string,
  maxFirstContactsPerDay = 3,
  days: readonly (1 | 2 | 3 | 4 | 5 | 6 | 7)[] = weekdays,
): CaseworkerPattern => ({
  staffId,
  weekly: days.map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
  maxFirstContactsPerDay,
});
const booking = (staffId: string, start: string, end: string): BookedContact => ({
  staffId,
  start: new Date(start),
  end: new Date(end),
});

// Monday 7 December 2026 (GMT), deadline end of Friday.
const request = (overrides: Partial<SlotRequest> = {}): SlotRequest => ({
  receivedAt: new Date('2026-12-07T10:07:00Z'),
  deadline: new Date('2026-12-11T17:00:00Z'),
  cfg: englandAndWales,
  caseworkers: [caseworker('alex')],
  booked: [],
  safeTimes: [],
  phoneSafe: true,
  emailSafe: true,
  ...overrides,
});

function expectSlot(
  proposal: ReturnType<typeof proposeSlot>,
  start: string,
  staffId: string,
  channel: 'phone' | 'email' = 'phone',
) {
  expect(proposal.kind).toBe('slot');
  if (proposal.kind !== 'slot') return;
  expect(proposal.start.toISOString()).toBe(new Date(start).toISOString());
  expect(proposal.end.getTime() - proposal.start.getTime()).toBe(30 * 60_000);
  expect(proposal.staffId).toBe(staffId);
  expect(proposal.channel).toBe(channel);
}

describe('proposeSlot: earliest slot', () => {
  it('rounds receipt up to the next quarter hour', () => {
    expectSlot(proposeSlot(request()), '2026-12-07T10:15:00Z', 'alex');
  });

  it('keeps a receipt that is already on a quarter hour', () => {
    expectSlot(proposeSlot(request({ receivedAt: new Date('2026-12-07T10:00:00Z') })), '2026-12-07T10:00:00Z', 'alex');
  });

  it('waits for opening time on Monday when received on Saturday', () => {
    expectSlot(proposeSlot(request({ receivedAt: new Date('2026-12-05T10:00:00Z') })), '2026-12-07T09:00:00Z', 'alex');
  });

  it('skips a bank holiday even when the caseworker is rostered (Good Friday and Easter Monday 2027, into BST)', () => {
    const receivedAt = new Date('2027-03-26T09:00:00Z');
    const { contactBy: deadline } = contactBy('today', receivedAt, englandAndWales);
    expectSlot(proposeSlot(request({ receivedAt, deadline })), '2027-03-30T08:00:00Z', 'alex');
  });

  it('uses the honest length of a custom slot', () => {
    const proposal = proposeSlot(request({ slotMinutes: 45 }));
    expect(proposal.kind === 'slot' && proposal.end.toISOString()).toBe('2026-12-07T11:00:00.000Z');
  });

  it('follows the caseworker pattern: only works Wednesdays', () => {
    expectSlot(proposeSlot(request({ caseworkers: [caseworker('sam', 3, [3])] })), '2026-12-09T09:00:00Z', 'sam');
  });

  it('does not start a slot that would run past the caseworker shift end', () => {
    const late = {
      staffId: 'kim',
      weekly: [{ weekday: 1 as const, start: '10:00', end: '10:40' }],
      maxFirstContactsPerDay: 3,
    };
    expectSlot(
      proposeSlot(request({ receivedAt: new Date('2026-12-07T09:00:00Z'), caseworkers: [late] })),
      '2026-12-07T10:00:00Z',
      'kim',
    );
    expect(proposeSlot(request({ receivedAt: new Date('2026-12-07T10:01:00Z'), caseworkers: [late] })).kind).toBe(
      'deadline_fallback',
    );
  });
});

describe('proposeSlot: safe times', () => {
  it('waits for the afternoon when only the afternoon is safe', () => {
    expectSlot(proposeSlot(request({ safeTimes: ['afternoon'] })), '2026-12-07T12:00:00Z', 'alex');
  });

  it('reads safe times on London clocks in summer (12:00 BST = 11:00Z)', () => {
    const receivedAt = new Date('2027-06-07T08:10:00Z');
    expectSlot(
      proposeSlot(request({ receivedAt, deadline: new Date('2027-06-11T16:00:00Z'), safeTimes: ['afternoon'] })),
      '2027-06-07T11:00:00Z',
      'alex',
    );
  });

  it('lets a call run across noon when morning and afternoon are both safe', () => {
    expectSlot(
      proposeSlot(request({ receivedAt: new Date('2026-12-07T11:45:00Z'), safeTimes: ['morning', 'afternoon'] })),
      '2026-12-07T11:45:00Z',
      'alex',
    );
  });

  it('does not let a morning-only call run past noon', () => {
    expectSlot(
      proposeSlot(request({ receivedAt: new Date('2026-12-07T11:45:00Z'), safeTimes: ['morning'] })),
      '2026-12-08T09:00:00Z',
      'alex',
    );
  });

  it('falls back when his only safe time is the evening and the office closes at 17:00', () => {
    const proposal = proposeSlot(request({ safeTimes: ['evening'] }));
    expect(proposal).toEqual({
      kind: 'deadline_fallback',
      start: new Date('2026-12-11T16:30:00Z'),
      reasonId: 'outside_safe_times',
      reason: 'no caseworker free before the deadline inside his safe times (evening)',
      capacityShort: true,
    });
  });

  it('uses email, at the earliest time, when his phone is not safe: safe times only limit calls', () => {
    expectSlot(
      proposeSlot(request({ safeTimes: ['evening'], phoneSafe: false, emailSafe: true })),
      '2026-12-07T10:15:00Z',
      'alex',
      'email',
    );
  });

  it('books nothing when neither phone nor email is safe', () => {
    const proposal = proposeSlot(request({ phoneSafe: false, emailSafe: false }));
    expect(proposal.kind).toBe('deadline_fallback');
    expect(proposal.kind === 'deadline_fallback' && proposal.reason).toMatch(/no phone or email that is safe/);
    expect(proposal.kind === 'deadline_fallback' && proposal.reasonId).toBe('no_safe_channel');
  });

  it('exposes the safe-time hours it uses', () => {
    expect(SAFE_TIME_MINUTES.evening).toEqual({ from: 17 * 60, to: 20 * 60 });
  });
});

describe('proposeSlot: bookings and capacity', () => {
  it('avoids overlapping a booked contact', () => {
    const booked = [booking('alex', '2026-12-07T10:30:00Z', '2026-12-07T10:45:00Z')];
    expectSlot(proposeSlot(request({ booked })), '2026-12-07T10:45:00Z', 'alex');
  });

  it('may start exactly when a booked contact ends', () => {
    const booked = [booking('alex', '2026-12-07T09:45:00Z', '2026-12-07T10:15:00Z')];
    expectSlot(proposeSlot(request({ booked })), '2026-12-07T10:15:00Z', 'alex');
  });

  it("ignores other caseworkers' bookings", () => {
    const booked = [booking('sam', '2026-12-07T10:00:00Z', '2026-12-07T12:00:00Z')];
    expectSlot(proposeSlot(request({ booked })), '2026-12-07T10:15:00Z', 'alex');
  });

  it('respects the maximum first contacts per day, counted on the London date', () => {
    const booked = [booking('alex', '2026-12-07T15:00:00Z', '2026-12-07T15:30:00Z')];
    expectSlot(proposeSlot(request({ caseworkers: [caseworker('alex', 1)], booked })), '2026-12-08T09:00:00Z', 'alex');
  });

  it('counts a booking at 00:30 BST as the London date, not the UTC date before it', () => {
    // 23:30Z on Sun 6 Jun 2027 is 00:30 on Mon 7 Jun in London: it uses Monday's allowance.
    const booked = [booking('alex', '2027-06-06T23:30:00Z', '2027-06-07T00:00:00Z')];
    const proposal = proposeSlot(
      request({
        receivedAt: new Date('2027-06-07T08:00:00Z'),
        deadline: new Date('2027-06-11T16:00:00Z'),
        caseworkers: [caseworker('alex', 1)],
        booked,
      }),
    );
    expectSlot(proposal, '2027-06-08T08:00:00Z', 'alex');
  });

  it('offers a colleague who is under their limit', () => {
    const booked = [booking('alex', '2026-12-07T15:00:00Z', '2026-12-07T15:30:00Z')];
    expectSlot(
      proposeSlot(request({ caseworkers: [caseworker('alex', 1), caseworker('sam', 1)], booked })),
      '2026-12-07T10:15:00Z',
      'sam',
    );
  });

  it('breaks ties toward whoever has fewer contacts that day', () => {
    const booked = [booking('alex', '2026-12-07T15:00:00Z', '2026-12-07T15:30:00Z')];
    expectSlot(
      proposeSlot(request({ caseworkers: [caseworker('alex'), caseworker('sam')], booked })),
      '2026-12-07T10:15:00Z',
      'sam',
    );
    expectSlot(
      proposeSlot(request({ caseworkers: [caseworker('alex'), caseworker('sam')] })),
      '2026-12-07T10:15:00Z',
      'alex',
    );
  });
});

describe('proposeSlot: deadline fallback', () => {
  it('never proposes a slot that ends after the deadline', () => {
    const tight = proposeSlot(request({ deadline: new Date('2026-12-07T10:40:00Z') }));
    expect(tight).toEqual({
      kind: 'deadline_fallback',
      start: new Date('2026-12-07T10:10:00Z'),
      reasonId: 'no_time_before_deadline',
      reason: 'not enough time before the deadline for a 30-minute contact',
      capacityShort: true,
    });
    expectSlot(proposeSlot(request({ deadline: new Date('2026-12-07T10:45:00Z') })), '2026-12-07T10:15:00Z', 'alex');
  });

  it('never puts the fallback before receipt', () => {
    const proposal = proposeSlot(request({ deadline: new Date('2026-12-07T10:20:00Z') }));
    expect(proposal.start.toISOString()).toBe('2026-12-07T10:07:00.000Z');
  });

  it('says when the office is shut all the way to the deadline', () => {
    const proposal = proposeSlot(
      request({ receivedAt: new Date('2026-12-05T10:00:00Z'), deadline: new Date('2026-12-06T20:00:00Z') }),
    );
    expect(proposal.kind === 'deadline_fallback' && proposal.reason).toBe(
      'no office working time between receipt and the deadline',
    );
    expect(proposal.kind === 'deadline_fallback' && proposal.reasonId).toBe('no_office_time');
  });

  it('says when nobody is rostered before the deadline', () => {
    const proposal = proposeSlot(request({ caseworkers: [caseworker('sam', 3, [6])] }));
    expect(proposal.kind === 'deadline_fallback' && proposal.reason).toBe(
      'no caseworker is rostered in office hours before the deadline',
    );
    expect(proposal.kind === 'deadline_fallback' && proposal.reasonId).toBe('no_caseworker_rostered');
  });

  it('says when everyone is fully booked', () => {
    const booked = [booking('alex', '2026-12-07T09:00:00Z', '2026-12-11T17:00:00Z')];
    const proposal = proposeSlot(request({ booked }));
    expect(proposal).toEqual({
      kind: 'deadline_fallback',
      start: new Date('2026-12-11T16:30:00Z'),
      reasonId: 'caseworkers_fully_booked',
      reason: 'every rostered caseworker is fully booked or at their daily limit before the deadline',
      capacityShort: true,
    });
  });

  it('rejects a slot length that is not positive', () => {
    expect(() => proposeSlot(request({ slotMinutes: 0 }))).toThrow(RangeError);
  });
});

describe('proposeSlot properties (fast-check)', () => {
  const safeTimeOptions: SafeTime[] = ['morning', 'afternoon', 'evening'];
  const scenario = fc.record({
    receivedAt: fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2028-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    priority: fc.constantFrom('today' as const, 'next_working_day' as const, 'within_7_days' as const),
    safeTimes: fc.subarray(safeTimeOptions),
    phoneSafe: fc.boolean(),
    maxPerDay: fc.integer({ min: 0, max: 3 }),
    bookingOffsetsQuarterHours: fc.array(fc.integer({ min: 0, max: 8 * 96 }), { maxLength: 30 }),
  });

  it('any slot it offers keeps every rule, and it never goes past the deadline', () => {
    fc.assert(
      fc.property(scenario, ({ receivedAt, priority, safeTimes, phoneSafe, maxPerDay, bookingOffsetsQuarterHours }) => {
        const cfg = defaultCalendarConfig('scotland');
        const { contactBy: deadline } = contactBy(priority, receivedAt, cfg);
        const caseworkers = [
          caseworker('alex', maxPerDay),
          { ...caseworker('sam', maxPerDay), weekly: [{ weekday: 2 as const, start: '12:00', end: '16:00' }] },
        ];
        const base = Math.floor(receivedAt.getTime() / 900_000) * 900_000;
        const booked = bookingOffsetsQuarterHours.map((offset, i) => ({
          staffId: i % 2 === 0 ? 'alex' : 'sam',
          start: new Date(base + offset * 900_000),
          end: new Date(base + offset * 900_000 + 30 * 60_000),
        }));
        const proposal = proposeSlot({
          receivedAt,
          deadline,
          cfg,
          caseworkers,
          booked,
          safeTimes,
          phoneSafe,
          emailSafe: true,
        });

        expect(proposal.start.getTime()).toBeLessThanOrEqual(deadline.getTime());
        if (proposal.kind === 'deadline_fallback') return;

        expect(proposal.start.getTime()).toBeGreaterThanOrEqual(receivedAt.getTime());
        expect(proposal.end.getTime()).toBeLessThanOrEqual(deadline.getTime());
        const date = londonDate(proposal.start);
        const window = workingWindow(date, cfg);
        expect(window).not.toBeNull();
        expect(proposal.start.getTime()).toBeGreaterThanOrEqual(window!.start.getTime());
        expect(proposal.end.getTime()).toBeLessThanOrEqual(window!.end.getTime());

        const from = londonWallClock(proposal.start).minutes;
        const to = londonWallClock(proposal.end).minutes;
        const pattern = caseworkers.find((c) => c.staffId === proposal.staffId)!;
        expect(
          pattern.weekly.some(
            (s) => s.weekday === isoWeekday(date) && parseClockTime(s.start) <= from && to <= parseClockTime(s.end),
          ),
        ).toBe(true);
        const theirs = booked.filter((b) => b.staffId === proposal.staffId);
        expect(theirs.some((b) => b.start < proposal.end && proposal.start < b.end)).toBe(false);
        expect(theirs.filter((b) => londonDate(b.start) === date).length).toBeLessThan(pattern.maxFirstContactsPerDay);

        expect(proposal.channel).toBe(phoneSafe ? 'phone' : 'email');
        if (phoneSafe && safeTimes.length > 0) {
          // With these three adjacent ranges, inside the union means start and end are each inside a chosen range.
          const inChosen = (minute: number, isEnd: boolean) =>
            safeTimes.some((t) =>
              isEnd
                ? SAFE_TIME_MINUTES[t].from < minute && minute <= SAFE_TIME_MINUTES[t].to
                : SAFE_TIME_MINUTES[t].from <= minute && minute < SAFE_TIME_MINUTES[t].to,
            );
          expect(inChosen(from, false) && inChosen(to, true)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
