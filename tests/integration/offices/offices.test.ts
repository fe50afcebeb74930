import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../../db/client.ts';
import { and, eq } from 'drizzle-orm';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { offices } from '../../../db/schema/offices.ts';
import {
  addClosure,
  alertAddressesFor,
  calendarFor,
  caseworkersForOffice,
  getCaseworkerPattern,
  getOfficeHours,
  listClosures,
  listOffices,
  listRecipients,
  loadOfficesConfig,
  OfficeSettingsError,
  removeCaseworkerPattern,
  removeClosure,
  seedOffices,
  seedOfficesFromConfig,
  setCaseworkerPattern,
  setOfficeHours,
  setRecipients,
  type OfficesConfig,
} from '../../../server/offices/index.ts';
import { DEFAULT_OFFICE_HOURS, isWorkingDate } from '../../../server/scheduling/calendar.ts';
import { addStaff, migratedMemoryDb } from '../alerts/support.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
let database: OpenedDatabase;
beforeEach(async () => {
  database = await migratedMemoryDb();
});
afterEach(() => database.sqlite.close());

const weekdays = (opens: string, closes: string) =>
  ([1, 2, 3, 4, 5] as const).map((weekday) => ({ weekday, opens, closes }));

describe('seeding offices from the config file', () => {
  it('creates Leeds and Manchester with default hours and placeholder recipients on first start', () => {
    const result = seedOffices(database.db, NOW);
    expect(result).toEqual({ officesCreated: ['leeds', 'manchester'], officesSeeded: ['leeds', 'manchester'] });
    expect(listOffices(database.db).map((office) => [office.id, office.nation])).toEqual([
      ['leeds', 'england-and-wales'],
      ['manchester', 'england-and-wales'],
    ]);
    expect(getOfficeHours(database.db, 'leeds')).toEqual(DEFAULT_OFFICE_HOURS);
    expect(listRecipients(database.db, 'leeds')).toEqual({
      triage: ['triage-leeds@example.org'],
      duty: ['duty-leeds@example.org'],
      managers: ['managers-leeds@example.org'],
    });
  });

  it('never undoes an admin edit when it runs again at the next start', () => {
    seedOffices(database.db, NOW);
    setOfficeHours(database.db, 'leeds', weekdays('10:00', '16:00'), NOW);
    setRecipients(database.db, 'leeds', 'duty', ['duty-cover@example.org'], NOW);
    addClosure(database.db, 'leeds', { date: '2026-12-29', reason: 'Christmas' }, NOW);

    expect(seedOffices(database.db, NOW)).toEqual({ officesCreated: [], officesSeeded: [] });
    expect(getOfficeHours(database.db, 'leeds')[0]).toEqual({ weekday: 1, opens: '10:00', closes: '16:00' });
    expect(listRecipients(database.db, 'leeds').duty).toEqual(['duty-cover@example.org']);
    expect(listClosures(database.db, 'leeds')).toEqual([{ date: '2026-12-29', reason: 'Christmas' }]);
  });

  it('still seeds hours and recipients for an office row someone else created first', () => {
    database.db
      .insert(offices)
      .values({ id: 'leeds', name: 'Leeds', nation: 'england-and-wales', createdAt: NOW })
      .run();
    const result = seedOffices(database.db, NOW);
    expect(result.officesCreated).toEqual(['manchester']);
    expect(result.officesSeeded).toEqual(['leeds', 'manchester']);
    expect(listRecipients(database.db, 'leeds').triage).toEqual(['triage-leeds@example.org']);
    // The existing row is left as it was.
    expect(listOffices(database.db).find((office) => office.id === 'leeds')?.name).toBe('Leeds');
  });

  it('seeds closures and other nations from a config file', () => {
    const config: OfficesConfig = {
      offices: [
        {
          id: 'glasgow',
          name: 'Glasgow office',
          nation: 'scotland',
          hours: weekdays('09:30', '17:30'),
          closures: [{ date: '2027-01-06', reason: null }],
          recipients: { triage: ['Triage-Glasgow@Example.org'], duty: [], managers: [] },
        },
      ],
    };
    seedOfficesFromConfig(database.db, config, NOW);
    const cfg = calendarFor(database.db, 'glasgow');
    expect(cfg.nation).toBe('scotland');
    expect(cfg.closures).toEqual(['2027-01-06']);
    // 2 January is a Scottish bank holiday; in 2027 it is a Saturday, so Monday 4th is the day off in Scotland only.
    expect(isWorkingDate('2027-01-04', cfg)).toBe(false);
    expect(isWorkingDate('2027-01-04', calendarFor(database.db, 'leeds'))).toBe(true);
    expect(isWorkingDate('2027-01-05', cfg)).toBe(true);
    expect(isWorkingDate('2027-01-06', cfg)).toBe(false);
    expect(listRecipients(database.db, 'glasgow').triage).toEqual(['triage-glasgow@example.org']);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'two windows on one day',
      { hours: [...weekdays('09:00', '17:00'), { weekday: 1, opens: '18:00', closes: '19:00' }] },
      /more than one opening window/,
    ],
    [
      'closing before opening',
      { hours: [{ weekday: 1, opens: '17:00', closes: '09:00' }] },
      /closes \(09:00\) before it opens/,
    ],
    ['no triage address', { recipients: { triage: [], duty: [], managers: [] } }, /at least one triage address/],
    ['a bad time', { hours: [{ weekday: 1, opens: '9am', closes: '17:00' }] }, /expected a time such as 09:00/],
    ['an unknown nation', { nation: 'wales' }, /nation/],
    ['a closure that is not a date', { closures: [{ date: '2027-02-30' }] }, /real date/],
  ])('refuses a config file with %s', (_name, change, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'offices-config-'));
    const file = join(dir, 'offices.json');
    const office = {
      id: 'leeds',
      name: 'Leeds office',
      nation: 'england-and-wales',
      hours: weekdays('09:00', '17:00'),
      recipients: { triage: ['t@example.org'] },
      ...(change as object),
    };
    writeFileSync(file, JSON.stringify({ offices: [office] }));
    expect(() => loadOfficesConfig(file)).toThrow(message);
  });

  it('ships a config file that loads', () => {
    expect(loadOfficesConfig().offices.map((office) => office.id)).toEqual(['leeds', 'manchester']);
  });
});

