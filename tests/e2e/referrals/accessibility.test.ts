/**
 * axe-core (WCAG 2.0-2.2 A and AA) on the referral form, its error state (from the server without
 * JavaScript, and from the browser script with it), the confirmation (plain and with crisis help first)
 * and the under-18 page.
 *
 * axe runs inside the page, so the browser's JavaScript stays on; "without JavaScript" here means the
 * site's own scripts are blocked, which leaves exactly the page a browser with scripts off would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeFor } from '../helpers/axe.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';
import { fillReferral, passMinimumFillTime } from './form-helpers.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function violations(page: Page): Promise<string[]> {
  const results = await axeFor(page).withTags(AXE_TAGS).analyze();
  expect(results.passes.length).toBeGreaterThan(0);
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

describe('referral pages have no axe violations', () => {
  let browser: Browser;
  let server: RunningServer;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(siteScripts: boolean): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    if (!siteScripts) await context.route('**/_astro/**/*.js', (route) => route.abort());
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/refer/`);
    return { page, close: () => context.close() };
  }

  async function submit(page: Page): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }

  it('the form, with and without JavaScript', async () => {
    for (const js of [false, true]) {
      const { page, close } = await open(js);
      expect(await violations(page), `javascript ${js}`).toEqual([]);
      await close();
    }
  });

  it('the error state rendered by the server', async () => {
    const { page, close } = await open(false);
    await fillReferral(page, { ...validAnswers(), phone: 'x', name: '', thoughtsOfEndingLife: 'often' });
    passMinimumFillTime(server);
    await submit(page);
    expect(await page.locator('[data-error-summary]').isVisible()).toBe(true);
    expect(await violations(page)).toEqual([]);
    await close();
  });

  it('the error state shown by the browser script, with crisis help in the form', async () => {
    const { page, close } = await open(true);
    await page.check('input[name="thoughtsOfEndingLife"][value="often"]');
    await page.click('button[type=submit]');
    await page.locator('[data-error-summary]').waitFor({ state: 'visible' });
    await page.locator('[data-risk-live] .risk-help').waitFor();
    expect(await violations(page)).toEqual([]);
    await close();
  });

  it('the confirmation, plain and with crisis help first', async () => {
    for (const risk of [false, true]) {
      const { page, close } = await open(false);
      await fillReferral(
        page,
        validAnswers(risk ? { thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', ableToKeepSafe: 'no' } : {}),
      );
      passMinimumFillTime(server);
      await submit(page);
      expect(await page.locator('[data-reference]').isVisible()).toBe(true);
      expect(await violations(page), `risk ${risk}`).toEqual([]);
      await close();
    }
  });

  it('the under-18 page', async () => {
    const { page, close } = await open(false);
    await page.check('input[name="over18"][value="no"]');
    passMinimumFillTime(server);
    await submit(page);
    expect(await page.locator('h1').textContent()).toBe('If you are under 18');
    expect(await violations(page)).toEqual([]);
    await close();
  });
});
