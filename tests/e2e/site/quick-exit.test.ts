/**
 * "Exit this page" with JavaScript on: it blanks the page at once, replaces this page in the history
 * (so Back does not return here), answers to Shift pressed three times within 5 seconds, tells screen
 * reader users what is happening, and stores nothing. The neutral site is stubbed so nothing leaves.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';

const EXIT_URL = 'https://www.bbc.co.uk/weather';

describe('quick exit with JavaScript', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let neutralVisits: number;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    neutralVisits = 0;
    context = await browser.newContext();
    await context.route('https://www.bbc.co.uk/**', async (route) => {
      neutralVisits += 1;
      await route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Weather</title><h1>Weather</h1>',
      });
    });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  const status = () => page.locator('[data-quick-exit-status]').textContent();
  const ready = () =>
    page.waitForFunction(() => (document.querySelector('[data-quick-exit-hint]')?.textContent ?? '').includes('Shift'));

  it('tells screen reader users about the Shift shortcut once the script is running', async () => {
    await page.goto(`${server.baseUrl}/`);
    await ready();
    const link = page.getByRole('link', { name: 'Exit this page', exact: true });
    const describedBy = await link.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toContain('press the Shift key 3 times');
    expect(await page.locator('[data-quick-exit-status]').getAttribute('role')).toBe('status');
  });

  it('blanks the page straight away, then leaves without keeping this page in the history', async () => {
    await page.goto(`${server.baseUrl}/about/`);
    await page.goto(`${server.baseUrl}/privacy/`);
    await ready();
    // The click handler hides the page synchronously, before the neutral site starts loading.
    const during = await page.evaluate(() => {
      (document.querySelector('a.quick-exit') as HTMLAnchorElement).click();
      const overlay = document.querySelector('.quick-exit-overlay');
      return {
        overlay: overlay
          ? { position: getComputedStyle(overlay).position, background: getComputedStyle(overlay).backgroundColor }
          : null,
        mainVisibility: getComputedStyle(document.querySelector('main')!).visibility,
        title: document.title,
        status: document.querySelector('[data-quick-exit-status]')?.textContent,
      };
    });
    expect(during).toEqual({
      overlay: { position: 'fixed', background: 'rgb(255, 255, 255)' },
      mainVisibility: 'hidden',
      title: 'Loading',
      status: 'Exiting this page.',
    });
    await page.waitForURL(EXIT_URL);
    expect(neutralVisits).toBe(1);
    // Back skips the page the person left from.
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/about/');
  });

  it('leaves when Shift is pressed three times', async () => {
    await page.goto(`${server.baseUrl}/journey/cautions/`);
    await ready();
    await page.keyboard.press('Shift');
    expect(await status()).toBe('Shift, press 2 more times to exit.');
    await page.keyboard.press('Shift');
    expect(await status()).toBe('Shift, press 1 more time to exit.');
    await page.keyboard.press('Shift');
    await page.waitForURL(EXIT_URL);
    expect(neutralVisits).toBe(1);
  });

  it('forgets Shift presses after 5 seconds', async () => {
    await page.clock.install();
    await page.goto(`${server.baseUrl}/journey/cautions/`);
    await ready();
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    await page.clock.runFor(5_100);
    expect(await status()).toBe('Exit this page expired.');
    await page.keyboard.press('Shift');
    expect(await status()).toBe('Shift, press 2 more times to exit.');
    expect(neutralVisits).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/journey/cautions/');
  });

  it('does not treat typing with Shift (capital letters, Shift+Tab) as a request to leave', async () => {
    await page.goto(`${server.baseUrl}/journey/cautions/`);
    await ready();
    await page.keyboard.press('Shift+A');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+B');
    expect(neutralVisits).toBe(0);
    // Another key between presses starts the count again.
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    await page.keyboard.press('a');
    await page.keyboard.press('Shift');
    expect(neutralVisits).toBe(0);
    expect(await status()).toBe('Shift, press 2 more times to exit.');
    expect(new URL(page.url()).pathname).toBe('/journey/cautions/');
  });

  it('leaves a Ctrl-click (open in a new tab) to the browser', async () => {
    await page.goto(`${server.baseUrl}/`);
    await ready();
    const prevented = await page.evaluate(() => {
      const link = document.querySelector('a.quick-exit') as HTMLAnchorElement;
      const event = new MouseEvent('click', { bubbles: true, cancelable: true, ctrlKey: true, button: 0 });
      // Stop the browser acting on it; only whether the script intercepted it matters here.
      document.addEventListener('click', (e) => e.preventDefault(), { once: true });
      link.dispatchEvent(event);
      return document.querySelector('.quick-exit-overlay') !== null;
    });
    expect(prevented).toBe(false);
  });

  it('stores nothing, before or during an exit', async () => {
    await page.goto(`${server.baseUrl}/looking-after-yourself/`);
    await ready();
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    const stored = await page.evaluate(() => {
      (document.querySelector('a.quick-exit') as HTMLAnchorElement).click();
      return {
        exiting: document.querySelector('.quick-exit-overlay') !== null,
        cookie: document.cookie,
        local: localStorage.length,
        session: sessionStorage.length,
      };
    });
    expect(stored).toEqual({ exiting: true, cookie: '', local: 0, session: 0 });
    await page.waitForURL(EXIT_URL);
    expect(await context.cookies(server.baseUrl)).toEqual([]);
  });
});
