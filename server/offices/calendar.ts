import { and, asc, eq } from 'drizzle-orm';
import { officeClosures, officeHours } from '../../db/schema/scheduling.ts';
import { offices } from '../../db/schema/offices.ts';
import { defaultCalendarConfig, DEFAULT_OFFICE_HOURS, isValidIsoDate } from '../scheduling/calendar.ts';
import type { CalendarConfig, IsoDate, Nation, OfficeHours } from '../scheduling/types.ts';
import { closureSchema, officeHoursSchema } from './config.ts';
import type { SqliteDb } from './db.ts';
import { OfficeSettingsError } from './errors.ts';
import type Database from 'better-sqlite3';
import { connectionOf, statement } from '../../db/statements.ts';

export interface OfficeSummary {
  id: string;
  name: string;
  nation: Nation;
  hours: OfficeHours[];
}

export interface OfficeClosure {
  date: IsoDate;
  reason: string | null;
}

export function listOffices(db: SqliteDb): OfficeSummary[] {
  const rows = db
    .select({ id: offices.id, name: offices.name, nation: offices.nation, hoursJson: officeHours.weeklyHoursJson })
    .from(offices)
    .leftJoin(officeHours, eq(officeHours.officeId, offices.id))
    .orderBy(asc(offices.name))
    .all();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    nation: row.nation,
    hours: parseStoredHours(row.hoursJson),
  }));
}

export function getOffice(db: SqliteDb, officeId: string): OfficeSummary | null {
  return listOffices(db).find((office) => office.id === officeId) ?? null;
}

function requireOffice(db: SqliteDb, officeId: string): { id: string; nation: Nation } {
  const office = db
    .select({ id: offices.id, nation: offices.nation })
    .from(offices)
    .where(eq(offices.id, officeId))
    .get();
  if (!office) throw new OfficeSettingsError(`There is no office "${officeId}".`);
  return office;
}

// An office that has never been seeded keeps the default hours rather than having none: a calendar with no
// working time would push every deadline to the end of day 7.
function parseStoredHours(json: string | null): OfficeHours[] {
  if (json === null) return DEFAULT_OFFICE_HOURS;
  return officeHoursSchema.parse(JSON.parse(json)) as OfficeHours[];
}

export function getOfficeHours(db: SqliteDb, officeId: string): OfficeHours[] {
  requireOffice(db, officeId);
  const row = db.select().from(officeHours).where(eq(officeHours.officeId, officeId)).get();
  return parseStoredHours(row?.weeklyHoursJson ?? null);
}

/** Replaces an office's weekly hours. A weekday left out is a closed day; one opening window per day. */
export function setOfficeHours(db: SqliteDb, officeId: string, hours: OfficeHours[], now: Date): OfficeHours[] {
  requireOffice(db, officeId);
  const parsed = officeHoursSchema.safeParse(hours);
  if (!parsed.success) throw new OfficeSettingsError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const sorted = [...(parsed.data as OfficeHours[])].sort((a, b) => a.weekday - b.weekday);
  db.insert(officeHours)
    .values({ officeId, weeklyHoursJson: JSON.stringify(sorted), updatedAt: now })
    .onConflictDoUpdate({
      target: officeHours.officeId,
      set: { weeklyHoursJson: JSON.stringify(sorted), updatedAt: now },
    })
    .run();
  return sorted;
}

export function listClosures(db: SqliteDb, officeId: string): OfficeClosure[] {
  return db
    .select({ date: officeClosures.date, reason: officeClosures.reason })
    .from(officeClosures)
    .where(eq(officeClosures.officeId, officeId))
    .orderBy(asc(officeClosures.date))
    .all();
}

/** Adds a day the office is shut (or updates its reason). Deadlines already given are not moved. */
export function addClosure(
  db: SqliteDb,
  officeId: string,
  closure: { date: string; reason?: string | null },
  now: Date,
): OfficeClosure {
  requireOffice(db, officeId);
  const parsed = closureSchema.safeParse({ date: closure.date, reason: closure.reason ?? null });
  if (!parsed.success) throw new OfficeSettingsError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const reason = parsed.data.reason === '' ? null : parsed.data.reason;
  db.insert(officeClosures)
    .values({ officeId, date: parsed.data.date, reason, createdAt: now })
    .onConflictDoUpdate({ target: [officeClosures.officeId, officeClosures.date], set: { reason } })
    .run();
  return { date: parsed.data.date, reason };
}

