/**
 * Shared helpers for browser (e2e) tests. Import them from any `tests/e2e/**` test:
 *
 *   import { launchBrowser, startServer, builtPages } from '../helpers/browser.ts';
 *
 *   let browser: Browser; let server: RunningServer;
 *   beforeAll(async () => { [browser, server] = await Promise.all([launchBrowser(), startServer()]); });
 *   afterAll(async () => { await browser?.close(); await server?.close(); });
 *
 * - `launchBrowser()` starts headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH) with the flags
 *   that keep it quiet and offline (no background networking, sync or component updates). Launch ONE per test
 *   file and reuse it; open a fresh `browser.newContext()` per test for a clean profile (no cookies or storage
 *   carried over).
 * - `startServer()` builds the real portal with `buildTestApp` (real SQLite in a temporary folder, real
 *   migrations, the built Astro site) and listens on 127.0.0.1 on a random free port. `baseUrl` has no trailing
 *   slash; `close()` stops it and removes its temporary folders. `app` is the Fastify instance, for `inject`.
 *   It serves a private copy of dist/client (pass `snapshot: false` to serve dist/client itself), so another
 *   test run's `astro build` in the same working tree cannot pull pages from under a running test.
 *   Options: `env` (extra environment for loadConfig, e.g. { PUBLIC_BASE_URL }).
 *   `clock` is the server's clock: real time, which a test can move forward (`clock.advance(ms)`), e.g. past the
 *   referral form's minimum fill time without waiting for it (referrals/form-helpers.ts).
 * - `builtPages()` lists every prerendered public page in dist/client as the path the app serves it at
 *   ("/", "/about/", "/journey/cautions/", "/404.html", "/500.html").
 * - `pageUrl(server, path)` joins the two.
 *
 * The site is built before the e2e run by tests/global-setup.ts (vitest.e2e.config.ts).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../server/clock.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { builtSiteIsComplete, clientDir, waitForBuiltSite } from './built-site.ts';

export { builtPages, builtFileFor, readBuiltPage, waitForBuiltSite } from './built-site.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, ...options });
}

/** Real time plus an offset the test moves forward: the server sees time pass without the test waiting. */
export interface AdvancingClock extends Clock {
  advance(ms: number): void;
}

export function advancingSystemClock(): AdvancingClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface RunningServer {
  app: FastifyInstance;
  /** The server's clock (real time unless a test moved it forward). */
  clock: AdvancingClock;
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  baseUrl: string;
  host: string;
  port: number;
  /** Every line the app logged, for tests that check what never reaches the log. */
  logs: string[];
  /** The folder of built pages this server serves (a private copy of dist/client unless snapshot: false). */
  siteDir: string;
  close(): Promise<void>;
}

/**
 * Copies the built public site to a temporary folder, so a test run serves one consistent build even if
 * another `astro build` (another person's test run in a shared working tree) rewrites dist/ meanwhile.
 */
function snapshotBuiltSite(): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    waitForBuiltSite();
    const copy = mkdtempSync(join(tmpdir(), 'portal-site-'));
    try {
      cpSync(clientDir, copy, { recursive: true });
      if (builtSiteIsComplete(copy)) return copy;
    } catch {
      // dist/ changed under us: try again.
    }
    rmSync(copy, { recursive: true, force: true });
  }
  throw new Error('Could not take a consistent copy of dist/client');
}

export async function startServer(
  options: { env?: Record<string, string>; snapshot?: boolean } = {},
): Promise<RunningServer> {
  const siteDir = options.snapshot === false ? undefined : snapshotBuiltSite();
  const clock = advancingSystemClock();
  let t: TestApp | undefined;
  for (let attempt = 0; !t; attempt++) {
    try {
      t = await buildTestApp({
        clock,
        ...(options.env ? { env: options.env } : {}),
        deps: siteDir ? { clientDir: siteDir } : {},
      });
    } catch (error) {
      // dist/server being rebuilt by someone else: wait for it, then try again.
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
  const app = t;
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.app.server.address();
  if (!address || typeof address === 'string') throw new Error('The app did not report a TCP address');
  const host = '127.0.0.1';
  return {
    app: app.app,
    clock,
    baseUrl: `http://${host}:${address.port}`,
    host,
    port: address.port,
    logs: app.logs,
    siteDir: siteDir ?? clientDir,
    async close() {
      await app.cleanup();
      if (siteDir) rmSync(siteDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-page screenshot for people to look at (test-results/screenshots/). Screenshots are pictures, not
 * checks, and each costs about as much as loading the page: E2E_SCREENSHOTS=0 skips them (CI does: nobody looks at
 * them there, .ci/run).
 */
export async function saveScreenshot(page: Page, path: string): Promise<void> {
  if (process.env.E2E_SCREENSHOTS === '0') return;
  await page.screenshot({ path, fullPage: true });
}

export function pageUrl(server: Pick<RunningServer, 'baseUrl'>, path: string): string {
  return `${server.baseUrl}${path}`;
}
