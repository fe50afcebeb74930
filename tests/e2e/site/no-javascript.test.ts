/**
 * Every page is readable and usable with JavaScript switched off: the heading, the crisis help, the
 * refer link and the quick exit are all there, and the plain links (header, timeline) work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { crisisLines } from '../../../site/facts/crisis-lines.ts';
import { builtPages, launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';

const emergency = crisisLines.find((line) => line.id === 'emergency')!;

describe('without JavaScript', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('really has JavaScript switched off', async () => {
    await page.goto(`${server.baseUrl}/`);
    // With scripts off the quick-exit script never adds its Shift hint.
    await expect(page.locator('[data-quick-exit-hint]').textContent()).resolves.not.toContain('Shift');
  });

  it.each(builtPages())('%s shows its heading, crisis help, refer link and quick exit', async (path) => {
    await page.goto(`${server.baseUrl}${path}`);
    const h1 = page.locator('h1');
    expect(await h1.count()).toBe(1);
    expect(await h1.isVisible()).toBe(true);
    expect((await h1.textContent())?.trim()).not.toBe('');

    const crisis = page.locator('#crisis-help');
    expect(await crisis.isVisible()).toBe(true);
    expect(await crisis.getByRole('link', { name: new RegExp(emergency.number) }).getAttribute('href')).toBe(
      emergency.tel,
    );

    const refer = page.getByRole('link', { name: 'Refer yourself' }).first();
    expect(await refer.isVisible()).toBe(true);
    expect(await refer.getAttribute('href')).toBe('/refer/');

    const exit = page.getByRole('link', { name: 'Exit this page', exact: true });
    expect(await exit.isVisible()).toBe(true);
    expect(await exit.getAttribute('href')).toBe('https://www.bbc.co.uk/weather');
    expect(await exit.getAttribute('rel')).toContain('noreferrer');

    // CSS loaded (the page is styled, not bare HTML).
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector('.quick-exit')!).backgroundColor),
    ).not.toBe('rgba(0, 0, 0, 0)');
  });

  it('"Get help now" jumps to the crisis help on the same page', async () => {
    await page.goto(`${server.baseUrl}/journey/sentencing/`);
    await page.getByRole('link', { name: 'Get help now' }).click();
    expect(new URL(page.url()).hash).toBe('#crisis-help');
    expect(await page.locator('#crisis-help').isVisible()).toBe(true);
    const box = await page.locator('#crisis-help h2').boundingBox();
    expect(box && box.y >= 0 && box.y < 900).toBe(true);
  });

  it('a stage on the timeline is a working link', async () => {
    await page.goto(`${server.baseUrl}/what-happens-next/`);
    await page.locator('svg.timeline a').nth(2).click();
    await page.waitForURL(/\/journey\/devices-and-forensic-examination\/$/);
    expect(await page.locator('h1').textContent()).toBe('Devices and forensic examination');
  });

  it('the exit link works as a plain link (and, without JavaScript, leaves this page in the history)', async () => {
    await context.route('https://www.bbc.co.uk/**', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Weather</title><h1>Weather</h1>',
      }),
    );
    await page.goto(`${server.baseUrl}/about/`);
    await page.goto(`${server.baseUrl}/privacy/`);
    await page.getByRole('link', { name: 'Exit this page', exact: true }).click();
    await page.waitForURL('https://www.bbc.co.uk/weather');
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/privacy/');
    await context.unroute('https://www.bbc.co.uk/**');
  });
});
