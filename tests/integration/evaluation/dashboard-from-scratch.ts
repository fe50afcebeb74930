import { sql, type SQL } from 'drizzle-orm';
import type { PortalDb } from '../../../db/client.ts';
import { calendarFor } from '../../../server/offices/calendar.ts';
import {
  feedbackSummary,
  type CountTable,
  type Dashboard,
  type ShareRow,
} from '../../../server/evaluation/dashboard.ts';
import {
  FIRST_CONTACT_OUTCOMES_SQL,
  LIVE_OUTCOME_SQL,
  MEET_PREFERENCES,
  MISSED_DEADLINE_REASONS,
  NATIONS,
  OUTCOMES,
  PRIORITIES,
  SOURCES,
  STAGES,
  type Code,
} from '../../../server/evaluation/definitions.ts';
import { londonDays, weekStartOf, type Period } from '../../../server/evaluation/period.ts';
import { median, percentile, workingClock, type WorkingClock } from '../../../server/evaluation/working-hours.ts';

/**
 * The evaluation dashboard as it was computed before referral_evaluation existed (the test oracle): every referral
 * of the period read from `referrals` with its first attempt, first reaching attempt and first appointment looked
 * up one by one (correlated subqueries), its outcome from status_changes, then counted in JavaScript. Slow at
 * 100,000 referrals, but computed from the casework tables themselves, so the fast dashboard
 * (server/evaluation/dashboard.ts) must give exactly the same Dashboard on the same data.
 */

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

