import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proposeSlot } from '../../../server/scheduling/slot.ts';
import type {
  BookedContact,
  CalendarConfig,
  CaseworkerPattern,
  IsoWeekday,
  OfficeHours,
  SafeTime,
  SlotRequest,
} from '../../../server/scheduling/types.ts';
import { proposeSlotOracle } from './oracle/slot-quarter-hour-walk.ts';

// The jumping search must give exactly the answers of the quarter-hour walk it replaced (kept as the oracle),
// on random offices, rosters, bookings and safe times, including the weeks the clocks change.

const MINUTE_MS = 60_000;
const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
// Mostly quarter hours, sometimes any minute (a config can say 09:10), sometimes right on the clock change.
const minuteOfDay = fc.oneof(
  fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
  fc.integer({ min: 0, max: 1439 }),
  fc.constantFrom(0, 45, 60, 90, 120),
);
const range = fc
  .tuple(minuteOfDay, minuteOfDay)
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
const weekday = fc.integer({ min: 1, max: 7 }).map((d) => d as IsoWeekday);

const officeHours: fc.Arbitrary<OfficeHours[]> = fc
  .uniqueArray(fc.tuple(weekday, range), { selector: ([d]) => d, maxLength: 7 })
  .map((entries) => entries.map(([d, r]) => ({ weekday: d, opens: clock(r.from), closes: clock(r.to) })));

// Receipts around ordinary weeks, bank holidays and both clock changes of 2026 and 2027.
const anchors = ['2026-03-27', '2026-05-01', '2026-10-23', '2026-12-21', '2027-03-25', '2027-10-29', '2027-06-09'].map(
  (d) => Date.parse(`${d}T00:00:00Z`),
);
const receivedAt = fc
  .tuple(
    fc.constantFrom(...anchors),
    fc.integer({ min: -3 * 24 * 60, max: 6 * 24 * 60 }),
    fc.integer({ min: 0, max: 59_999 }),
  )
  .map(([anchor, minutes, ms]) => anchor + minutes * MINUTE_MS + ms);

const requestArb: fc.Arbitrary<SlotRequest> = receivedAt.chain((received) => {
  const staffIds = ['alex', 'bo', 'cy', 'dee'];
  const instantNear = fc.integer({ min: -2 * 24 * 60, max: 10 * 24 * 60 }).map((m) => received + m * MINUTE_MS);
  const booking: fc.Arbitrary<BookedContact> = fc
    .record({
      staffId: fc.constantFrom(...staffIds),
      start: instantNear,
      length: fc.oneof(fc.constantFrom(15, 30, 60), fc.integer({ min: 1, max: 240 })),
      kind: fc.constantFrom(undefined, 'first_contact' as const, 'appointment' as const),
    })
    .map(({ staffId, start, length, kind }) => ({
      staffId,
      start: new Date(start),
      end: new Date(start + length * MINUTE_MS),
      ...(kind ? { kind } : {}),
    }));
  const caseworker: fc.Arbitrary<CaseworkerPattern> = fc.record({
    staffId: fc.constantFrom(...staffIds),
    weekly: fc.array(
      fc.tuple(weekday, range).map(([d, r]) => ({ weekday: d, start: clock(r.from), end: clock(r.to) })),
      { maxLength: 9 },
    ),
    maxFirstContactsPerDay: fc.integer({ min: 0, max: 4 }),
  });
  const cfg: fc.Arbitrary<CalendarConfig> = fc.record({
    nation: fc.constantFrom('england-and-wales' as const, 'scotland' as const, 'northern-ireland' as const),
    hours: fc.oneof(
      officeHours,
      fc.constant(
        ([1, 2, 3, 4, 5] as const).map((d) => ({ weekday: d, opens: '09:00', closes: '17:00' })) as OfficeHours[],
      ),
    ),
    closures: fc.array(
      instantNear.map((ms) => new Date(ms).toISOString().slice(0, 10)),
      { maxLength: 3 },
    ),
  });
  return fc.record({
    receivedAt: fc.constant(new Date(received)),
    deadline: fc.integer({ min: -60, max: 8 * 24 * 60 }).map((m) => new Date(received + m * MINUTE_MS)),
    cfg,
    caseworkers: fc.array(caseworker, { maxLength: 4 }),
    booked: fc.array(booking, { maxLength: 30 }),
    safeTimes: fc.subarray(['morning', 'afternoon', 'evening'] as SafeTime[]),
    phoneSafe: fc.boolean(),
    emailSafe: fc.boolean(),
    slotMinutes: fc.constantFrom(undefined, 15, 30, 45, 60, 20, 7.5, 90),
  });
});

describe('proposeSlot against the quarter-hour walk it replaced', () => {
  it('gives the same proposal (slot, caseworker, channel or fallback reason) on random calendars and bookings', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        expect(proposeSlot(req)).toEqual(proposeSlotOracle(req));
      }),
      { numRuns: 1500 },
    );
  });

  it('finds slots often enough for the comparison to mean something', () => {
    // A guard on the generator: if it only ever produced fallbacks, the test above would prove little.
    const samples = fc.sample(requestArb, { numRuns: 400, seed: 11 });
    const kinds = samples.map((req) => proposeSlotOracle(req).kind);
    expect(kinds.filter((kind) => kind === 'slot').length).toBeGreaterThan(40);
    expect(kinds.filter((kind) => kind === 'deadline_fallback').length).toBeGreaterThan(40);
  });
});