/** Returns whether there was such a closure. */
export function removeClosure(db: SqliteDb, officeId: string, date: string): boolean {
  if (!isValidIsoDate(date)) throw new OfficeSettingsError('Expected a real date written YYYY-MM-DD.');
  const result = db
    .delete(officeClosures)
    .where(and(eq(officeClosures.officeId, officeId), eq(officeClosures.date, date)))
    .run();
  return result.changes > 0;
}

/**
 * The working calendar of an office: its nation's bank holidays, its hours and its closures.
 * Synchronous so it can run inside the referral transaction. An unknown office gets the default
 * England and Wales calendar rather than an error: a referral must never be lost to a settings problem.
 * Read once per connection and kept until the office's settings change (see `calendarCacheFor`).
 */
export function calendarFor(db: SqliteDb, officeId: string): CalendarConfig {
  const cache = calendarCacheFor(connectionOf(db));
  const cached = cache?.get(officeId);
  if (cached) return cached;
  // Prepared once per connection: this runs for every referral, slot and escalation (db/statements.ts).
  const office = statement(
    db,
    'SELECT o.nation AS nation, h.weekly_hours_json AS hoursJson FROM offices o LEFT JOIN office_hours h ON h.office_id = o.id WHERE o.id = ?',
  ).get(officeId) as { nation: Nation; hoursJson: string | null } | undefined;
  if (!office) return defaultCalendarConfig('england-and-wales');
  let hours: OfficeHours[];
  try {
    hours = parsedHours(office.hoursJson);
  } catch {
    // Hours are checked when saved, so this is a hand-edited row; the admin screen (getOfficeHours) shows the error.
    hours = DEFAULT_OFFICE_HOURS;
  }
  const calendar: CalendarConfig = Object.freeze({
    nation: office.nation,
    hours,
    closures: Object.freeze(
      statement(db, 'SELECT date FROM office_closures WHERE office_id = ? ORDER BY date')
        .pluck()
        .all(officeId) as IsoDate[],
    ) as IsoDate[],
  });
  cache?.set(officeId, calendar);
  return calendar;
}

// null: this connection keeps none (its triggers could not be made).
const calendarCaches = new WeakMap<Database.Database, Map<string, CalendarConfig> | null>();
/** The tables a calendar is read from: any write to them empties the connection's calendars. */
const CALENDAR_TABLES = ['offices', 'office_hours', 'office_closures'] as const;

/**
 * The calendars a connection has read, or undefined when they must be read afresh. Temporary triggers on the
 * connection (they exist for it alone, and in memory) empty its calendars on every insert, update or delete of
 * an office, its hours or its closures, from any code path. Office settings are written only through this process's
 * connection (the admin screens, the seed at start-up). Inside a transaction nothing is kept (what it reads may
 * yet be rolled back), and the triggers are made only outside one (so a rollback cannot take them away).
 */
function calendarCacheFor(connection: Database.Database): Map<string, CalendarConfig> | undefined {
  const known = calendarCaches.get(connection);
  if (known !== undefined) return known === null || connection.inTransaction ? undefined : known;
  if (connection.inTransaction) return undefined;
  const cache = new Map<string, CalendarConfig>();
  try {
    connection.function('office_calendars_changed', () => {
      cache.clear();
      return null;
    });
    for (const table of CALENDAR_TABLES) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        connection.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS "${table}_${event.toLowerCase()}_forgets_calendars" AFTER ${event} ON main."${table}"
           BEGIN SELECT office_calendars_changed(); END`,
        );
      }
    }
  } catch {
    // A connection that cannot have the triggers (read-only, say) reads every calendar afresh.
    calendarCaches.set(connection, null);
    return undefined;
  }
  calendarCaches.set(connection, cache);
  return cache;
}

// The same few stored hours texts are read again and again: each is checked and parsed once.
const hoursByJson = new Map<string, OfficeHours[]>();
function parsedHours(json: string | null): OfficeHours[] {
  if (json === null) return DEFAULT_OFFICE_HOURS;
  let hours = hoursByJson.get(json);
  if (!hours) {
    hours = Object.freeze(parseStoredHours(json)) as OfficeHours[];
    if (hoursByJson.size >= 100) hoursByJson.clear();
    hoursByJson.set(json, hours);
  }
  return hours;
}
