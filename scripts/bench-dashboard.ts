/**
 * Evaluation dashboard benchmark: seeds a temporary database with 100,000 referrals (by default) spread over three
 * years, with contact attempts, appointments, closings, priority changes and retained statistics rows, then reports
 * p50/p95 for the dashboard's measures and for the rendered page (through the real app, session and Astro).
 *
 *   npm run bench:dashboard
 *   npm run bench:dashboard -- --referrals 20000 --iterations 50
 *
 * `benchDashboard()` is exported for the combined `npm run bench`. It prints figures; it never fails on a slow
 * result. Budget: the page's p95 under 250 ms.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { loadEntryPointConfig } from '../server/config.ts';
import { ensureSiteBuilt } from './site-build.ts';
import { appointments, contactAttempts, priorityOverrides, statusChanges } from '../db/schema/casework.ts';
import { referralStatistics } from '../db/schema/statistics.ts';
import { createSession } from '../server/auth/sessions.ts';
import { staffCookieNames } from '../server/auth/cookies.ts';
import { evaluationDashboard } from '../server/evaluation/dashboard.ts';
import { presentDashboard } from '../server/evaluation/present.ts';
import { choosePeriod, isoWeekOf, weekStartOf } from '../server/evaluation/period.ts';
import { londonDate } from '../server/scheduling/calendar.ts';
import {
  BENCH_OFFICES,
  BENCH_PRIORITIES,
  benchDataDir,
  DAY,
  HOUR,
  measure as measureOnce,
  seedOfficesAndStaff,
  seedReferrals,
  startBenchApp,
  type Measured,
} from './bench/seed.ts';

export const DASHBOARD_BUDGET_MS = 250;

export interface DashboardBenchOptions {
  referrals?: number;
  iterations?: number;
  /** Retained (deleted) referrals' statistics rows, on top of the live ones. */
  retained?: number;
  log?: (line: string) => void;
  /** Keep the seeded database (its path is printed) to look at query plans afterwards. */
  keepDb?: boolean;
}

export type DashboardBenchResult = Measured;

