import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { decryptTriage } from '../referrals/store.ts';
import { calendarFor } from '../offices/calendar.ts';
import {
  FIRST_CONTACT_OUTCOMES_SQL,
  FLAGS,
  LIVE_OUTCOME_SQL,
  MEET_PREFERENCES,
  MISSED_DEADLINE_REASONS,
  NATIONS,
  OUTCOMES,
  PRIORITIES,
  SOURCES,
  STAGES,
  type Code,
} from './definitions.ts';
import { isoWeekOf, londonDays, weekStartOf, type Period } from './period.ts';
import { workingClock, type WorkingClock } from './working-hours.ts';

/**
 * The de-identified research export: one row per referral, coded fields only. THE definition of its columns:
 * the CSV and docs/data-dictionary.md are both generated from RESEARCH_COLUMNS, so they cannot drift.
 *
 * Never in it: names, contact details, free text, exact dates or times, references or referral ids. Each row
 * gets a random id made for this export only and kept nowhere, so two exports cannot be joined and a row cannot
 * be traced back. Rows are sorted by that id, so their order says nothing either.
 */

export interface ResearchFacts {
  office: string;
  isoWeek: string;
  nation: string;
  stage: string;
  source: string;
  priority: string;
  priorityChanged: boolean;
  meetPreference: string;
  flags: string[] | null;
  outcome: string;
  workingHours: number | null;
  within7Days: boolean | null;
  metContactBy: boolean | null;
  missedReason: string | null;
  appointmentWithin7Days: boolean;
  attempts: number;
  appointments: number;
}

export interface ResearchColumn {
  name: string;
  description: string;
  /** The codes it can hold, or a description of its format. */
  values: readonly Code[] | string;
  value(facts: ResearchFacts, rowId: string): string;
}

const yesNo = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');
const YES_NO_BLANK = '`yes`, `no`, or empty when he was never reached.';

export const RESEARCH_COLUMNS: readonly ResearchColumn[] = [
  {
    name: 'row_id',
    description: 'A random id made for this export only. It is stored nowhere and links to nothing.',
    values: 'Random UUID, different in every export.',
    value: (_, id) => id,
  },
  {
    name: 'office',
    description: 'The office that owned the referral.',
    values: 'Office code, e.g. `leeds`, `manchester`.',
    value: (f) => f.office,
  },
  {
    name: 'iso_week_received',
    description: 'The ISO week the referral arrived in (never the day).',
    values: 'ISO week, e.g. `2026-W49`.',
    value: (f) => f.isoWeek,
  },
  { name: 'nation', description: 'The UK nation he lives in.', values: NATIONS, value: (f) => f.nation },
  {
    name: 'stage',
    description: 'Where he was with the police or courts when he referred.',
    values: STAGES,
    value: (f) => f.stage,
  },
  { name: 'source', description: 'How he heard about the service.', values: SOURCES, value: (f) => f.source },
  {
    name: 'priority',
    description: 'How soon first contact was due (the priority now, or when the referral was deleted).',
    values: PRIORITIES,
    value: (f) => f.priority,
  },
  {
    name: 'priority_changed',
    description: 'Whether staff changed the priority triage gave.',
    values: '`yes` or `no`.',
    value: (f) => yesNo(f.priorityChanged),
  },
  {
    name: 'meet_preference',
    description: 'When he wanted to start.',
    values: MEET_PREFERENCES,
    value: (f) => f.meetPreference,
  },
  {
    name: 'flags',
    description: 'Coded triage flags, separated by `|`, in a fixed order. Empty when none; `unknown` when unreadable.',
    values: FLAGS,
    value: (f) =>
      f.flags === null
        ? 'unknown'
        : FLAGS.filter((c) => f.flags!.includes(c.code))
            .map((c) => c.code)
            .join('|'),
  },
  {
    name: 'outcome',
    description: 'How the referral ended, or where it is now.',
    values: OUTCOMES,
    value: (f) => f.outcome,
  },
  {
    name: 'working_hours_to_first_contact',
    description: 'Office working hours from the referral to the first contact that reached him, to 1 decimal place.',
    values: 'Number, or empty when he was never reached.',
    value: (f) => (f.workingHours === null ? '' : (Math.round(f.workingHours * 10) / 10).toFixed(1)),
  },
  {
    name: 'contacted_within_7_days',
    description: 'First reached within 7 calendar days of the referral.',
    values: YES_NO_BLANK,
    value: (f) => yesNo(f.within7Days),
  },
  {
    name: 'met_contact_by',
    description: 'First reached by the contact-by time triage set.',
    values: YES_NO_BLANK,
    value: (f) => yesNo(f.metContactBy),
  },
  {
    name: 'missed_deadline_reason',
    description: 'Why the contact-by time was missed, when it was.',
    values: MISSED_DEADLINE_REASONS,
    value: (f) => f.missedReason ?? '',
  },
  {
    name: 'appointment_within_7_days',
    description: 'An appointment was offered for a time within 7 calendar days of the referral.',
    values: '`yes` or `no`.',
    value: (f) => yesNo(f.appointmentWithin7Days),
  },
  {
    name: 'contact_attempts',
    description: 'Number of attempts to contact him.',
    values: 'Whole number.',
    value: (f) => String(f.attempts),
  },
  {
    name: 'appointments',
    description: 'Number of appointments booked.',
    values: 'Whole number.',
    value: (f) => String(f.appointments),
  },
];

