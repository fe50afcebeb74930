import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createFormTokens } from '../../server/referrals/form-token.ts';
import { projectRoot } from '../../server/site-files.ts';
import { validAnswers } from '../../tests/unit/referrals/fixtures.ts';
import { combined, describeStatuses, fmt, load, type LoadResult } from './load.ts';
import { startProcess, type RunningProcess } from './processes.ts';
import { benchDashboard, DASHBOARD_BUDGET_MS } from '../bench-dashboard.ts';

/** A figure with a limit. `met` is decided by the runner from `value`, `limit` and `better`. */
export interface Budget {
  name: string;
  value: number;
  unit: string;
  limit: number;
  /** 'lower' means value < limit is met; 'higher' means value >= limit is met. */
  better: 'lower' | 'higher';
}

export interface BenchOptions {
  /** Length of each load, in seconds. */
  seconds: number;
  /** Connections of each flood. */
  connections: number;
  /** Referrals seeded for the inbox section. */
  inboxReferrals: number;
}

/** What every section gets: the running app (started once, like `npm start`) and helpers. */
export interface BenchContext {
  app: RunningProcess;
  /** The app's database file (read-only checks such as "every 201 is a stored row"). */
  databasePath: string;
  dataDir: string;
  options: BenchOptions;
  /** Signed form tokens shown a minute ago (the app's own secret), one per referral: no token is reused. */
  formTokens(count: number): string[];
  /** A different client address on each call, sent as X-Forwarded-For (the app trusts 127.0.0.1 as its proxy). */
  nextClientAddress(): string;
  log(line: string): void;
}

export interface BenchSection {
  /** Short name, used by `--only`. */
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Budget[]>;
}

const PAGE_HEADERS = { 'accept-encoding': 'br, gzip' };

function line(label: string, r: LoadResult): string {
  return `  ${label.padEnd(34)} ${fmt(r.rps).padStart(8)} req/s   p50 ${fmt(r.p50).padStart(6)} ms   p99 ${fmt(r.p99).padStart(7)} ms   ${describeStatuses(r.statuses)}${r.errors ? `   errors ${r.errors}` : ''}${r.timeouts ? `   timeouts ${r.timeouts}` : ''}`;
}

function fiveHundreds(r: LoadResult): number {
  return Object.entries(r.statuses)
    .filter(([code]) => code.startsWith('5'))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Counts in the app's database, read through a second, read-only connection as any tool would. */
function countsIn<K extends string>(databasePath: string, queries: Record<K, string>): Record<K, number> {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      Object.entries<string>(queries).map(([name, sql]) => [name, (db.prepare(sql).pluck().get() as number) ?? 0]),
    ) as Record<K, number>;
  } finally {
    db.close();
  }
}

function referralCount(databasePath: string): number {
  return countsIn(databasePath, { referrals: 'SELECT COUNT(*) FROM referrals' }).referrals;
}

/**
 * POST /api/referrals with a fresh token and a fresh client address for every request. The bodies are made before
 * the load starts, so the load generator's own work (it shares the machine's two cores) stays small.
 */
function referralFlood(
  ctx: BenchContext,
  connections: number,
  amount: number,
  seconds = ctx.options.seconds,
  latencies?: number[],
) {
  const bodies = ctx.formTokens(amount).map((formToken) => JSON.stringify({ ...validAnswers(), formToken }));
  let next = 0;
  return load({
    url: ctx.app.url,
    connections,
    amount,
    seconds,
    ...(latencies ? { latencies } : {}),
    requests: [
      {
        method: 'POST',
        path: '/api/referrals',
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ctx.nextClientAddress() },
          body: bodies[next++ % bodies.length]!,
        }),
      },
    ],
  });
}

/** Two pages measured with one connection each while `flood` runs. */
async function pagesDuring(ctx: BenchContext, flood: Promise<LoadResult>) {
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the flood build up
  const seconds = Math.max(1, ctx.options.seconds - 0.6);
  const [home, refer] = await Promise.all([
    load({ url: `${ctx.app.url}/`, connections: 1, amount: 100_000, seconds, headers: PAGE_HEADERS }),
    load({ url: `${ctx.app.url}/refer/`, connections: 1, amount: 100_000, seconds, headers: PAGE_HEADERS }),
  ]);
  return { home, refer, flood: await flood };
}

