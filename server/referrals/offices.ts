import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { offices } from '../../db/schema/offices.ts';
import { organisation } from '../../site/facts/organisation.ts';
import { defaultCalendarConfig, type CalendarConfig } from '../scheduling/calendar.ts';
import type { ReferralAnswers } from './questions.ts';

// The app's database or a transaction inside it.
type OfficesWriter = Pick<BetterSQLite3Database<Record<string, unknown>>, 'insert'>;

/**
 * Remote referrals (phone or video, from anywhere in the UK) still need an office that owns them: its
 * staff get the alert, its calendar sets the deadline, its inbox shows it. Leeds is the default; the
 * referral keeps `office_preference = 'remote'` so staff can see what he chose and move it.
 */
export const DEFAULT_OFFICE_ID = 'leeds';

export function officeIdFor(preference: ReferralAnswers['office']): string {
  return preference === 'remote' ? DEFAULT_OFFICE_ID : preference;
}

/**
 * The working calendar for an office's deadlines. For now every office uses the England and Wales default
 * (09:00-17:00 on working days, English bank holidays); the alerts work replaces this, through the referral
 * service's `calendarFor` dependency, with calendars kept per office in the database.
 */
export function defaultCalendarFor(_officeId: string): CalendarConfig {
  return defaultCalendarConfig('england-and-wales');
}

/**
 * Makes sure the offices referrals can be routed to exist (Leeds and Manchester, from the organisation
 * config). Idempotent: existing rows, and any changes staff made to them, are left alone.
 */
export function ensureDefaultOffices(db: OfficesWriter, now: Date): number {
  let added = 0;
  for (const office of organisation.offices) {
    const result = db
      .insert(offices)
      .values({ id: office.id, name: office.name, nation: office.nation, createdAt: now })
      .onConflictDoNothing({ target: offices.id })
      .run();
    added += result.changes;
  }
  return added;
}