/** A spreadsheet must never run a cell as a formula: cells starting =, +, -, @, tab or CR get a leading '. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

interface LiveRow {
  id: string;
  triage_enc: string;
  office_id: string;
  received_at: number;
  contact_by: number;
  nation: string;
  stage: string;
  source: string | null;
  priority: string;
  meet_preference: string;
  outcome: string;
  changed: number;
  reached_at: number | null;
  first_attempt_at: number | null;
  first_appointment_at: number | null;
  attempts: number;
  appointments: number;
}

interface StatsRow {
  office_id: string;
  iso_week_received: string;
  nation: string;
  stage: string;
  source: string | null;
  priority: string;
  priority_changed: number;
  meet_preference: string;
  flags: string;
  outcome: string;
  working_hours_to_first_contact: number | null;
  contacted_within_7_days: number | null;
  met_contact_by: number | null;
  missed_deadline_reason: string | null;
  appointment_within_7_days: number;
  contact_attempts: number;
  appointments: number;
}

const bool = (v: number | null): boolean | null => (v === null ? null : v === 1);

/** Every referral (live and retained) in the offices and period, as coded facts. */
export function researchFacts(
  db: PortalDb,
  keyring: Keyring,
  officeIds: readonly string[],
  period: Period,
  now: Date,
): ResearchFacts[] {
  const offices = sql.join(
    (officeIds.length ? officeIds : ['-']).map((id) => sql`${id}`),
    sql`, `,
  );
  const live = db.all<LiveRow>(sql`
    SELECT r."id", r."triage_enc", r."office_id", r."received_at", r."contact_by", r."nation", r."stage", r."source",
      r."priority", r."meet_preference", ${sql.raw(LIVE_OUTCOME_SQL)} AS outcome,
      EXISTS (SELECT 1 FROM "priority_overrides" o WHERE o."referral_id" = r."id") AS changed,
      (SELECT MIN(c."attempted_at") FROM "contact_attempts" c
        WHERE c."referral_id" = r."id" AND c."outcome" IN (${sql.raw(FIRST_CONTACT_OUTCOMES_SQL)})) AS reached_at,
      (SELECT MIN(c."attempted_at") FROM "contact_attempts" c WHERE c."referral_id" = r."id") AS first_attempt_at,
      (SELECT MIN(a."starts_at") FROM "appointments" a WHERE a."referral_id" = r."id") AS first_appointment_at,
      (SELECT COUNT(*) FROM "contact_attempts" c WHERE c."referral_id" = r."id") AS attempts,
      (SELECT COUNT(*) FROM "appointments" a WHERE a."referral_id" = r."id") AS appointments
    FROM "referrals" r
    WHERE r."office_id" IN (${offices}) AND r."received_at" >= ${period.startMs} AND r."received_at" < ${period.endMs}`);
  const clocks = new Map<string, WorkingClock>();
  const clockFor = (officeId: string) => {
    let clock = clocks.get(officeId);
    if (!clock) clocks.set(officeId, (clock = workingClock(calendarFor(db, officeId), period.startMs, now.getTime())));
    return clock;
  };
  const nowMs = now.getTime();
  const days = londonDays(period.startMs, Math.max(period.endMs, nowMs));
  const facts: ResearchFacts[] = live.map((r) => {
    let flags: string[] | null;
    try {
      flags = decryptTriage(keyring, r.id, r.triage_enc).result.flags.map((f) => f.id);
    } catch {
      flags = null;
    }
    const limit = days.sevenDayLimit(r.received_at);
    const reached = r.reached_at;
    const missed = r.contact_by < nowMs && (reached === null || reached > r.contact_by);
    return {
      office: r.office_id,
      isoWeek: isoWeekOf(days.dateOf(r.received_at)),
      nation: r.nation,
      stage: r.stage,
      source: r.source ?? 'not_said',
      priority: r.priority,
      priorityChanged: r.changed === 1,
      meetPreference: r.meet_preference,
      flags,
      outcome: OUTCOMES.some((o) => o.code === r.outcome) ? r.outcome : 'other',
      workingHours: reached === null ? null : clockFor(r.office_id).hoursBetween(r.received_at, reached),
      within7Days: reached === null ? null : reached <= limit,
      metContactBy: reached === null ? null : reached <= r.contact_by,
      missedReason: !missed
        ? null
        : r.first_attempt_at !== null && r.first_attempt_at <= r.contact_by
          ? 'attempts_did_not_reach'
          : 'no_attempt_in_time',
      appointmentWithin7Days: r.first_appointment_at !== null && r.first_appointment_at <= limit,
      attempts: r.attempts,
      appointments: r.appointments,
    };
  });
  const stats = db.all<StatsRow>(sql`
    SELECT * FROM "referral_statistics" t
    WHERE t."office_id" IN (${offices}) AND t."week_start" >= ${weekStartOf(period.from)} AND t."week_start" <= ${period.to}`);
  for (const t of stats) {
    facts.push({
      office: t.office_id,
      isoWeek: t.iso_week_received,
      nation: t.nation,
      stage: t.stage,
      source: t.source ?? 'not_said',
      priority: t.priority,
      priorityChanged: t.priority_changed === 1,
      meetPreference: t.meet_preference,
      flags: t.flags === '' ? [] : t.flags.split(',').map((f) => f.trim()),
      outcome: OUTCOMES.some((o) => o.code === t.outcome) ? t.outcome : 'other',
      workingHours: t.working_hours_to_first_contact,
      within7Days: bool(t.contacted_within_7_days),
      metContactBy: bool(t.met_contact_by),
      missedReason: t.missed_deadline_reason,
      appointmentWithin7Days: t.appointment_within_7_days === 1,
      attempts: t.contact_attempts,
      appointments: t.appointments,
    });
  }
  return facts;
}

/** The CSV: a header of column names, then one line per referral in random order. */
export function researchCsv(facts: readonly ResearchFacts[]): { csv: string; rows: number } {
  const rows = facts
    .map((f) => {
      const id = randomUUID();
      return { id, cells: RESEARCH_COLUMNS.map((c) => c.value(f, id)) };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    csv: csvLine(RESEARCH_COLUMNS.map((c) => c.name)) + rows.map((r) => csvLine(r.cells)).join(''),
    rows: rows.length,
  };
}
