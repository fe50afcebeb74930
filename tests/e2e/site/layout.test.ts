/**
 * Every page works from a 320 px phone to a 1280 px screen: no sideways scrolling, crisis help and the
 * referral link in the first screenful on a phone, screenshots saved for people to look at
 * (test-results/screenshots/, not committed). The leaflet prints on exactly one A4 page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { projectRoot } from '../../../server/site-files.ts';
import { builtPages, launchBrowser, saveScreenshot, startServer, type RunningServer } from '../helpers/browser.ts';

const screenshotDir = join(projectRoot, 'test-results/screenshots');
const widths = [320, 1280] as const;
const pages = builtPages();

function screenshotName(path: string, width: number): string {
  const slug = path.replace(/^\/|\/$/g, '').replace(/[/.]/g, '_') || 'home';
  return join(screenshotDir, `${slug}-${width}.png`);
}

describe('layout', () => {
  let browser: Browser;
  let server: RunningServer;
  const contexts = new Map<number, { context: BrowserContext; page: Page }>();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
    for (const width of widths) {
      const context = await browser.newContext({ viewport: { width, height: width === 320 ? 640 : 900 } });
      contexts.set(width, { context, page: await context.newPage() });
    }
  });

  afterAll(async () => {
    for (const { context } of contexts.values()) await context.close();
    await browser?.close();
    await server?.close();
  });

  const cases = pages.flatMap((path) => widths.map((width) => [path, width] as const));

  it.each(cases)('%s at %i px: no sideways scrolling, screenshot saved', async (path, width) => {
    const { page } = contexts.get(width)!;
    await page.goto(`${server.baseUrl}${path}`);
    const size = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(size.innerWidth).toBe(width);
    expect(size.scrollWidth, `${path} is ${size.scrollWidth}px wide at ${width}px`).toBeLessThanOrEqual(
      size.innerWidth,
    );
    await saveScreenshot(page, screenshotName(path, width));
  });

  it('notices a page that scrolls sideways (so the check can fail)', async () => {
    const { page } = contexts.get(320)!;
    await page.goto(`${server.baseUrl}/`);
    await page.evaluate(() => {
      const wide = document.createElement('div');
      wide.className = 'too-wide';
      wide.textContent = 'wide';
      // Through the CSSOM: the CSP (rightly) refuses style attributes in markup.
      wide.style.width = '600px';
      document.querySelector('main')!.append(wide);
    });
    const size = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(size.scrollWidth).toBeGreaterThan(size.innerWidth);
  });

  it.each(pages)(
    '%s at 320 px: "Exit this page", "Get help now" and "Refer yourself" are on the first screen',
    async (path) => {
      const { page } = contexts.get(320)!;
      await page.goto(`${server.baseUrl}${path}`);
      for (const name of ['Exit this page', 'Get help now', 'Refer yourself']) {
        const box = await page.getByRole('link', { name, exact: true }).first().boundingBox();
        expect(box, name).not.toBeNull();
        expect(box!.y + box!.height, `${name} bottom`).toBeLessThanOrEqual(640);
        expect(box!.x + box!.width, `${name} right`).toBeLessThanOrEqual(320);
        expect(box!.height, `${name} height (tap target)`).toBeGreaterThanOrEqual(24);
      }
    },
  );

  it('"Exit this page" stays on screen while scrolling', async () => {
    const { page } = contexts.get(320)!;
    await page.goto(`${server.baseUrl}/journey/notification-and-shpos/`);
    await page.evaluate(() => window.scrollTo(0, 3000));
    const box = await page.getByRole('link', { name: 'Exit this page', exact: true }).boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(80);
  });

  it('the leaflet prints on one A4 page, without the site header, footer or crisis aside', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/for-professionals/leaflet/`);
    await page.emulateMedia({ media: 'print' });
    const hidden = await page.evaluate(() =>
      ['.site-header', '.site-footer', 'body > .crisis-panel', '.exit-bar', '.leaflet-intro'].map(
        (sel) => getComputedStyle(document.querySelector(sel)!).display,
      ),
    );
    expect(hidden).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(await page.locator('.leaflet .qr-code').isVisible()).toBe(true);
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    const pageCount = (pdf.match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
    expect(pageCount).toBe(1);
    const mediaBox = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf);
    // A4 is 210 x 297 mm = 595.3 x 841.9 points.
    expect(Math.abs(Number(mediaBox![1]) - 595.3)).toBeLessThan(2);
    expect(Math.abs(Number(mediaBox![2]) - 841.9)).toBeLessThan(2);
    await context.close();
  });
});
