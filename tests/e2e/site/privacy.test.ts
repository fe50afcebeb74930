/**
 * Privacy is safety. Every built page, opened in Chromium against the real app:
 * - makes no request to any other host (only the app's own origin);
 * - sets no cookie (Set-Cookie headers, document.cookie, the browser's cookie jar) and uses no storage
 *   (localStorage, sessionStorage, IndexedDB), even after the quick-exit script has run;
 * - breaks no rule of the Content Security Policy (which would mean inline code slipped in);
 * - weighs at most 30 KB transferred (brotli) for its HTML, CSS and JS together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { builtPages, launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';

const PAGE_BUDGET_BYTES = 30 * 1024;
const paths = [...builtPages(), '/no-such-page/'];

interface Visit {
  documentUrl: string;
  expectNotFound: boolean;
  requests: string[];
  setCookies: string[];
  consoleErrors: string[];
}

describe('privacy and weight of every public page', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let visit: Visit;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
    context = await browser.newContext();
    page = await context.newPage();
    page.on('request', (request) => visit.requests.push(request.url()));
    page.on('response', async (response) => {
      const cookie = (await response.allHeaders())['set-cookie'];
      if (cookie) visit.setCookies.push(`${response.url()}: ${cookie}`);
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // The unknown address is meant to answer 404: Chromium logs that for the document itself.
      const expected404 =
        visit.expectNotFound &&
        message.text().includes('status of 404') &&
        message.location().url === visit.documentUrl;
      if (!expected404) visit.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => visit.consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<void> {
    const documentUrl = `${server.baseUrl}${path}`;
    visit = { documentUrl, expectNotFound: path === '/no-such-page/', requests: [], setCookies: [], consoleErrors: [] };
    const response = await page.goto(documentUrl, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(visit.expectNotFound ? 404 : 200);
  }

  /** Bytes the app sends for this URL with brotli, as a browser asking for it would get. */
  async function transferredSize(url: string): Promise<{ bytes: number; encoding: string | undefined }> {
    const { pathname } = new URL(url);
    const res = await server.app.inject({ method: 'GET', url: pathname, headers: { 'accept-encoding': 'br, gzip' } });
    return { bytes: res.rawPayload.length, encoding: res.headers['content-encoding'] as string | undefined };
  }

  it.each(paths)('%s', async (path) => {
    await open(path);
    // The page really loaded its own assets (so an empty list cannot pass by accident).
    expect(visit.requests.some((u) => u.includes('/_astro/') && u.endsWith('.css'))).toBe(true);
    expect(visit.requests.some((u) => u.includes('/_astro/') && u.endsWith('.js'))).toBe(true);

    const origin = new URL(server.baseUrl).host;
    const foreign = visit.requests.filter((u) => /^https?:/.test(u) && new URL(u).host !== origin);
    expect(foreign, 'requests to another host').toEqual([]);
    expect(
      visit.requests.filter((u) => !/^https?:/.test(u) && !u.startsWith('data:')),
      'other schemes',
    ).toEqual([]);

    // Wake the quick-exit script (two Shift presses do not leave) before looking for stored data.
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    expect(visit.setCookies, 'Set-Cookie headers').toEqual([]);
    expect(await context.cookies()).toEqual([]);
    const stored = await page.evaluate(async () => ({
      cookie: document.cookie,
      local: localStorage.length,
      session: sessionStorage.length,
      databases: (await indexedDB.databases()).length,
    }));
    expect(stored).toEqual({ cookie: '', local: 0, session: 0, databases: 0 });
    expect(visit.consoleErrors, 'console errors (for example CSP violations)').toEqual([]);

    const sameOrigin = [...new Set(visit.requests.filter((u) => /^https?:/.test(u) && new URL(u).host === origin))];
    const sizes = await Promise.all(sameOrigin.map(async (u) => ({ url: u, ...(await transferredSize(u)) })));
    const htmlDocument = sizes.find((s) => new URL(s.url).pathname === path);
    expect(htmlDocument?.encoding, 'the HTML is sent compressed with brotli').toBe('br');
    const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
    expect(total, sizes.map((s) => `${new URL(s.url).pathname} ${s.bytes}`).join(', ')).toBeLessThanOrEqual(
      PAGE_BUDGET_BYTES,
    );
  });
});
