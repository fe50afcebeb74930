import { asc, sql } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import {
  addCalendarDays,
  endOfLondonDate,
  isValidIsoDate,
  isoWeekday,
  londonDate,
  startOfLondonDate,
} from '../../scheduling/calendar.ts';
import type { CalendarPage } from '../pages.ts';

/**
 * The office calendar: a week of appointments in the signed-in person's offices, day by day and, within a day,
 * caseworker by caseworker. An office appointment belongs to the office it is at; a remote one to the office
 * that owns the referral. References only: no names on a screen others may glance at.
 */

const STATUS_TEXT: Record<string, string> = {
  booked: 'Booked',
  attended: 'Attended',
  did_not_attend: 'Did not attend',
  cancelled: 'Cancelled',
};

/** Monday of the week holding `date`. */
export function weekStart(date: string): string {
  return addCalendarDays(date, 1 - isoWeekday(date));
}

export function parseCalendarQuery(
  query: Record<string, string>,
  now: Date,
): { from: string; officeId: string | null } {
  const asked = query.week ?? '';
  const from = isValidIsoDate(asked) ? weekStart(asked) : weekStart(londonDate(now));
  const officeId = /^[a-z0-9-]{1,40}$/.test(query.office ?? '') ? query.office! : null;
  return { from, officeId };
}

export function buildCalendarPage(
  db: PortalDb,
  staff: SessionStaff,
  now: Date,
  options: { from: string; officeId: string | null },
): CalendarPage {
  const officeRows = db.select({ id: offices.id, name: offices.name }).from(offices).orderBy(asc(offices.name)).all();
  const mine = officeRows.filter((office) => staff.officeIds.includes(office.id));
  const shown = options.officeId ? mine.filter((o) => o.id === options.officeId) : mine;
  const ids = shown.length ? shown.map((o) => o.id) : ['-'];
  const from = startOfLondonDate(options.from).getTime();
  const to = endOfLondonDate(addCalendarDays(options.from, 6)).getTime();
  const rows = db.all<{
    id: string;
    referral_id: string;
    reference: string;
    starts_at: number;
    duration_minutes: number;
    mode: string;
    status: string;
    office_name: string | null;
    staff_id: string | null;
    staff_name: string | null;
  }>(sql`
    SELECT p."id", p."referral_id", r."reference", p."starts_at", p."duration_minutes", p."mode", p."status",
           o."name" AS "office_name", COALESCE(p."staff_id", p."booked_by") AS "staff_id", s."name" AS "staff_name"
    FROM "appointments" p
    JOIN "referrals" r ON r."id" = p."referral_id"
    LEFT JOIN "offices" o ON o."id" = p."office_id"
    LEFT JOIN "staff_users" s ON s."id" = COALESCE(p."staff_id", p."booked_by")
    WHERE p."starts_at" >= ${from} AND p."starts_at" <= ${to}
      AND COALESCE(p."office_id", r."office_id") IN (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})
    ORDER BY p."starts_at", s."name"`);

  const days: CalendarPage['days'] = [];
  for (let i = 0; i < 7; i++) {
    const date = addCalendarDays(options.from, i);
    const dayRows = rows.filter((row) => londonDate(new Date(row.starts_at)) === date);
    const byPerson = new Map<string, CalendarPage['days'][number]['people'][number]>();
    for (const row of dayRows) {
      const key = row.staff_id ?? 'nobody';
      let person = byPerson.get(key);
      if (!person) {
        person = { staffName: row.staff_name ?? 'Nobody assigned', appointments: [] };
        byPerson.set(key, person);
      }
      person.appointments.push({
        id: row.id,
        referralId: row.referral_id,
        reference: row.reference,
        startsAt: new Date(row.starts_at),
        endsAt: new Date(row.starts_at + row.duration_minutes * 60_000),
        durationMinutes: row.duration_minutes,
        where: row.mode === 'office' ? (row.office_name ?? 'Office') : 'Remote (phone or video)',
        status: STATUS_TEXT[row.status] ?? row.status,
      });
    }
    days.push({
      date,
      label: new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        weekday: 'long',
        day: 'numeric',
        month: 'long',
      }).format(new Date(`${date}T12:00:00Z`)),
      isToday: date === londonDate(now),
      people: [...byPerson.values()].sort((a, b) => a.staffName.localeCompare(b.staffName)),
    });
  }
  return {
    kind: 'calendar',
    weekOf: options.from,
    previousWeek: addCalendarDays(options.from, -7),
    nextWeek: addCalendarDays(options.from, 7),
    offices: mine,
    officeId: options.officeId ?? '',
    days,
    total: rows.length,
  };
}