describe('office hours and closures', () => {
  beforeEach(() => {
    seedOffices(database.db, NOW);
  });

  it('feeds the calendar used for deadlines', () => {
    setOfficeHours(
      database.db,
      'manchester',
      [{ weekday: 6, opens: '10:00', closes: '13:00' }, ...weekdays('08:00', '16:00')],
      NOW,
    );
    addClosure(database.db, 'manchester', { date: '2026-12-07' }, NOW);
    const cfg = calendarFor(database.db, 'manchester');
    expect(cfg.hours.map((h) => h.weekday)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(isWorkingDate('2026-12-05', cfg)).toBe(true); // a Saturday, now open
    expect(isWorkingDate('2026-12-07', cfg)).toBe(false); // a Monday, closed
    expect(isWorkingDate('2026-12-25', cfg)).toBe(false); // Christmas Day
    // Leeds is unaffected.
    expect(isWorkingDate('2026-12-07', calendarFor(database.db, 'leeds'))).toBe(true);
  });

  it('gives an unknown office the default calendar rather than failing a referral', () => {
    expect(calendarFor(database.db, 'atlantis')).toEqual({
      nation: 'england-and-wales',
      hours: DEFAULT_OFFICE_HOURS,
      closures: [],
    });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'overlapping days',
      [...weekdays('09:00', '17:00'), { weekday: 2, opens: '09:00', closes: '12:00' }],
      /more than one opening window/,
    ],
    ['a reversed window', [{ weekday: 3, opens: '12:00', closes: '11:00' }], /before it opens/],
    ['a weekday out of range', [{ weekday: 8, opens: '09:00', closes: '17:00' }], /weekday is 1/],
  ])('refuses hours with %s, with a message for the admin', (_name, hours, message) => {
    expect(() => setOfficeHours(database.db, 'leeds', hours as never, NOW)).toThrow(OfficeSettingsError);
    expect(() => setOfficeHours(database.db, 'leeds', hours as never, NOW)).toThrow(message);
    expect(getOfficeHours(database.db, 'leeds')).toEqual(DEFAULT_OFFICE_HOURS);
  });

  it('refuses an unknown office', () => {
    expect(() => setOfficeHours(database.db, 'atlantis', DEFAULT_OFFICE_HOURS, NOW)).toThrow(
      'There is no office "atlantis".',
    );
    expect(() => addClosure(database.db, 'atlantis', { date: '2026-12-24' }, NOW)).toThrow(OfficeSettingsError);
  });

  it('adds, updates and removes closures', () => {
    addClosure(database.db, 'leeds', { date: '2026-12-30', reason: 'Staff training' }, NOW);
    addClosure(database.db, 'leeds', { date: '2026-12-29', reason: '' }, NOW);
    addClosure(database.db, 'leeds', { date: '2026-12-30', reason: 'Office move' }, NOW);
    expect(listClosures(database.db, 'leeds')).toEqual([
      { date: '2026-12-29', reason: null },
      { date: '2026-12-30', reason: 'Office move' },
    ]);
    expect(() => addClosure(database.db, 'leeds', { date: '30/12/2026' }, NOW)).toThrow(/real date/);
    expect(removeClosure(database.db, 'leeds', '2026-12-29')).toBe(true);
    expect(removeClosure(database.db, 'leeds', '2026-12-29')).toBe(false);
    expect(calendarFor(database.db, 'leeds').closures).toEqual(['2026-12-30']);
  });
});