export async function benchDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult[]> {
  const total = options.referrals ?? 100_000;
  const iterations = options.iterations ?? 100;
  const retained = options.retained ?? Math.round(total / 10);
  const log = options.log ?? ((line: string) => console.log(line));
  const results: DashboardBenchResult[] = [];

  async function measure(label: string, run: () => unknown): Promise<void> {
    results.push(await measureOnce(label, run, iterations, log));
  }

  await ensureSiteBuilt({ quiet: true });
  const data = benchDataDir('portal-bench-dashboard-');
  try {
    // Through the one schema like every entry point, but always on a throwaway database with throwaway keys.
    const { config } = loadEntryPointConfig({ overrides: data.overrides });
    const { app, database, db } = await startBenchApp(config);
    const now = app.services.clock.now();
    const [managerId] = seedOfficesAndStaff(db, now, 1) as [string];

    log(
      `Seeding ${total.toLocaleString('en-GB')} referrals over 3 years (+${retained.toLocaleString('en-GB')} retained statistics rows) on ${cpus().length} cores...`,
    );
    const sources = ['police', 'social_care', 'solicitor', 'gp', 'search_engine', 'friend_or_family', 'other', null];
    const stages = ['arrested', 'voluntary_interview', 'released_under_investigation', 'on_bail', 'charged'];
    const nations = ['england', 'england', 'england', 'wales', 'scotland', 'northern_ireland'] as const;
    const reasons = ['declined', 'not_suitable', 'referred_elsewhere', 'unable_to_contact'] as const;
    const span = 3 * 365 * DAY;
    const seconds = seedReferrals(db, {
      total,
      now,
      keyring: app.services.keyring,
      // The dashboard never decrypts, so one ciphertext of the usual size stands in for all.
      encryptEach: false,
      shape: (i) => ({
        receivedAt: new Date(now.getTime() - Math.random() * span),
        status: i % 3 === 0 ? 'closed' : i % 3 === 1 ? 'engaged' : 'in_contact',
        nation: nations[i % nations.length]!,
        stage: stages[i % stages.length]!,
        source: sources[i % sources.length] ?? null,
        meetPreference: i % 4 === 0 ? 'later' : 'asap',
      }),
      // One or two attempts (most reach him within a few days), appointments, closings and priority changes.
      extra: (tx, { id, index: i, priority, receivedAt, contactBy }) => {
        const firstAt = new Date(receivedAt.getTime() + (1 + (i % 9)) * 7 * HOUR);
        tx.insert(contactAttempts)
          .values({
            id: randomUUID(),
            referralId: id,
            staffId: managerId,
            attemptedAt: firstAt,
            channel: 'phone',
            outcome: i % 5 === 0 ? 'no_answer' : 'spoke',
            createdAt: firstAt,
          })
          .run();
        if (i % 5 === 0) {
          const secondAt = new Date(firstAt.getTime() + 2 * DAY);
          tx.insert(contactAttempts)
            .values({
              id: randomUUID(),
              referralId: id,
              staffId: managerId,
              attemptedAt: secondAt,
              channel: 'phone',
              outcome: i % 10 === 0 ? 'no_answer' : 'spoke',
              createdAt: secondAt,
            })
            .run();
        }
        if (i % 2 === 0) {
          const startsAt = new Date(receivedAt.getTime() + (2 + (i % 12)) * DAY);
          tx.insert(appointments)
            .values({
              id: randomUUID(),
              referralId: id,
              bookedBy: managerId,
              startsAt,
              mode: 'office',
              officeId: 'leeds',
              createdAt: firstAt,
            })
            .run();
        }
        if (i % 3 === 0)
          tx.insert(statusChanges)
            .values({
              id: randomUUID(),
              referralId: id,
              staffId: managerId,
              fromStatus: 'in_contact',
              toStatus: 'closed',
              closedReason: reasons[i % reasons.length]!,
              changedAt: new Date(receivedAt.getTime() + 20 * DAY),
            })
            .run();
        if (i % 17 === 0)
          tx.insert(priorityOverrides)
            .values({
              id: randomUUID(),
              referralId: id,
              staffId: managerId,
              fromPriority: priority,
              toPriority: 'today',
              contactByBefore: contactBy,
              contactByAfter: contactBy,
              reasonEnc: 'x',
              createdAt: receivedAt,
            })
            .run();
      },
    });
    db.transaction((tx) => {
      for (let i = 0; i < retained; i++) {
        const date = londonDate(new Date(now.getTime() - Math.random() * span));
        tx.insert(referralStatistics)
          .values({
            id: randomUUID(),
            officeId: BENCH_OFFICES[i % 2]!,
            isoWeekReceived: isoWeekOf(date),
            weekStart: weekStartOf(date),
            nation: 'england',
            stage: stages[i % stages.length]!,
            source: sources[i % sources.length] ?? null,
            priority: BENCH_PRIORITIES[i % BENCH_PRIORITIES.length]!,
            priorityChanged: i % 13 === 0,
            meetPreference: i % 4 === 0 ? 'later' : 'asap',
            flags: '',
            outcome: reasons[i % reasons.length]!,
            workingHoursToFirstContact: i % 6 === 0 ? null : (i % 40) + 1,
            contactedWithin7Days: i % 6 === 0 ? null : i % 7 !== 0,
            metContactBy: i % 6 === 0 ? null : i % 5 !== 0,
            missedDeadlineReason: i % 5 === 0 ? 'no_attempt_in_time' : null,
            appointmentWithin7Days: i % 3 === 0,
            contactAttempts: 1 + (i % 3),
            appointments: i % 4,
            deletedMonth: '2026-01',
            deletionRule: 'bench',
          })
          .run();
      }
    });
    database.sqlite.pragma('optimize');
    log(`Seeded in ${seconds.toFixed(1)} s.\n`);

    const session = createSession(db, managerId, now);
    const cookie = `${staffCookieNames(false).session}=${session.token}`;
    const inject = (url: string) => async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    };
    const officeIds = [...BENCH_OFFICES];
    for (const preset of ['4w', 'quarter', 'year'] as const) {
      const { period } = choosePeriod({ period: preset }, now);
      await measure(`measures: ${preset}, both offices (SQL + suppression)`, () =>
        presentDashboard(evaluationDashboard(db, officeIds, period, app.services.clock.now())),
      );
    }
    await measure('page: GET /staff/evaluation (last 4 weeks)', inject('/staff/evaluation'));
    await measure('page: GET /staff/evaluation?period=quarter', inject('/staff/evaluation?period=quarter'));
    await measure('page: GET /staff/evaluation?period=year', inject('/staff/evaluation?period=year'));
    const worst = Math.max(...results.filter((r) => r.label.startsWith('page:')).map((r) => r.p95));
    log(
      `\nDashboard page p95 (worst preset): ${worst.toFixed(1)} ms; budget < ${DASHBOARD_BUDGET_MS} ms: ${worst < DASHBOARD_BUDGET_MS ? 'within budget' : 'OVER BUDGET'}`,
    );
    await app.close();
  } finally {
    if (options.keepDb) log(`Database kept in ${data.dir}`);
    else data.remove();
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      referrals: { type: 'string', default: '100000' },
      iterations: { type: 'string', default: '100' },
      'keep-db': { type: 'boolean', default: false },
    },
  });
  await benchDashboard({
    referrals: Number(values.referrals),
    iterations: Number(values.iterations),
    keepDb: values['keep-db'],
  });
}
