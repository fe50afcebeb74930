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
 *   slash; `close()` stops it and removes the temporary folder. `app` is the Fastify instance, for `inject`.
 * - `builtPages()` lists every prerendered public page in dist/client as the path the app serves it at
 *   ("/", "/about/", "/journey/cautions/", "/404.html", "/500.html").
 * - `pageUrl(server, path)` joins the two.
 *
 * The site is built before the e2e run by tests/global-setup.ts (vitest.e2e.config.ts).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../helpers/app.ts';
export { builtPages, builtFileFor, readBuiltPage } from './built-site.ts';

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
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, ...options });
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  baseUrl: string;
  host: string;
  port: number;
  /** Every line the app logged, for tests that check what never reaches the log. */
  logs: string[];
  close(): Promise<void>;
}

export async function startServer(options: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  const t = await buildTestApp(options.env ? { env: options.env } : {});
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('The app did not report a TCP address');
  const host = '127.0.0.1';
  return {
    app: t.app,
    baseUrl: `http://${host}:${address.port}`,
    host,
    port: address.port,
    logs: t.logs,
    close: () => t.cleanup(),
  };
}

export function pageUrl(server: Pick<RunningServer, 'baseUrl'>, path: string): string {
  return `${server.baseUrl}${path}`;
}
