/**
 * Seeding shared by the benchmarks that need many referrals (scripts/bench-inbox.ts, scripts/bench-dashboard.ts):
 * a throwaway data folder and configuration, the app, two offices, staff, and N referrals in batches of 5,000.
 * Each benchmark adds its own rows per referral through `extra` (assignments for the inbox; contact attempts,
 * appointments, closings and priority changes for the dashboard).
 *
 * Entry points still load their configuration themselves through loadEntryPointConfig (one schema, one place):
 * this module only gives the overrides for a throwaway database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { percentile } from './percentile.ts';
import type { AppConfig } from '../../server/config.ts';
import { openDatabase, type PortalDb } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { buildApp } from '../../server/app.ts';
import { offices } from '../../db/schema/offices.ts';
import { staffOffices, staffUsers } from '../../db/schema/staff.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { nameSearchHash } from '../../server/security/field-encryption.ts';
import { newReferralReference } from '../../server/security/tokens.ts';
import { encryptAnswers, encryptTriage } from '../../server/referrals/store.ts';
import { sampleAnswers } from '../../server/backoffice/sample-referrals.ts';
import { triage } from '../../server/triage/triage.ts';
import { triageInputFromAnswers } from '../../server/referrals/triage-input.ts';
import type { Priority } from '../../server/triage/types.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const BENCH_OFFICES = ['leeds', 'manchester'] as const;
export const BENCH_PRIORITIES: readonly Priority[] = [
  'today',
  'next_working_day',
  'within_7_days',
  'within_7_days',
  'within_7_days',
];

/** A throwaway data folder, and the configuration overrides that point every path and key at it. */
export function benchDataDir(prefix: string): { dir: string; overrides: Record<string, string>; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
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
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The real app on a freshly migrated database (no port: benchmarks use `app.inject`). The minute-by-minute alert
 * scheduler and the mail worker are not started: with thousands of seeded referrals overdue they would queue and
 * write an escalation email for each in the middle of the timings (no real office has 10,000 men waiting), and
 * what is timed here is the page, the same with or without them.
 */
export async function startBenchApp(config: AppConfig) {
  const database = openDatabase(config.databasePath);
  await migrateDatabase(database.sqlite);
  const app = await buildApp(config, {
    database,
    alerts: { startMailWorker: false, startAlertScheduler: false },
  });
  await app.ready();
  return { app, database, db: database.db };
}

/** Both offices, and staff members working in both (the first is a manager, the rest caseworkers). */
export function seedOfficesAndStaff(db: PortalDb, now: Date, staffCount: number): string[] {
  for (const office of BENCH_OFFICES) {
    db.insert(offices)
      .values({ id: office, name: `${office} office`, nation: 'england-and-wales', createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  const staffIds = Array.from({ length: staffCount }, () => randomUUID());
  db.transaction((tx) => {
    staffIds.forEach((id, index) => {
      tx.insert(staffUsers)
        .values({
          id,
          email: `bench${index}@example.org`,
          name: index === 0 ? 'Bench manager' : `Caseworker ${index}`,
          role: index === 0 ? 'manager' : 'caseworker',
          status: 'active',
          createdAt: now,
        })
        .run();
      tx.insert(staffOffices)
        .values(BENCH_OFFICES.map((officeId) => ({ staffId: id, officeId })))
        .run();
    });
  });
  return staffIds;
}

/** What a benchmark decides about referral number i; the rest (keys, office, references, hashes) is shared. */
export interface ReferralShape {
  receivedAt: Date;
  status: string;
  nation?: 'england' | 'wales' | 'scotland' | 'northern_ireland';
  stage?: string;
  source?: string | null;
  meetPreference?: 'asap' | 'later';
}

export interface SeededReferral {
  id: string;
  index: number;
  priority: Priority;
  receivedAt: Date;
  contactBy: Date;
}

type Tx = Parameters<Parameters<PortalDb['transaction']>[0]>[0];

export interface SeedReferralsOptions {
  total: number;
  now: Date;
  keyring: Parameters<typeof encryptAnswers>[0];
  shape(index: number): ReferralShape;
  /**
   * true: each referral's answers and triage are encrypted for it (pages that decrypt them, such as the inbox,
   * need that). false: one real ciphertext of the usual size stands in for all (for counts that never decrypt;
   * encrypting 100,000 rows takes minutes on a shared machine). Rows keep their real size either way.
   */
  encryptEach: boolean;
  /** Rows a benchmark adds for each referral, in the same transaction. */
  extra?(tx: Tx, referral: SeededReferral): void;
}

/** Inserts `total` referrals in transactions of 5,000. Returns the seconds it took. */
export function seedReferrals(db: PortalDb, options: SeedReferralsOptions): number {
  const started = performance.now();
  const { now, keyring } = options;
  const answers = sampleAnswers();
  const triageResult = triage(triageInputFromAnswers(answers), now);
  const sampleId = randomUUID();
  const sharedAnswers = encryptAnswers(keyring, sampleId, answers);
  const sharedTriage = new Map(
    BENCH_PRIORITIES.map((priority) => [
      priority,
      encryptTriage(keyring, sampleId, {
        result: { ...triageResult, priority },
        deadline: { contactBy: now.toISOString(), cappedByTriggerDate: false, notes: [] },
      }),
    ]),
  );
  const batch = 5_000;
  for (let start = 0; start < options.total; start += batch) {
    db.transaction((tx) => {
      for (let i = start; i < Math.min(options.total, start + batch); i++) {
        const id = randomUUID();
        const shape = options.shape(i);
        const priority = BENCH_PRIORITIES[i % BENCH_PRIORITIES.length]!;
        const receivedAt = shape.receivedAt;
        const contactBy = new Date(
          receivedAt.getTime() + (priority === 'today' ? 4 : priority === 'next_working_day' ? 30 : 7 * 24) * HOUR,
        );
        const office = i % 2 ? 'leeds' : 'manchester';
        tx.insert(referrals)
          .values({
            id,
            reference: newReferralReference(),
            status: shape.status,
            priority,
            contactBy,
            ruleVersion: triageResult.ruleVersion,
            receivedAt,
            officeId: office,
            officePreference: office,
            nation: shape.nation ?? 'england',
            stage: shape.stage ?? answers.stage,
            source: shape.source === undefined ? (answers.heardFrom ?? null) : shape.source,
            meetPreference: shape.meetPreference ?? answers.meetPreference,
            confidentialityVersion: answers.confidentialityAgreedVersion,
            answersEnc: options.encryptEach ? encryptAnswers(keyring, id, answers) : sharedAnswers,
            triageEnc: options.encryptEach
              ? encryptTriage(keyring, id, {
                  result: { ...triageResult, priority },
                  deadline: { contactBy: contactBy.toISOString(), cappedByTriggerDate: false, notes: [] },
                })
              : sharedTriage.get(priority)!,
            nameSearchHash: nameSearchHash(keyring, `Person ${i}`),
            idempotencyKey: id,
          })
          .run();
        options.extra?.(tx, { id, index: i, priority, receivedAt, contactBy });
      }
    });
  }
  return (performance.now() - started) / 1000;
}

export interface Measured {
  label: string;
  p50: number;
  p95: number;
}

/** Runs `run` a few times to warm up, then `iterations` times, and prints p50 and p95 in one line. */
export async function measure(
  label: string,
  run: () => unknown,
  iterations: number,
  log: (line: string) => void,
  warmUp = 5,
): Promise<Measured> {
  for (let i = 0; i < warmUp; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const result = { label, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
  log(`${label.padEnd(58)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms`);
  return result;
}