export const coldStart: BenchSection = {
  id: 'cold-start',
  title: 'Cold start (spawn to first healthy answer, fresh database, migrations included)',
  async run(ctx) {
    ctx.log(`  ${fmt(ctx.app.coldStartMs, 0)} ms`);
    return [];
  },
};

export const publicPages: BenchSection = {
  id: 'public',
  title: 'Public pages, nothing else running',
  async run(ctx) {
    const amount = 200_000;
    for (const path of ['/', '/refer/']) {
      const r = await load({
        url: `${ctx.app.url}${path}`,
        connections: ctx.options.connections,
        amount,
        seconds: ctx.options.seconds,
        headers: PAGE_HEADERS,
      });
      ctx.log(line(`GET ${path} (${ctx.options.connections} connections)`, r));
    }
    return [];
  },
};

export const referralSubmit: BenchSection = {
  id: 'submit',
  title: 'Referral submit beside a bare insert at the same durability',
  async run(ctx) {
    const { connections, seconds } = ctx.options;
    const bare = await startProcess('scripts/bench/bare-insert-server.ts', () => ({
      BENCH_DB: join(ctx.dataDir, 'bare-insert.db'),
    }));
    const bareBody = JSON.stringify({ ...validAnswers(), formToken: 'x'.repeat(80) });
    const bareLoad = (loadSeconds: number, latencies?: number[]) =>
      load({
        url: `${bare.url}/bare`,
        method: 'POST',
        connections,
        amount: 100_000,
        seconds: loadSeconds,
        headers: { 'content-type': 'application/json' },
        body: bareBody,
        ...(latencies ? { latencies } : {}),
      });
    // Both routes warm up first (a second each, not counted), then take turns in rounds of half the load time, so
    // a machine that slows down for a few seconds slows both alike; each is measured over all its rounds.
    const rounds = { bare: [] as LoadResult[], submit: [] as LoadResult[] };
    const latencies = { bare: [] as number[], submit: [] as number[] };
    const cpuMs = { bare: 0, submit: 0 };
    // Every referral load, the warm-up too: its answers count for the 5xx and stored-row checks.
    const answers = { created: 0, loads: 0, failed: 0 };
    const before = referralCount(ctx.databasePath);
    const submitLoad = async (loadSeconds: number, measured: boolean) => {
      const cpuBefore = ctx.app.cpuMs();
      const result = await referralFlood(
        ctx,
        connections,
        10_000,
        loadSeconds,
        measured ? latencies.submit : undefined,
      );
      answers.created += result.statuses['201'] ?? 0;
      answers.failed += fiveHundreds(result) + result.errors;
      answers.loads++;
      if (!measured) return;
      cpuMs.submit += ctx.app.cpuMs() - cpuBefore;
      rounds.submit.push(result);
    };
    try {
      await bareLoad(1);
      await submitLoad(1, false);
      for (let round = 0; round < 2; round++) {
        const cpuBefore = bare.cpuMs();
        rounds.bare.push(await bareLoad(seconds / 2, latencies.bare));
        cpuMs.bare += bare.cpuMs() - cpuBefore;
        await submitLoad(seconds / 2, true);
      }
    } finally {
      await bare.stop();
    }
    const bareResult = combined(rounds.bare, latencies.bare);
    const submit = combined(rounds.submit, latencies.submit);
    const stored = referralCount(ctx.databasePath) - before;
    ctx.log(line('bare insert (POST /bare)', bareResult));
    ctx.log(line('POST /api/referrals', submit));
    const created = answers.created;
    const ratio = submit.rps / bareResult.rps;
    ctx.log(`  ratio ${fmt(ratio, 2)}   201 answers ${created} (warm-up included)   rows stored ${stored}`);
    // CPU per answer does not depend on the disk (the bare insert's throughput does: it waits for an fsync per row).
    const perAnswer = (cpu: number, result: LoadResult) => cpu / Math.max(1, result.completed);
    ctx.log(
      `  CPU per answer (the server process, all threads): bare ${fmt(perAnswer(cpuMs.bare, bareResult), 2)} ms,` +
        ` referral ${fmt(perAnswer(cpuMs.submit, submit), 2)} ms`,
    );
    return [
      { name: 'referral submit throughput / bare insert', value: ratio * 100, unit: '%', limit: 50, better: 'higher' },
      {
        name: `referral submit p99 at ${connections} connections`,
        value: submit.p99,
        unit: 'ms',
        limit: 50,
        better: 'lower',
      },
      {
        name: 'referral answers 5xx',
        value: answers.failed,
        unit: '',
        limit: 1,
        better: 'lower',
      },
      {
        name: '201 answers without a stored row',
        value: Math.max(0, created - stored),
        unit: '',
        limit: 1,
        better: 'lower',
      },
      {
        name: 'rows stored beyond the 201s (in flight at the stops)',
        value: stored - created,
        unit: '',
        limit: connections * answers.loads + 1,
        better: 'lower',
      },
    ];
  },
};

