/**
 * `npm run bench`: builds what is stale, then starts the real compiled app (node on dist/app, like `npm start`) on a free 127.0.0.1 port with a fresh
 * database, runs every section of `benchSections` (scripts/bench/sections.ts), prints each figure and each
 * budget as "met" or "missed", and exits 1 when a budget is missed. Not part of `npm test`: machines are noisy.
 *
 *   npm run bench
 *   npm run bench -- --seconds 5 --connections 20 --inbox-referrals 100000 --only submit,referral-flood
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../../tools/build.mjs';
import { startProcess } from './processes.ts';
import { benchSections, createFormTokens, type BenchContext, type Budget } from './sections.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '20' },
    'inbox-referrals': { type: 'string', default: '100000' },
    only: { type: 'string' },
  },
});
const only = values.only ? new Set(values.only.split(',')) : null;
const options = {
  seconds: Number(values.seconds),
  connections: Number(values.connections),
  inboxReferrals: Number(values['inbox-referrals']),
};

const out = (text: string) => process.stdout.write(`${text}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

await build({ onlyIfStale: true, site: true, log: () => {} });
const dataDir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
const sessionSecret = randomBytes(32).toString('base64url');
const tokens = createFormTokens(sessionSecret);
let clientCounter = 0;

out(`safer-lives-portal bench: ${cpus().length} CPUs, load average ${load()} (1, 5, 15 min), node ${process.version}`);
out(`each load ${options.seconds} s, floods ${options.connections} connections, 127.0.0.1 only\n`);

const app = await startProcess('dist/app/server/main.js', (port) => ({
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  DATA_KEY: randomBytes(32).toString('base64'),
  SESSION_SECRET: sessionSecret,
  PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  // Client addresses are varied with X-Forwarded-For, as a reverse proxy on this machine would send them.
  TRUST_PROXY: '127.0.0.1',
  LOG_LEVEL: 'warn',
}));

const budgets: Budget[] = [];
try {
  const ctx: BenchContext = {
    app,
    databasePath: join(dataDir, 'portal.db'),
    dataDir,
    options,
    formTokens: (count) => Array.from({ length: count }, () => tokens.issue(new Date(Date.now() - 60_000))),
    nextClientAddress: () => {
      clientCounter++;
      return `10.${(clientCounter >> 16) & 255}.${(clientCounter >> 8) & 255}.${clientCounter & 255}`;
    },
    log: out,
  };
  for (const section of benchSections) {
    if (only && !only.has(section.id) && section.id !== 'cold-start' && section.id !== 'memory') continue;
    out(`== ${section.title} [${section.id}]`);
    budgets.push(...(await section.run(ctx)));
    out('');
  }
} finally {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

out(`Budgets (load average now ${load()}):`);
let missed = 0;
for (const budget of budgets) {
  const met =
    Number.isFinite(budget.value) &&
    (budget.better === 'lower' ? budget.value < budget.limit : budget.value >= budget.limit);
  if (!met) missed++;
  const sign = budget.better === 'lower' ? '<' : '≥';
  out(
    `  ${met ? 'met   ' : 'MISSED'}  ${budget.name.padEnd(52)} ${(Number.isFinite(budget.value) ? budget.value.toFixed(1) : 'no answer').padStart(9)} ${budget.unit.padEnd(2)}  (budget ${sign} ${budget.limit} ${budget.unit})`,
  );
}
out(missed === 0 ? 'Every budget met.' : `${missed} budget(s) missed.`);
process.exit(missed === 0 ? 0 : 1);
