/**
 * Inbox benchmark: seeds referrals into a temporary database (100,000 by default) and reports p50/p95 for the inbox
 * query and for the rendered inbox page (through the real app, session and Astro included).
 *
 *   npm run bench:inbox                       # 100,000 referrals
 *   npm run bench:inbox -- --referrals 20000 --iterations 100
 *
 * It prints figures; it is not a test and never fails on a slow result. Budget: page p95 under 100 ms on 2 cores.
 * Seeding is shared with the dashboard benchmark (scripts/bench/seed.ts).
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { loadEntryPointConfig } from '../server/config.ts';
import { ensureSiteBuilt } from './site-build.ts';
import { referrals } from '../db/schema/referrals.ts';
import { referralAssignments } from '../db/schema/casework.ts';
import { createSession } from '../server/auth/sessions.ts';
import { staffCookieNames } from '../server/auth/cookies.ts';
import { DEFAULT_FILTERS, nameMatch, queryInbox, type InboxFilters } from '../server/backoffice/casework/inbox.ts';
import {
  benchDataDir,
  DAY,
  measure as measureOnce,
  seedOfficesAndStaff,
  seedReferrals,
  startBenchApp,
} from './bench/seed.ts';

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

async function measure(label: string, run: () => unknown): Promise<void> {
  await measureOnce(label, run, iterations, (line) => console.log(line), 10);
}

await ensureSiteBuilt({ quiet: true });
const data = benchDataDir('portal-bench-');
try {
  // Through the one schema like every entry point, but always on a throwaway database with throwaway keys.
  const { config } = loadEntryPointConfig({ overrides: data.overrides });
  const { app, database, db } = await startBenchApp(config);
  const keyring = app.services.keyring;
  const now = new Date();
  const staffIds = seedOfficesAndStaff(db, now, 12);

  console.log(
    `Seeding ${total.toLocaleString('en-GB')} referrals (${Math.round(openShare * 100)}% still needing contact) on ${cpus().length} cores...`,
  );
  const closedStatuses = ['closed', 'closed', 'closed', 'engaged', 'in_contact', 'appointment_booked'];
  const openEvery = Math.round(1 / openShare);
  const seconds = seedReferrals(db, {
    total,
    now,
    keyring,
    encryptEach: true,
    shape: (i) => {
      const open = i % openEvery === 0;
      return {
        receivedAt: new Date(now.getTime() - (open ? Math.random() * 8 * DAY : Math.random() * 3 * 365 * DAY)),
        status: open ? (i % 3 === 0 ? 'contact_attempted' : 'new') : closedStatuses[i % closedStatuses.length]!,
      };
    },
    extra: (tx, referral) => {
      if (referral.index % 4 === 0)
        tx.insert(referralAssignments)
          .values({
            referralId: referral.id,
            staffId: staffIds[referral.index % staffIds.length]!,
            assignedAt: now,
            assignedBy: staffIds[0]!,
          })
          .run();
    },
  });
  database.sqlite.pragma('optimize');
  console.log(`Seeded in ${seconds.toFixed(1)} s.\n`);

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
  if (values['keep-db']) console.log(`Database kept in ${data.dir}`);
  else data.remove();
}