export const pagesUnderReferralFlood: BenchSection = {
  id: 'referral-flood',
  title: 'Home and /refer/ while connections flood POST /api/referrals',
  async run(ctx) {
    const { home, refer, flood } = await pagesDuring(ctx, referralFlood(ctx, ctx.options.connections, 20_000));
    ctx.log(line(`flood: POST /api/referrals (${ctx.options.connections})`, flood));
    ctx.log(line('GET / (1 connection)', home));
    ctx.log(line('GET /refer/ (1 connection)', refer));
    return [
      { name: 'home p99 under referral flood', value: home.p99, unit: 'ms', limit: 50, better: 'lower' },
      { name: '/refer/ p99 under referral flood', value: refer.p99, unit: 'ms', limit: 200, better: 'lower' },
    ];
  },
};

export const pagesUnderSignInFlood: BenchSection = {
  id: 'sign-in-flood',
  title: 'Home and /refer/ while POST /staff/sign-in is flooded from 20 addresses',
  async run(ctx) {
    // A real pre-sign-in cookie and CSRF token, so each attempt reaches the password check.
    const page = await fetch(`${ctx.app.url}/staff/sign-in`);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!csrf) throw new Error('no CSRF token on /staff/sign-in');
    const addresses = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    let next = 0;
    const flood = load({
      url: ctx.app.url,
      connections: ctx.options.connections,
      amount: 20_000,
      seconds: ctx.options.seconds,
      requests: [
        {
          method: 'POST',
          path: '/staff/sign-in',
          setupRequest: (request) => ({
            ...request,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              cookie,
              origin: ctx.app.url,
              'x-forwarded-for': addresses[next++ % addresses.length]!,
            },
            body: new URLSearchParams({
              email: `someone-${next % 50}@example.org`,
              password: 'not the right password at all',
              _csrf: csrf,
            }).toString(),
          }),
        },
      ],
    });
    const { home, refer, flood: result } = await pagesDuring(ctx, flood);
    ctx.log(line('flood: POST /staff/sign-in (20 addresses)', result));
    ctx.log(line('GET / (1 connection)', home));
    ctx.log(line('GET /refer/ (1 connection)', refer));
    return [
      { name: 'home p99 under sign-in flood', value: home.p99, unit: 'ms', limit: 50, better: 'lower' },
      { name: '/refer/ p99 under sign-in flood', value: refer.p99, unit: 'ms', limit: 200, better: 'lower' },
    ];
  },
};

function followUpState(databasePath: string): { due: number; referrals: number; staffAlerts: number } {
  return countsIn(databasePath, {
    due: 'SELECT COUNT(*) FROM referrals WHERE follow_up_due_at IS NOT NULL',
    referrals: 'SELECT COUNT(*) FROM referrals',
    staffAlerts: "SELECT COUNT(*) FROM outbox_messages WHERE kind = 'referral_alert'",
  });
}

