import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { caseworkerPatterns } from '../../db/schema/scheduling.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import { parseClockTime } from '../scheduling/calendar.ts';
import type { CaseworkerPattern, CaseworkerShift } from '../scheduling/types.ts';
import type { SqliteDb } from './db.ts';
import { OfficeSettingsError } from './errors.ts';

/** A generous ceiling that still catches a typo such as 300 for 3. */
export const MAX_FIRST_CONTACTS_PER_DAY_LIMIT = 20;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time such as 09:00');
const shiftSchema = z
  .object({ weekday: z.number().int().min(1).max(7), start: clockTime, end: clockTime })
  .refine((shift) => parseClockTime(shift.start) < parseClockTime(shift.end), 'a shift must end after it starts');

export const weeklyShiftsSchema = z.array(shiftSchema).superRefine((shifts, ctx) => {
  const byDay = new Map<number, Array<{ start: number; end: number }>>();
  for (const shift of shifts) {
    const list = byDay.get(shift.weekday) ?? [];
    const start = parseClockTime(shift.start);
    const end = parseClockTime(shift.end);
    if (list.some((other) => other.start < end && start < other.end)) {
      ctx.addIssue({ code: 'custom', message: `two shifts overlap on weekday ${shift.weekday}` });
    }
    list.push({ start, end });
    byDay.set(shift.weekday, list);
  }
});

export const caseworkerPatternInputSchema = z.object({
  weekly: weeklyShiftsSchema,
  maxFirstContactsPerDay: z
    .number()
    .int('expected a whole number of first contacts a day')
    .min(0, 'expected 0 or more first contacts a day')
    .max(MAX_FIRST_CONTACTS_PER_DAY_LIMIT, `expected at most ${MAX_FIRST_CONTACTS_PER_DAY_LIMIT} first contacts a day`),
});

export type CaseworkerPatternInput = z.infer<typeof caseworkerPatternInputSchema>;

function parseShifts(json: string): CaseworkerShift[] {
  return weeklyShiftsSchema.parse(JSON.parse(json)) as CaseworkerShift[];
}

export function getCaseworkerPattern(db: SqliteDb, staffId: string): CaseworkerPattern | null {
  const row = db.select().from(caseworkerPatterns).where(eq(caseworkerPatterns.staffId, staffId)).get();
  if (!row) return null;
  return { staffId, weekly: parseShifts(row.weeklyShiftsJson), maxFirstContactsPerDay: row.maxFirstContactsPerDay };
}

/** Creates or replaces when a member of staff can make first contacts. 0 a day keeps the pattern but books nobody. */
export function setCaseworkerPattern(
  db: SqliteDb,
  staffId: string,
  input: CaseworkerPatternInput,
  now: Date,
): CaseworkerPattern {
  if (!db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, staffId)).get()) {
    throw new OfficeSettingsError('There is no such member of staff.');
  }
  const parsed = caseworkerPatternInputSchema.safeParse(input);
  if (!parsed.success) throw new OfficeSettingsError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const weekly = [...(parsed.data.weekly as CaseworkerShift[])].sort(
    (a, b) => a.weekday - b.weekday || parseClockTime(a.start) - parseClockTime(b.start),
  );
  const values = {
    weeklyShiftsJson: JSON.stringify(weekly),
    maxFirstContactsPerDay: parsed.data.maxFirstContactsPerDay,
    updatedAt: now,
  };
  db.insert(caseworkerPatterns)
    .values({ staffId, ...values })
    .onConflictDoUpdate({ target: caseworkerPatterns.staffId, set: values })
    .run();
  return { staffId, weekly, maxFirstContactsPerDay: parsed.data.maxFirstContactsPerDay };
}

export function removeCaseworkerPattern(db: SqliteDb, staffId: string): boolean {
  return db.delete(caseworkerPatterns).where(eq(caseworkerPatterns.staffId, staffId)).run().changes > 0;
}

export interface OfficeCaseworker extends CaseworkerPattern {
  name: string;
}

/**
 * Who can take first contacts for an office: active staff linked to it who have a pattern, in name order
 * (proposeSlot breaks ties by this order after the day's load).
 */
export function caseworkersForOffice(db: SqliteDb, officeId: string): OfficeCaseworker[] {
  const rows = db
    .select({
      staffId: staffUsers.id,
      name: staffUsers.name,
      weeklyShiftsJson: caseworkerPatterns.weeklyShiftsJson,
      maxFirstContactsPerDay: caseworkerPatterns.maxFirstContactsPerDay,
    })
    .from(staffOffices)
    .innerJoin(staffUsers, eq(staffUsers.id, staffOffices.staffId))
    .innerJoin(caseworkerPatterns, eq(caseworkerPatterns.staffId, staffUsers.id))
    .where(and(eq(staffOffices.officeId, officeId), eq(staffUsers.status, 'active')))
    .orderBy(asc(staffUsers.name), asc(staffUsers.id))
    .all();
  return rows.map((row) => ({
    staffId: row.staffId,
    name: row.name,
    weekly: parseShifts(row.weeklyShiftsJson),
    maxFirstContactsPerDay: row.maxFirstContactsPerDay,
  }));
}

/** Patterns for a list of staff (for an admin page listing several people). */
export function caseworkerPatternsFor(db: SqliteDb, staffIds: string[]): CaseworkerPattern[] {
  if (staffIds.length === 0) return [];
  return db
    .select()
    .from(caseworkerPatterns)
    .where(inArray(caseworkerPatterns.staffId, staffIds))
    .all()
    .map((row) => ({
      staffId: row.staffId,
      weekly: parseShifts(row.weeklyShiftsJson),
      maxFirstContactsPerDay: row.maxFirstContactsPerDay,
    }));
}
