/**
 * The public site's weight budget for the referral form: at most 30 KB transferred (brotli) for a page's
 * HTML, CSS and JS together, as tests/e2e/site/privacy.test.ts checks for every prerendered page. /refer is
 * rendered on request, so it is checked here in each state a person can reach, in Chromium against the real
 * app with JavaScript on (so the form's script counts) and the HTTP cache off (so each page pays for all of
 * its own files):
 * - the form as first opened;
 * - the form sent back by the server (422) with a message the browser's lighter phone check lets through;
 * - the confirmation with crisis help first (its largest form);
 * - the form sent back with every message (posted without JavaScript: the most HTML), plus the CSS and JS
 *   the form loads;
 * - the under-18 page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';
import { fillReferral, REFERENCE, passMinimumFillTime } from './form-helpers.ts';

const PAGE_BUDGET_BYTES = 30 * 1024;

interface Transfer {
  path: string;
  bytes: number;
  encoding: string | undefined;
}

interface Weight {
  document: Transfer;
  assets: Transfer[];
  total: number;
  /** "path bytes, ..." for the failure message. */
  detail: string;
}

describe('weight of the referral pages', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let responses: Response[];

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  async function newPage(javaScriptEnabled = true): Promise<void> {
    await context?.close();
    context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    // Routing turns Chromium's HTTP cache off: every page fetches (and is charged for) all of its files.
    await context.route('**/*', (route) => route.continue());
    page = await context.newPage();
    responses = [];
    page.on('response', (response) => responses.push(response));
  }

  /** Everything transferred since `from` (an index into the responses seen), waiting for the network to settle. */
  async function weightSince(from: number): Promise<Weight> {
    await page.waitForLoadState('networkidle');
    const transfers = await Promise.all(
      responses.slice(from).map(async (response) => ({
        path: new URL(response.url()).pathname,
        bytes: (await response.request().sizes()).responseBodySize,
        encoding: (await response.allHeaders())['content-encoding'],
        isDocument: response.request().resourceType() === 'document',
      })),
    );
    const documents = transfers.filter((transfer) => transfer.isDocument);
    expect(documents, 'one page load').toHaveLength(1);
    const assets = transfers.filter((transfer) => !transfer.isDocument);
    const total = transfers.reduce((sum, transfer) => sum + transfer.bytes, 0);
    return {
      document: documents[0]!,
      assets,
      total,
      detail: transfers.map((transfer) => `${transfer.path} ${transfer.bytes}`).join(', '),
    };
  }

  function expectWithinBudget(weight: Weight, scripts: boolean): void {
    if (process.env.SHOW_WEIGHTS) console.log(`WEIGHT ${weight.total}: ${weight.detail}`);
    expect(weight.document.encoding, 'the HTML is sent compressed with brotli').toBe('br');
    expect(weight.document.bytes).toBeGreaterThan(1000);
    // The page really loaded its own assets (so an empty list cannot pass by accident).
    expect(weight.assets.some((asset) => asset.path.startsWith('/_astro/') && asset.path.endsWith('.css'))).toBe(true);
    if (scripts) {
      expect(weight.assets.some((asset) => asset.path.includes('/_astro/referral-form.'))).toBe(true);
    }
    for (const asset of weight.assets) expect(asset.bytes, asset.path).toBeGreaterThan(0);
    expect(weight.total, weight.detail).toBeLessThanOrEqual(PAGE_BUDGET_BYTES);
  }

  async function submit(): Promise<number> {
    const from = responses.length;
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(response?.request().method()).toBe('POST');
    return from;
  }

  it('the form, the form sent back by the server, and the confirmation with crisis help first', async () => {
    await newPage();
    await page.goto(`${server.baseUrl}/refer/`);
    const form = await weightSince(0);
    expect(form.document.path).toBe('/refer/');
    expectWithinBudget(form, true);

    // 07700 900xxx is reserved for drama: UK-shaped, so the browser lets it through, but not a valid number.
    const risky = { thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', ableToKeepSafe: 'not_sure' };
    await fillReferral(page, validAnswers({ ...risky, phone: '07700 900982' }));
    passMinimumFillTime(server);
    const sentBack = await weightSince(await submit());
    expect(await page.locator('#phone-error').count()).toBe(1);
    expectWithinBudget(sentBack, true);

    await page.fill('#phone', '0113 496 0321');
    const confirmation = await weightSince(await submit());
    expect((await page.locator('[data-reference]').textContent())?.trim()).toMatch(REFERENCE);
    expect(await page.locator('.risk-help').count()).toBe(1);
    expectWithinBudget(confirmation, false);
  });

  it('the form sent back with every message (the most HTML), with the CSS and JS the form loads', async () => {
    await newPage();
    await page.goto(`${server.baseUrl}/refer/`);
    const form = await weightSince(0);

    await newPage(false);
    await page.goto(`${server.baseUrl}/refer/`);
    passMinimumFillTime(server);
    const sentBack = await weightSince(await submit());
    expect(await page.locator('[data-error-summary] li').count()).toBeGreaterThan(10);
    const withScripts: Weight = {
      ...sentBack,
      assets: form.assets,
      total: sentBack.document.bytes + form.assets.reduce((sum, asset) => sum + asset.bytes, 0),
      detail: [sentBack.document, ...form.assets].map((transfer) => `${transfer.path} ${transfer.bytes}`).join(', '),
    };
    expectWithinBudget(withScripts, true);
  });

  it('the under-18 page', async () => {
    await newPage();
    await page.goto(`${server.baseUrl}/refer/`);
    await page.check('input[name="over18"][value="no"]');
    passMinimumFillTime(server);
    const under18 = await weightSince(await submit());
    expect(await page.locator('h1').textContent()).toBe('If you are under 18');
    expectWithinBudget(under18, false);
  });
});