/**
 * During a burst each referral's follow-up (slot, staff alerts, acknowledgement) is marked due and done moments
 * later (server/referrals/follow-up.ts): after the floods, every one must be done, and every referral must have
 * its staff alert. Prints how long the backlog took to clear.
 */
export const followUpsCatchUp: BenchSection = {
  id: 'follow-ups',
  title: 'Follow-ups of the flooded referrals done afterwards (slot, staff alert, acknowledgement)',
  async run(ctx) {
    const started = Date.now();
    let state = followUpState(ctx.databasePath);
    ctx.log(`  due when the floods stopped: ${state.due} of ${state.referrals} referrals`);
    while (state.due > 0 && Date.now() - started < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = followUpState(ctx.databasePath);
    }
    const seconds = (Date.now() - started) / 1000;
    ctx.log(
      `  all done after ${fmt(seconds, 1)} s; staff alerts queued ${state.staffAlerts} for ${state.referrals} referrals`,
    );
    return [
      { name: 'follow-ups still due 60 s after the floods', value: state.due, unit: '', limit: 1, better: 'lower' },
      {
        name: 'referrals without a staff alert',
        value: Math.max(0, state.referrals - state.staffAlerts),
        unit: '',
        limit: 1,
        better: 'lower',
      },
    ];
  },
};

export const inbox: BenchSection = {
  id: 'inbox',
  title: 'Inbox at 100,000 referrals (scripts/bench-inbox.ts, its own database)',
  async run(ctx) {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/bench-inbox.ts',
          '--referrals',
          String(ctx.options.inboxReferrals),
          '--iterations',
          '60',
        ],
        { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(text);
        else reject(new Error(`bench-inbox exited with ${code}`));
      });
    });
    const pageLines = output.split('\n').filter((l) => l.startsWith('page: '));
    for (const l of output.split('\n').filter((l) => /p95/.test(l) || /^Realistic|^Stress|^Seeded/.test(l)))
      ctx.log(`  ${l}`);
    // The budget is the inbox as staff open it today: the first page line of the realistic mix.
    const p95 = Number(/p95\s+([\d.]+) ms/.exec(pageLines[0] ?? '')?.[1] ?? NaN);
    return [
      {
        name: `inbox page p95 at ${ctx.options.inboxReferrals.toLocaleString('en-GB')}`,
        value: p95,
        unit: 'ms',
        limit: 100,
        better: 'lower',
      },
    ];
  },
};

export const dashboard: BenchSection = {
  id: 'dashboard',
  title: 'Evaluation dashboard at 100,000 referrals (scripts/bench-dashboard.ts, its own database)',
  async run(ctx) {
    const results = await benchDashboard({
      referrals: ctx.options.inboxReferrals,
      iterations: 40,
      log: (text) => {
        if (/p95|^Seeded/.test(text)) ctx.log(`  ${text.trim()}`);
      },
    });
    const pages = results.filter((r) => r.label.startsWith('page:'));
    return pages.map((r) => ({
      name: `dashboard ${r.label.slice('page: '.length)} p95 at ${ctx.options.inboxReferrals.toLocaleString('en-GB')}`,
      value: r.p95,
      unit: 'ms',
      limit: DASHBOARD_BUDGET_MS,
      better: 'lower' as const,
    }));
  },
};

export const memory: BenchSection = {
  id: 'memory',
  title: 'Resident memory of the app after the loads',
  async run(ctx) {
    ctx.log(`  RSS ${fmt(ctx.app.rssMiB(), 0)} MiB`);
    return [];
  },
};

/**
 * Every section, in the order they run. To add one (e.g. a dashboard p95), write a BenchSection and put it in
 * this list, before `memory` so the memory figure stays "after load".
 */
export const benchSections: BenchSection[] = [
  coldStart,
  publicPages,
  referralSubmit,
  pagesUnderReferralFlood,
  pagesUnderSignInFlood,
  followUpsCatchUp,
  inbox,
  dashboard,
  memory,
];

export { createFormTokens };