describe('office calendars kept between reads', () => {
  it('reads a calendar once, and again after any write to an office, its hours or its closures', () => {
    seedOffices(database.db, NOW);
    const first = calendarFor(database.db, 'leeds');
    expect(calendarFor(database.db, 'leeds')).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.closures)).toBe(true);

    addClosure(database.db, 'leeds', { date: '2026-12-29' }, NOW);
    expect(calendarFor(database.db, 'leeds').closures).toContain('2026-12-29');
    removeClosure(database.db, 'leeds', '2026-12-29');
    expect(calendarFor(database.db, 'leeds').closures).not.toContain('2026-12-29');
    setOfficeHours(database.db, 'leeds', weekdays('10:00', '16:00'), NOW);
    expect(calendarFor(database.db, 'leeds').hours[0]).toEqual({ weekday: 1, opens: '10:00', closes: '16:00' });

    // Writes that bypass this module are seen too (the connection's own triggers empty its calendars).
    database.sqlite.exec(
      "INSERT INTO office_closures (office_id, date, reason, created_at) VALUES ('leeds', '2027-01-05', NULL, 0)",
    );
    expect(calendarFor(database.db, 'leeds').closures).toContain('2027-01-05');
    database.db.update(offices).set({ nation: 'scotland' }).where(eq(offices.id, 'leeds')).run();
    expect(calendarFor(database.db, 'leeds').nation).toBe('scotland');
    database.sqlite.exec("DELETE FROM office_closures WHERE date = '2027-01-05'");
    expect(calendarFor(database.db, 'leeds').closures).not.toContain('2027-01-05');
  });

  it('keeps nothing read inside a transaction, which may yet roll back', () => {
    seedOffices(database.db, NOW);
    calendarFor(database.db, 'leeds');
    expect(() =>
      database.db.transaction((tx) => {
        addClosure(tx, 'leeds', { date: '2026-12-30' }, NOW);
        expect(calendarFor(tx, 'leeds').closures).toContain('2026-12-30');
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(calendarFor(database.db, 'leeds').closures).not.toContain('2026-12-30');
  });

  it('does not keep the default calendar given for an office that does not exist yet', () => {
    expect(calendarFor(database.db, 'glasgow').nation).toBe('england-and-wales');
    database.db.insert(offices).values({ id: 'glasgow', name: 'Glasgow', nation: 'scotland', createdAt: NOW }).run();
    expect(calendarFor(database.db, 'glasgow').nation).toBe('scotland');
  });
});

describe('alert recipients', () => {
  beforeEach(() => {
    seedOffices(database.db, NOW);
  });

  it('normalises, de-duplicates and sorts addresses', () => {
    expect(
      setRecipients(database.db, 'leeds', 'managers', [' B@Example.org', 'a@example.org', 'b@example.org', ''], NOW),
    ).toEqual(['a@example.org', 'b@example.org']);
    expect(listRecipients(database.db, 'leeds').managers).toEqual(['a@example.org', 'b@example.org']);
  });

  it('refuses an address that is not one, and keeps the old list', () => {
    expect(() => setRecipients(database.db, 'leeds', 'duty', ['duty@example.org', 'not an address'], NOW)).toThrow(
      '"not an address" is not an email address.',
    );
    expect(listRecipients(database.db, 'leeds').duty).toEqual(['duty-leeds@example.org']);
  });

  it('never lets the triage list be emptied', () => {
    expect(() => setRecipients(database.db, 'leeds', 'triage', [], NOW)).toThrow(/at least one triage address/);
    expect(listRecipients(database.db, 'leeds').triage).toEqual(['triage-leeds@example.org']);
  });

  it('falls back to triage when a list is empty, and to every office when the office has nobody', () => {
    // Lists cannot be emptied through settings (see below), but an office set up without one has none.
    expect(() => setRecipients(database.db, 'leeds', 'managers', [], NOW)).toThrow(/needs at least one address/);
    database.db
      .delete(alertRecipients)
      .where(and(eq(alertRecipients.officeId, 'leeds'), eq(alertRecipients.list, 'managers')))
      .run();
    expect(alertAddressesFor(database.db, 'leeds', ['managers'])).toEqual(['triage-leeds@example.org']);
    expect(alertAddressesFor(database.db, 'leeds', ['triage', 'duty'])).toEqual([
      'duty-leeds@example.org',
      'triage-leeds@example.org',
    ]);
    expect(alertAddressesFor(database.db, 'atlantis', ['duty'])).toEqual([
      'triage-leeds@example.org',
      'triage-manchester@example.org',
    ]);
  });
});

describe('caseworker patterns', () => {
  beforeEach(() => {
    seedOffices(database.db, NOW);
  });
  const shifts = (days: number[], start = '09:00', end = '17:00') => days.map((weekday) => ({ weekday, start, end }));

  it('stores a pattern and lists active, linked caseworkers for an office', () => {
    const alex = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
    const sam = addStaff(database.db, { name: 'Sam', offices: ['leeds', 'manchester'] });
    const gone = addStaff(database.db, { name: 'Gone', status: 'disabled', offices: ['leeds'] });
    addStaff(database.db, { name: 'No pattern', offices: ['leeds'] });
    setCaseworkerPattern(database.db, sam, { weekly: shifts([3, 1]), maxFirstContactsPerDay: 2 }, NOW);
    setCaseworkerPattern(
      database.db,
      alex,
      { weekly: shifts([1, 2], '10:00', '14:00'), maxFirstContactsPerDay: 4 },
      NOW,
    );
    setCaseworkerPattern(database.db, gone, { weekly: shifts([1]), maxFirstContactsPerDay: 4 }, NOW);

    expect(getCaseworkerPattern(database.db, sam)).toEqual({
      staffId: sam,
      weekly: [
        { weekday: 1, start: '09:00', end: '17:00' },
        { weekday: 3, start: '09:00', end: '17:00' },
      ],
      maxFirstContactsPerDay: 2,
    });
    expect(caseworkersForOffice(database.db, 'leeds').map((c) => c.name)).toEqual(['Alex', 'Sam']);
    expect(caseworkersForOffice(database.db, 'manchester').map((c) => c.name)).toEqual(['Sam']);
    expect(removeCaseworkerPattern(database.db, alex)).toBe(true);
    expect(caseworkersForOffice(database.db, 'leeds').map((c) => c.name)).toEqual(['Sam']);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'overlapping shifts',
      { weekly: [...shifts([1]), { weekday: 1, start: '16:00', end: '18:00' }], maxFirstContactsPerDay: 1 },
      /overlap/,
    ],
    [
      'a shift ending before it starts',
      { weekly: shifts([1], '12:00', '09:00'), maxFirstContactsPerDay: 1 },
      /end after it starts/,
    ],
    ['a negative limit', { weekly: [], maxFirstContactsPerDay: -1 }, /0 or more/],
    ['a typo-sized limit', { weekly: [], maxFirstContactsPerDay: 300 }, /at most 20/],
  ])('refuses %s', (_name, input, message) => {
    const alex = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
    expect(() => setCaseworkerPattern(database.db, alex, input as never, NOW)).toThrow(message);
    expect(getCaseworkerPattern(database.db, alex)).toBeNull();
  });

  it('refuses a pattern for someone who does not exist', () => {
    expect(() => setCaseworkerPattern(database.db, 'nobody', { weekly: [], maxFirstContactsPerDay: 1 }, NOW)).toThrow(
      'There is no such member of staff.',
    );
  });
});
