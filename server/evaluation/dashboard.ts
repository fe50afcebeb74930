import { sql, type SQL } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { calendarFor } from '../offices/calendar.ts';
import { FEEDBACK_QUESTIONS, FEEDBACK_SCALE } from '../feedback/questions.ts';
import {
  MEET_PREFERENCES,
  MISSED_DEADLINE_REASONS,
  NATIONS,
  OUTCOMES,
  PRIORITIES,
  SOURCES,
  STAGES,
  SUMMARY_OUTCOME_SQL,
  type Code,
} from './definitions.ts';
import { weekStartOf, type Period } from './period.ts';
import { addCalendarDays, startOfLondonDate } from '../scheduling/calendar.ts';
import { median, percentile, workingClock, type WorkingClock } from './working-hours.ts';

/**
 * Every dashboard measure for a set of offices and a period, as raw counts. Counts come from SQL aggregates over
 * the live tables PLUS the de-identified `referral_statistics` rows retention keeps for deleted referrals (the two
 * never overlap, so they are added). Live referrals count by the London date they arrived; retained rows by the
 * ISO week (all they keep), so a period counts the retained rows of every week that starts inside it.
 *
 * Numbers here are exact; suppression (server/evaluation/suppression.ts) is applied by whoever shows them.
 */

export interface CountTable {
  id: string;
  title: string;
  /** What the chart shows, in words (the SVG's description). */
  description: string;
  /** The row heading, e.g. "Week starting". */
  rowHeading: string;
  columns: string[];
  rows: Array<{ code: string; label: string; values: number[] }>;
}

