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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { buildApp } from '../server/app.ts';
import { ensureSiteBuilt } from './site-build.ts';
import { offices } from '../db/schema/offices.ts';
import { staffOffices, staffUsers } from '../db/schema/staff.ts';
import { referrals } from '../db/schema/referrals.ts';
import { appointments, contactAttempts, priorityOverrides, statusChanges } from '../db/schema/casework.ts';
import { referralStatistics } from '../db/schema/statistics.ts';
import { createSession } from '../server/auth/sessions.ts';
import { staffCookieNames } from '../server/auth/cookies.ts';
import { nameSearchHash } from '../server/security/field-encryption.ts';
import { newReferralReference } from '../server/security/tokens.ts';
import { encryptAnswers, encryptTriage } from '../server/referrals/store.ts';
import { sampleAnswers } from '../server/backoffice/sample-referrals.ts';
import { triage } from '../server/triage/triage.ts';
import { triageInputFromAnswers } from '../server/referrals/triage-input.ts';
import { evaluationDashboard } from '../server/evaluation/dashboard.ts';
import { presentDashboard } from '../server/evaluation/present.ts';
import { choosePeriod, isoWeekOf, weekStartOf } from '../server/evaluation/period.ts';
import { londonDate } from '../server/scheduling/calendar.ts';
import type { Priority } from '../server/triage/types.ts';

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

export interface DashboardBenchResult {
  label: string;
  p50: number;
  p95: number;
}

function percentileOf(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function benchDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult[]> {
  const total = options.referrals ?? 100_000;
  const iterations = options.iterations ?? 100;
  const retained = options.retained ?? Math.round(total / 10);
  const log = options.log ?? ((line: string) => console.log(line));
  const results: DashboardBenchResult[] = [];

  async function measure(label: string, run: () => unknown): Promise<void> {
    for (let i = 0; i < 5; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    const result = { label, p50: percentileOf(samples, 50), p95: percentileOf(samples, 95) };
    results.push(result);
    log(
      `${label.padEnd(58)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms`,
    );
  }

  await ensureSiteBuilt({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'portal-bench-dashboard-'));
  try {
    // Through the one schema like every entry point, but always on a throwaway database with throwaway keys.
    const { config } = loadEntryPointConfig({
      overrides: {
        NODE_ENV: 'test',
        DATA_DIR: dir,
        DATABASE_PATH: join(dir, 'portal.db'),
        DATA_KEY: randomBytes(32).toString('base64'),
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'silent',
        PUBLIC_BASE_URL: 'http://localhost',
        MAIL_TRANSPORT: 'files',
      },
    });
    const database = openDatabase(config.databasePath);
    await migrateDatabase(database.sqlite);
    const app = await buildApp(config, { database });
    await app.ready();
    const { db } = database;
    const keyring = app.services.keyring;
    const now = app.services.clock.now();

    for (const office of ['leeds', 'manchester']) {
      db.insert(offices)
        .values({ id: office, name: `${office} office`, nation: 'england-and-wales', createdAt: now })
        .onConflictDoNothing()
        .run();
    }
    const managerId = randomUUID();
    db.insert(staffUsers)
      .values({
        id: managerId,
        email: 'bench-manager@example.org',
        name: 'Bench manager',
        role: 'manager',
        status: 'active',
        createdAt: now,
      })
      .run();
    db.insert(staffOffices)
      .values([
        { staffId: managerId, officeId: 'leeds' },
        { staffId: managerId, officeId: 'manchester' },
      ])
      .run();

    log(
      `Seeding ${total.toLocaleString('en-GB')} referrals over 3 years (+${retained.toLocaleString('en-GB')} retained statistics rows) on ${cpus().length} cores...`,
    );
    const seedStarted = performance.now();
    const priorities: Priority[] = ['today', 'next_working_day', 'within_7_days', 'within_7_days', 'within_7_days'];
    const sources = ['police', 'social_care', 'solicitor', 'gp', 'search_engine', 'friend_or_family', 'other', null];
    const stages = ['arrested', 'voluntary_interview', 'released_under_investigation', 'on_bail', 'charged'];
    const nations = ['england', 'england', 'england', 'wales', 'scotland', 'northern_ireland'] as const;
    const reasons = ['declined', 'not_suitable', 'referred_elsewhere', 'unable_to_contact'] as const;
    const answers = sampleAnswers();
    const triageResult = triage(triageInputFromAnswers(answers), now);
    const span = 3 * 365 * DAY;
    // The dashboard never reads the encrypted columns, so one real ciphertext of the usual size stands in for all
    // (encrypting 100,000 rows would make seeding take minutes on a shared machine). Rows keep their real size.
    const sampleId = randomUUID();
    const answersEnc = encryptAnswers(keyring, sampleId, answers);
    const triageEncFor = new Map(
      priorities.map((priority) => [
        priority,
        encryptTriage(keyring, sampleId, {
          result: { ...triageResult, priority },
          deadline: { contactBy: now.toISOString(), cappedByTriggerDate: false, notes: [] },
        }),
      ]),
    );
    const nameHash = nameSearchHash(keyring, 'Bench Person');
    const batch = 5_000;
    for (let start = 0; start < total; start += batch) {
      db.transaction((tx) => {
        for (let i = start; i < Math.min(total, start + batch); i++) {
          const id = randomUUID();
          const receivedAt = new Date(now.getTime() - Math.random() * span);
          const priority = priorities[i % priorities.length]!;
          const contactBy = new Date(
            receivedAt.getTime() + (priority === 'today' ? 4 : priority === 'next_working_day' ? 30 : 7 * 24) * HOUR,
          );
          const closed = i % 3 === 0;
          const engaged = i % 3 === 1;
          tx.insert(referrals)
            .values({
              id,
              reference: newReferralReference(),
              status: closed ? 'closed' : engaged ? 'engaged' : 'in_contact',
              priority,
              contactBy,
              ruleVersion: triageResult.ruleVersion,
              receivedAt,
              officeId: i % 2 ? 'leeds' : 'manchester',
              officePreference: i % 2 ? 'leeds' : 'manchester',
              nation: nations[i % nations.length]!,
              stage: stages[i % stages.length]!,
              source: sources[i % sources.length] ?? null,
              meetPreference: i % 4 === 0 ? 'later' : 'asap',
              confidentialityVersion: answers.confidentialityAgreedVersion,
              answersEnc,
              triageEnc: triageEncFor.get(priority)!,
              nameSearchHash: nameHash,
              idempotencyKey: id,
            })
            .run();
          // One or two attempts; most reach him within a few days.
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
          if (closed)
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
        }
      });
    }
    db.transaction((tx) => {
      for (let i = 0; i < retained; i++) {
        const date = londonDate(new Date(now.getTime() - Math.random() * span));
        tx.insert(referralStatistics)
          .values({
            id: randomUUID(),
            officeId: i % 2 ? 'leeds' : 'manchester',
            isoWeekReceived: isoWeekOf(date),
            weekStart: weekStartOf(date),
            nation: 'england',
            stage: stages[i % stages.length]!,
            source: sources[i % sources.length] ?? null,
            priority: priorities[i % priorities.length]!,
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
    log(`Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.\n`);

    const session = createSession(db, managerId, now);
    const cookie = `${staffCookieNames(false).session}=${session.token}`;
    const inject = (url: string) => async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    };
    const officeIds = ['leeds', 'manchester'];
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
    if (options.keepDb) log(`Database kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
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
