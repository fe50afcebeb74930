/**
 * Inbox benchmark: seeds referrals into a temporary database (100,000 by default) and reports p50/p95 for the inbox
 * query and for the rendered inbox page (through the real app, session and Astro included).
 *
 *   npm run bench                       # 100,000 referrals
 *   npm run bench -- --referrals 20000 --iterations 100
 *
 * It prints figures; it is not a test and never fails on a slow result. Aim: p95 under 100 ms on 2 cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { loadEntryPointConfig } from '../server/config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { buildApp } from '../server/app.ts';
import { ensureSiteBuilt } from './site-build.ts';
import { offices } from '../db/schema/offices.ts';
import { staffOffices, staffUsers } from '../db/schema/staff.ts';
import { referrals } from '../db/schema/referrals.ts';
import { referralAssignments } from '../db/schema/casework.ts';
import { createSession } from '../server/auth/sessions.ts';
import { staffCookieNames } from '../server/auth/cookies.ts';
import { nameSearchHash } from '../server/security/field-encryption.ts';
import { newReferralReference } from '../server/security/tokens.ts';
import { encryptAnswers, encryptTriage } from '../server/referrals/store.ts';
import { sampleAnswers } from '../server/backoffice/sample-referrals.ts';
import { DEFAULT_FILTERS, nameMatch, queryInbox, type InboxFilters } from '../server/backoffice/casework/inbox.ts';
import { triage } from '../server/triage/triage.ts';
import { triageInputFromAnswers } from '../server/referrals/triage-input.ts';
import type { Priority } from '../server/triage/types.ts';

const { values } = parseArgs({
  options: {
    referrals: { type: 'string', default: '100000' },
    iterations: { type: 'string', default: '200' },
    'open-share': { type: 'string', default: '0.1' },
    /** Keep the seeded database (its path is printed) to look at query plans afterwards. */
    'keep-db': { type: 'boolean', default: false },
  },
});
const total = Number(values.referrals);
const iterations = Number(values.iterations);
const openShare = Number(values['open-share']);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, run: () => unknown): Promise<void> {
  for (let i = 0; i < 10; i++) await run(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const p50 = percentile(samples, 50).toFixed(1);
  const p95 = percentile(samples, 95).toFixed(1);
  console.log(`${label.padEnd(58)} p50 ${p50.padStart(7)} ms   p95 ${p95.padStart(7)} ms`);
}

await ensureSiteBuilt({ quiet: true });
const dir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
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
  const now = new Date();

  for (const office of ['leeds', 'manchester']) {
    db.insert(offices)
      .values({ id: office, name: `${office} office`, nation: 'england-and-wales', createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  const staffIds = Array.from({ length: 12 }, () => randomUUID());
  db.transaction((tx) => {
    staffIds.forEach((id, index) => {
      tx.insert(staffUsers)
        .values({
          id,
          email: `bench${index}@example.org`,
          name: `Caseworker ${index}`,
          role: index === 0 ? 'manager' : 'caseworker',
          status: 'active',
          createdAt: now,
        })
        .run();
      tx.insert(staffOffices)
        .values([
          { staffId: id, officeId: 'leeds' },
          { staffId: id, officeId: 'manchester' },
        ])
        .run();
    });
  });

  console.log(
    `Seeding ${total.toLocaleString('en-GB')} referrals (${Math.round(openShare * 100)}% still needing contact) on ${cpus().length} cores...`,
  );
  const seedStarted = performance.now();
  const priorities: Priority[] = ['today', 'next_working_day', 'within_7_days', 'within_7_days', 'within_7_days'];
  const closedStatuses = ['closed', 'closed', 'closed', 'engaged', 'in_contact', 'appointment_booked'];
  const answers = sampleAnswers();
  const triageResult = triage(triageInputFromAnswers(answers), now);
  const yearMs = 365 * 24 * 3_600_000;
  const batch = 5_000;
  for (let start = 0; start < total; start += batch) {
    db.transaction((tx) => {
      for (let i = start; i < Math.min(total, start + batch); i++) {
        const id = randomUUID();
        const open = i % Math.round(1 / openShare) === 0;
        const receivedAt = new Date(
          now.getTime() - (open ? Math.random() * 8 * 24 * 3_600_000 : Math.random() * 3 * yearMs),
        );
        const priority = priorities[i % priorities.length]!;
        const contactBy = new Date(
          receivedAt.getTime() + (priority === 'today' ? 4 : priority === 'next_working_day' ? 30 : 7 * 24) * 3_600_000,
        );
        tx.insert(referrals)
          .values({
            id,
            reference: newReferralReference(),
            status: open ? (i % 3 === 0 ? 'contact_attempted' : 'new') : closedStatuses[i % closedStatuses.length]!,
            priority,
            contactBy,
            ruleVersion: triageResult.ruleVersion,
            receivedAt,
            officeId: i % 2 ? 'leeds' : 'manchester',
            officePreference: i % 2 ? 'leeds' : 'manchester',
            nation: 'england',
            stage: answers.stage,
            source: answers.heardFrom ?? null,
            meetPreference: answers.meetPreference,
            confidentialityVersion: answers.confidentialityAgreedVersion,
            answersEnc: encryptAnswers(keyring, id, answers),
            triageEnc: encryptTriage(keyring, id, {
              result: { ...triageResult, priority },
              deadline: { contactBy: contactBy.toISOString(), cappedByTriggerDate: false, notes: [] },
            }),
            nameSearchHash: nameSearchHash(keyring, `Person ${i}`),
            idempotencyKey: id,
          })
          .run();
        if (i % 4 === 0)
          tx.insert(referralAssignments)
            .values({
              referralId: id,
              staffId: staffIds[i % staffIds.length]!,
              assignedAt: now,
              assignedBy: staffIds[0]!,
            })
            .run();
      }
    });
  }
  database.sqlite.pragma('optimize');
  console.log(`Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.\n`);

  const staff = { id: staffIds[4]!, role: 'caseworker' as const, officeIds: ['leeds', 'manchester'] };
  const filters = (extra: Partial<InboxFilters>) => ({ filters: { ...DEFAULT_FILTERS, ...extra } });
  const session = createSession(db, staff.id, now);
  const cookie = `${staffCookieNames(false).session}=${session.token}`;
  const inject = (url: string) => async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  };

  const scenarios = async (title: string) => {
    console.log(title);
    await measure('query: needs contact (default view), page 1', () =>
      queryInbox(db, staff, filters({}), app.services.clock.now()),
    );
    await measure('query: needs contact, page 20', () =>
      queryInbox(db, staff, filters({ page: 20 }), app.services.clock.now()),
    );
    await measure('query: priority today + overdue', () =>
      queryInbox(db, staff, filters({ priority: 'today', overdueOnly: true }), app.services.clock.now()),
    );
    await measure('query: assigned to me', () =>
      queryInbox(db, staff, filters({ assignee: 'me' }), app.services.clock.now()),
    );
    await measure('query: one office', () =>
      queryInbox(db, staff, filters({ officeId: 'leeds' }), app.services.clock.now()),
    );
    await measure('query: every status', () =>
      queryInbox(db, staff, filters({ status: 'all' }), app.services.clock.now()),
    );
    await measure('query: name search', () =>
      queryInbox(
        db,
        staff,
        { ...filters({ status: 'all' }), match: nameMatch(keyring, 'Person 4242') },
        app.services.clock.now(),
      ),
    );
    await measure('page: GET /staff (session, query, Astro render)', inject('/staff'));
    await measure('page: GET /staff?priority=today&overdue=1', inject('/staff?priority=today&overdue=1'));
    await measure('page: GET /staff?status=all&page=3', inject('/staff?status=all&page=3'));
    console.log('');
  };

  await scenarios(
    `Realistic mix: ${Math.round(total * openShare).toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} need contact`,
  );
  db.update(referrals).set({ status: 'new' }).where(eq(referrals.officePreference, 'leeds')).run();
  db.update(referrals).set({ status: 'contact_attempted' }).where(eq(referrals.officePreference, 'manchester')).run();
  database.sqlite.pragma('optimize');
  await scenarios(`Stress: all ${total.toLocaleString('en-GB')} need contact`);
  await app.close();
} finally {
  if (values['keep-db']) console.log(`Database kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