export interface ShareRow {
  code: string;
  label: string;
  /** Referrals that can be judged (reached, or their time is over). */
  judged: number;
  within7Days: number;
  byContactBy: number;
  /** Reached at all, and the working hours it took. */
  reached: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface AppointmentRow {
  code: string;
  label: string;
  referrals: number;
  within7Days: number;
}

export interface FeedbackSummary {
  responses: number;
  questions: Array<{ id: string; text: string; counts: number[]; skipped: number }>;
}

export interface Dashboard {
  total: number;
  tables: {
    weekly: CountTable;
    source: CountTable;
    stage: CountTable;
    nation: CountTable;
    priority: CountTable;
    missed: CountTable;
    outcomes: CountTable;
  };
  firstContact: ShareRow[];
  appointments: AppointmentRow[];
  feedback: FeedbackSummary;
}

const inList = (values: readonly string[]): SQL =>
  sql.join(
    (values.length ? values : ['-']).map((v) => sql`${v}`),
    sql`, `,
  );

interface Scope {
  offices: SQL;
  start: number;
  end: number;
  weekFrom: string;
  weekTo: string;
}

function tally(codes: readonly Code[], rows: Array<{ code: string | null; n: number }>, fallback = 'other'): number[] {
  const counts = codes.map(() => 0);
  for (const row of rows) {
    let index = codes.findIndex((c) => c.code === row.code);
    if (index === -1) index = codes.findIndex((c) => c.code === fallback);
    if (index !== -1) counts[index]! += row.n;
  }
  return counts;
}

/** Live counts of one coded column (tallied from the period's rows) and retained counts, added together. */
function countBy(
  db: PortalDb,
  s: Scope,
  live: Map<string, number>,
  statsExpr: string,
): Array<{ code: string | null; n: number }> {
  const retained = db.all<{ code: string | null; n: number }>(sql`
    SELECT ${sql.raw(statsExpr)} AS code, COUNT(*) AS n FROM "referral_statistics" t
    WHERE t."office_id" IN (${s.offices}) AND t."week_start" >= ${s.weekFrom} AND t."week_start" <= ${s.weekTo}
    GROUP BY 1`);
  return [...[...live].map(([code, n]) => ({ code, n })), ...retained];
}

function codeTable(
  id: string,
  title: string,
  description: string,
  rowHeading: string,
  codes: readonly Code[],
  counts: number[],
): CountTable {
  return {
    id,
    title,
    description,
    rowHeading,
    columns: ['Referrals'],
    rows: codes.map((c, i) => ({ code: c.code, label: c.label, values: [counts[i]!] })),
  };
}

/** One London day of the period: its instants, its 7-day limit and its week (see londonDays in period.ts). */
type Day = [start: number, end: number, limit: number, week: string];

function periodDays(period: Period): Day[] {
  const dates: string[] = [];
  const starts: number[] = [];
  const last = addCalendarDays(period.to, 9);
  for (let date = period.from; date <= last; date = addCalendarDays(date, 1)) {
    dates.push(date);
    starts.push(startOfLondonDate(date).getTime());
  }
  const days: Day[] = [];
  for (let i = 0; dates[i]! <= period.to; i++)
    days.push([starts[i]!, starts[i + 1]!, starts[i + 8]! - 1, weekStartOf(dates[i]!)]);
  return days;
}

interface LiveGroup {
  week: string;
  priority: string;
  meet_preference: string;
  n: number;
  changed: number;
  judged: number;
  within: number;
  by_contact_by: number;
  missed_no_attempt: number;
  missed_attempts_did_not_reach: number;
  appointment_within: number;
}

export function evaluationDashboard(db: PortalDb, officeIds: readonly string[], period: Period, now: Date): Dashboard {
  const s: Scope = {
    offices: inList(officeIds),
    start: period.startMs,
    end: period.endMs,
    weekFrom: weekStartOf(period.from),
    weekTo: period.to,
  };
  const nowMs = now.getTime();

  // ---- Live referrals: one grouped pass over referral_evaluation (db/schema/evaluation.ts) ------------------
  // Each London day of the period is joined to its referrals by a range of the covering index, so a referral's
  // 7-day limit (the end of the 7th calendar day after the day he referred) and week come from its day. A referral
  // is judged once he is reached within 7 days or the 7 days are over; a deadline is missed when the contact-by
  // time passed without a reaching attempt (reason: whether anyone tried before it).
  // Our own numbers and ISO dates, written into the statement (hundreds of bound values cost more to build).
  const days = sql.raw(
    periodDays(period)
      .map((d) => `(${d[0]}, ${d[1]}, ${d[2]}, '${d[3]}')`)
      .join(', '),
  );
  const live = db.all<LiveGroup>(sql`
    WITH d AS (
      SELECT column1 AS day_start, column2 AS day_end, column3 AS lim, column4 AS week
      FROM (VALUES ${days})
    ), j AS (
      SELECT d.week, d.lim, e."priority", e."meet_preference", e."contact_by", e."first_contact_at" AS reached,
        e."first_attempt_at" AS tried, e."first_appointment_at" AS appt, e."priority_changed" AS changed,
        (e."first_contact_at" IS NOT NULL AND e."first_contact_at" <= d.lim) AS in_time
      FROM d CROSS JOIN "referral_evaluation" e
      WHERE e."office_id" IN (${s.offices}) AND e."received_at" >= d.day_start AND e."received_at" < d.day_end
    )
    SELECT week, "priority", "meet_preference", COUNT(*) AS n, SUM(changed) AS changed,
      SUM(CASE WHEN in_time OR ${nowMs} > lim THEN 1 ELSE 0 END) AS judged,
      SUM(in_time) AS within,
      SUM(CASE WHEN (in_time OR ${nowMs} > lim) AND reached <= "contact_by" THEN 1 ELSE 0 END) AS by_contact_by,
      SUM(CASE WHEN "contact_by" < ${nowMs} AND (reached IS NULL OR reached > "contact_by")
        AND (tried IS NULL OR tried > "contact_by") THEN 1 ELSE 0 END) AS missed_no_attempt,
      SUM(CASE WHEN "contact_by" < ${nowMs} AND (reached IS NULL OR reached > "contact_by")
        AND tried <= "contact_by" THEN 1 ELSE 0 END) AS missed_attempts_did_not_reach,
      SUM(CASE WHEN appt <= lim THEN 1 ELSE 0 END) AS appointment_within
    FROM j GROUP BY 1, 2, 3`);

  const weekly = new Map<string, number>();
  const byPriority = new Map<string, { judged: number; within: number; byContactBy: number; hours: number[] }>();
  const bucket = (code: string) => {
    let b = byPriority.get(code);
    if (!b) byPriority.set(code, (b = { judged: 0, within: 0, byContactBy: 0, hours: [] }));
    return b;
  };
  const missed = new Map<string, number>();
  const appointments = new Map<string, { referrals: number; within: number }>();
  const appt = (code: string) => {
    let a = appointments.get(code);
    if (!a) appointments.set(code, (a = { referrals: 0, within: 0 }));
    return a;
  };
  const livePriority = new Map<string, { n: number; changed: number }>();
  for (const g of live) {
    weekly.set(g.week, (weekly.get(g.week) ?? 0) + g.n);
    const p = livePriority.get(g.priority) ?? { n: 0, changed: 0 };
    livePriority.set(g.priority, { n: p.n + g.n, changed: p.changed + g.changed });
    const b = bucket(g.priority);
    b.judged += g.judged;
    b.within += g.within;
    b.byContactBy += g.by_contact_by;
    missed.set('no_attempt_in_time', (missed.get('no_attempt_in_time') ?? 0) + g.missed_no_attempt);
    missed.set('attempts_did_not_reach', (missed.get('attempts_did_not_reach') ?? 0) + g.missed_attempts_did_not_reach);
    const a = appt(g.meet_preference);
    a.referrals += g.n;
    a.within += g.appointment_within;
  }

  // One more pass over the period's rows, as plain arrays: the category counts (a JavaScript tally is cheaper than
  // one sorted GROUP BY per category) and the working hours to first contact, which need each office's calendar
  // (hours, closures, bank holidays): a per-office clock answers each by binary search.
  const clocks = new Map<string, WorkingClock>();
  const clockFor = (officeId: string): WorkingClock => {
    let clock = clocks.get(officeId);
    if (!clock) {
      clock = workingClock(calendarFor(db, officeId), s.start, nowMs);
      clocks.set(officeId, clock);
    }
    return clock;
  };
  const categories = {
    source: new Map<string, number>(),
    stage: new Map<string, number>(),
    nation: new Map<string, number>(),
    outcome: new Map<string, number>(),
  };
  const add = (map: Map<string, number>, code: string) => map.set(code, (map.get(code) ?? 0) + 1);
  const placeholders = officeIds.map(() => '?').join(', ') || "'-'";
  const liveRows = db.$client
    .prepare(
      `SELECT e."office_id", e."priority", e."received_at", e."first_contact_at", COALESCE(e."source", 'not_said'),
        e."stage", e."nation", ${SUMMARY_OUTCOME_SQL}
      FROM "referral_evaluation" e
      WHERE e."office_id" IN (${placeholders}) AND e."received_at" >= ? AND e."received_at" < ?`,
    )
    .raw(true)
    .all(...officeIds, s.start, s.end) as Array<
    [string, string, number, number | null, string, string, string, string]
  >;
  for (const [officeId, priority, receivedAt, reachedAt, source, stage, nation, outcome] of liveRows) {
    add(categories.source, source);
    add(categories.stage, stage);
    add(categories.nation, nation);
    add(categories.outcome, outcome);
    if (reachedAt !== null) bucket(priority).hours.push(clockFor(officeId).hoursBetween(receivedAt, reachedAt));
  }

  // ---- The same from retained statistics rows (SQL aggregates) ---------------------------------------------
  const statsWhere = sql`t."office_id" IN (${s.offices}) AND t."week_start" >= ${s.weekFrom} AND t."week_start" <= ${s.weekTo}`;
  for (const row of db.all<{ week: string; n: number }>(
    sql`SELECT t."week_start" AS week, COUNT(*) AS n FROM "referral_statistics" t WHERE ${statsWhere} GROUP BY 1`,
  ))
    weekly.set(row.week, (weekly.get(row.week) ?? 0) + row.n);
  for (const row of db.all<{ priority: string; n: number; within: number; by_contact_by: number }>(sql`
    SELECT t."priority", COUNT(*) AS n, SUM(COALESCE(t."contacted_within_7_days", 0)) AS within,
      SUM(COALESCE(t."met_contact_by", 0)) AS by_contact_by
    FROM "referral_statistics" t WHERE ${statsWhere} GROUP BY 1`)) {
    const b = bucket(row.priority);
    b.judged += row.n;
    b.within += row.within;
    b.byContactBy += row.by_contact_by;
  }
  for (const row of db.all<{ priority: string; hours: number }>(sql`
    SELECT t."priority", t."working_hours_to_first_contact" AS hours FROM "referral_statistics" t
    WHERE ${statsWhere} AND t."working_hours_to_first_contact" IS NOT NULL`))
    bucket(row.priority).hours.push(row.hours);
  for (const row of db.all<{ reason: string; n: number }>(sql`
    SELECT t."missed_deadline_reason" AS reason, COUNT(*) AS n FROM "referral_statistics" t
    WHERE ${statsWhere} AND t."missed_deadline_reason" IS NOT NULL GROUP BY 1`)) {
    const code = MISSED_DEADLINE_REASONS.some((r) => r.code === row.reason) ? row.reason : 'other';
    missed.set(code, (missed.get(code) ?? 0) + row.n);
  }
  for (const row of db.all<{ pref: string; n: number; within: number }>(sql`
    SELECT t."meet_preference" AS pref, COUNT(*) AS n, SUM(t."appointment_within_7_days") AS within
    FROM "referral_statistics" t WHERE ${statsWhere} GROUP BY 1`)) {
    const a = appt(row.pref);
    a.referrals += row.n;
    a.within += row.within;
  }

  // ---- Category counts ------------------------------------------------------------------------------------
  const sourceCounts = tally(SOURCES, countBy(db, s, categories.source, `COALESCE(t."source", 'not_said')`));
  const stageCounts = tally(STAGES, countBy(db, s, categories.stage, 't."stage"'));
  const nationCounts = tally(NATIONS, countBy(db, s, categories.nation, 't."nation"'));
  // Priority mix and changes: live from the grouped pass above, retained rows here.
  const priorityRows = [...livePriority].map(([code, p]) => ({ code, n: p.n }));
  const changedRows = [...livePriority].map(([code, p]) => ({ code, n: p.changed }));
  for (const row of db.all<{ code: string; n: number; changed: number }>(sql`
    SELECT t."priority" AS code, COUNT(*) AS n, SUM(t."priority_changed") AS changed
    FROM "referral_statistics" t WHERE ${statsWhere} GROUP BY 1`)) {
    priorityRows.push({ code: row.code, n: row.n });
    changedRows.push({ code: row.code, n: row.changed });
  }
  const priorityCounts = tally(PRIORITIES, priorityRows);
  const changedCounts = tally(PRIORITIES, changedRows);
  const outcomeCounts = tally(OUTCOMES, countBy(db, s, categories.outcome, 't."outcome"'));

  // ---- Weeks: every week in the period, even empty ones ------------------------------------------------------
  const weeks: string[] = [];
  for (let week = weekStartOf(period.from); week <= period.to;) {
    weeks.push(week);
    const next = new Date(`${week}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 7);
    week = next.toISOString().slice(0, 10);
  }
  const total = [...weekly.values()].reduce((a, b) => a + b, 0);

  const shareRows: ShareRow[] = PRIORITIES.map((p) => {
    const b = byPriority.get(p.code) ?? { judged: 0, within: 0, byContactBy: 0, hours: [] };
    const sorted = [...b.hours].sort((x, y) => x - y);
    return {
      code: p.code,
      label: p.label,
      judged: b.judged,
      within7Days: b.within,
      byContactBy: b.byContactBy,
      reached: sorted.length,
      medianHours: median(sorted),
      p90Hours: percentile(sorted, 90),
    };
  });
  const allHours = PRIORITIES.flatMap((p) => byPriority.get(p.code)?.hours ?? []).sort((x, y) => x - y);
  shareRows.push({
    code: 'all',
    label: 'All priorities',
    judged: shareRows.reduce((a, r) => a + r.judged, 0),
    within7Days: shareRows.reduce((a, r) => a + r.within7Days, 0),
    byContactBy: shareRows.reduce((a, r) => a + r.byContactBy, 0),
    reached: allHours.length,
    medianHours: median(allHours),
    p90Hours: percentile(allHours, 90),
  });

  return {
    total,
    tables: {
      weekly: {
        id: 'weekly',
        title: 'Referrals per week',
        description: 'Number of referrals received in each week of the period.',
        rowHeading: 'Week starting',
        columns: ['Referrals'],
        rows: weeks.map((week) => ({ code: week, label: week, values: [weekly.get(week) ?? 0] })),
      },
      source: codeTable(
        'source',
        'How people heard about us',
        'Referrals by where he heard about the service.',
        'Heard from',
        SOURCES,
        sourceCounts,
      ),
      stage: codeTable(
        'stage',
        'Stage with the police or courts when he referred',
        'Referrals by where he was in the criminal justice process when he referred.',
        'Stage',
        STAGES,
        stageCounts,
      ),
      nation: codeTable('nation', 'Where he lives', 'Referrals by UK nation.', 'Nation', NATIONS, nationCounts),
      priority: {
        id: 'priority',
        title: 'Priority mix',
        description: 'Referrals by priority, and how many of them had their priority changed by staff.',
        rowHeading: 'Priority',
        columns: ['Referrals', 'Priority changed by staff'],
        rows: PRIORITIES.map((p, i) => ({
          code: p.code,
          label: p.label,
          values: [priorityCounts[i]!, changedCounts[i]!],
        })),
      },
      missed: codeTable(
        'missed',
        'Why first-contact deadlines were missed',
        'Referrals not reached by their contact-by time, by reason.',
        'Reason',
        MISSED_DEADLINE_REASONS,
        MISSED_DEADLINE_REASONS.map((r) => missed.get(r.code) ?? 0),
      ),
      outcomes: codeTable(
        'outcomes',
        'Outcomes',
        'Referrals by how they ended, or where they are now.',
        'Outcome',
        OUTCOMES,
        outcomeCounts,
      ),
    },
    firstContact: shareRows,
    appointments: MEET_PREFERENCES.map((m) => ({
      code: m.code,
      label: m.label,
      referrals: appointments.get(m.code)?.referrals ?? 0,
      within7Days: appointments.get(m.code)?.within ?? 0,
    })),
    feedback: feedbackSummary(db, officeIds, period),
  };
}

/** Answers to each feedback question in the period (counts per point of the scale, and skips). */
export function feedbackSummary(db: PortalDb, officeIds: readonly string[], period: Period): FeedbackSummary {
  const where = sql`"office_id" IN (${inList(officeIds)}) AND "week_start" >= ${weekStartOf(period.from)} AND "week_start" <= ${period.to}`;
  const responses = db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM "feedback_responses" WHERE ${where}`)?.n ?? 0;
  const questions = FEEDBACK_QUESTIONS.map((q) => {
    const rows = db.all<{ v: number | null; n: number }>(
      sql`SELECT ${sql.identifier(q.column)} AS v, COUNT(*) AS n FROM "feedback_responses" WHERE ${where} GROUP BY 1`,
    );
    return {
      id: q.id,
      text: q.text,
      counts: FEEDBACK_SCALE.map((point) => rows.find((r) => r.v === point.value)?.n ?? 0),
      skipped: rows.filter((r) => r.v === null).reduce((a, r) => a + r.n, 0),
    };
  });
  return { responses, questions };
}