/** Live and retained counts of one coded column, added together. */
function countBy(
  db: PortalDb,
  s: Scope,
  liveExpr: string,
  statsExpr: string,
): Array<{ code: string | null; n: number }> {
  return db.all<{ code: string | null; n: number }>(sql`
    SELECT code, SUM(n) AS n FROM (
      SELECT ${sql.raw(liveExpr)} AS code, COUNT(*) AS n FROM "referrals" r
      WHERE r."office_id" IN (${s.offices}) AND r."received_at" >= ${s.start} AND r."received_at" < ${s.end}
      GROUP BY 1
      UNION ALL
      SELECT ${sql.raw(statsExpr)} AS code, COUNT(*) AS n FROM "referral_statistics" t
      WHERE t."office_id" IN (${s.offices}) AND t."week_start" >= ${s.weekFrom} AND t."week_start" <= ${s.weekTo}
      GROUP BY 1
    ) GROUP BY code`);
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

interface LiveTiming {
  office_id: string;
  received_at: number;
  contact_by: number;
  priority: string;
  meet_preference: string;
  reached_at: number | null;
  first_attempt_at: number | null;
  first_appointment_at: number | null;
}

export function dashboardFromScratch(db: PortalDb, officeIds: readonly string[], period: Period, now: Date): Dashboard {
  const s: Scope = {
    offices: inList(officeIds),
    start: period.startMs,
    end: period.endMs,
    weekFrom: weekStartOf(period.from),
    weekTo: period.to,
  };
  const nowMs = now.getTime();

  // ---- Per-referral timings (MIN aggregates over the contact log and appointments) -----------------------
  const live = db.all<LiveTiming>(sql`
    SELECT r."office_id", r."received_at", r."contact_by", r."priority", r."meet_preference",
      (SELECT MIN(c."attempted_at") FROM "contact_attempts" c
        WHERE c."referral_id" = r."id" AND c."outcome" IN (${sql.raw(FIRST_CONTACT_OUTCOMES_SQL)})) AS reached_at,
      (SELECT MIN(c."attempted_at") FROM "contact_attempts" c WHERE c."referral_id" = r."id") AS first_attempt_at,
      (SELECT MIN(a."starts_at") FROM "appointments" a WHERE a."referral_id" = r."id") AS first_appointment_at
    FROM "referrals" r
    WHERE r."office_id" IN (${s.offices}) AND r."received_at" >= ${s.start} AND r."received_at" < ${s.end}`);

  const clocks = new Map<string, WorkingClock>();
  const clockFor = (officeId: string): WorkingClock => {
    let clock = clocks.get(officeId);
    if (!clock) {
      clock = workingClock(calendarFor(db, officeId), s.start, nowMs);
      clocks.set(officeId, clock);
    }
    return clock;
  };

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

  const days = londonDays(s.start, Math.max(s.end, nowMs));
  for (const row of live) {
    const week = days.weekStartOf(row.received_at);
    weekly.set(week, (weekly.get(week) ?? 0) + 1);
    const limit = days.sevenDayLimit(row.received_at);
    const b = bucket(row.priority);
    const reached = row.reached_at;
    const reachedInTime = reached !== null && reached <= limit;
    if (reachedInTime || nowMs > limit) {
      b.judged += 1;
      if (reachedInTime) b.within += 1;
      if (reached !== null && reached <= row.contact_by) b.byContactBy += 1;
    }
    if (reached !== null) b.hours.push(clockFor(row.office_id).hoursBetween(row.received_at, reached));
    if (row.contact_by < nowMs && (reached === null || reached > row.contact_by)) {
      const reason =
        row.first_attempt_at !== null && row.first_attempt_at <= row.contact_by
          ? 'attempts_did_not_reach'
          : 'no_attempt_in_time';
      missed.set(reason, (missed.get(reason) ?? 0) + 1);
    }
    const a = appt(row.meet_preference);
    a.referrals += 1;
    if (row.first_appointment_at !== null && row.first_appointment_at <= limit) a.within += 1;
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
  const sourceCounts = tally(
    SOURCES,
    countBy(db, s, `COALESCE(r."source", 'not_said')`, `COALESCE(t."source", 'not_said')`),
  );
  const stageCounts = tally(STAGES, countBy(db, s, 'r."stage"', 't."stage"'));
  const nationCounts = tally(NATIONS, countBy(db, s, 'r."nation"', 't."nation"'));
  const priorityCounts = tally(PRIORITIES, countBy(db, s, 'r."priority"', 't."priority"'));
  const changedCounts = tally(
    PRIORITIES,
    db.all<{ code: string; n: number }>(sql`
      SELECT code, SUM(n) AS n FROM (
        SELECT r."priority" AS code, COUNT(*) AS n FROM "referrals" r
        WHERE r."office_id" IN (${s.offices}) AND r."received_at" >= ${s.start} AND r."received_at" < ${s.end}
          AND EXISTS (SELECT 1 FROM "priority_overrides" o WHERE o."referral_id" = r."id")
        GROUP BY 1
        UNION ALL
        SELECT t."priority" AS code, COUNT(*) AS n FROM "referral_statistics" t WHERE ${statsWhere} AND t."priority_changed" = 1
        GROUP BY 1
      ) GROUP BY code`),
  );
  const outcomeCounts = tally(OUTCOMES, countBy(db, s, LIVE_OUTCOME_SQL, 't."outcome"'));

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

/** referral_evaluation as it should be: every referral's summary computed from its own rows. */
export const SUMMARY_FROM_SCRATCH_SQL = `
  SELECT r."id" AS referral_id, r."office_id", r."received_at", r."priority", r."contact_by", r."status",
    r."meet_preference", r."nation", r."stage", r."source",
    (SELECT MIN(c."attempted_at") FROM "contact_attempts" c WHERE c."referral_id" = r."id") AS first_attempt_at,
    (SELECT MIN(c."attempted_at") FROM "contact_attempts" c
      WHERE c."referral_id" = r."id" AND c."outcome" IN (${FIRST_CONTACT_OUTCOMES_SQL})) AS first_contact_at,
    (SELECT MIN(a."starts_at") FROM "appointments" a WHERE a."referral_id" = r."id") AS first_appointment_at,
    (SELECT COUNT(*) FROM "contact_attempts" c WHERE c."referral_id" = r."id") AS contact_attempts,
    (SELECT COUNT(*) FROM "appointments" a WHERE a."referral_id" = r."id") AS appointments,
    EXISTS (SELECT 1 FROM "priority_overrides" o WHERE o."referral_id" = r."id") AS priority_changed,
    (SELECT s."closed_reason" FROM "status_changes" s WHERE s."referral_id" = r."id" AND s."closed_reason" IS NOT NULL
      ORDER BY s."changed_at" DESC LIMIT 1) AS closed_reason
  FROM "referrals" r ORDER BY r."id"`;
