/**
 * The referral form with JavaScript on, in Chromium: the same checks and messages before sending, follow-up
 * questions only when they apply, crisis help the moment an answer shows risk, and nothing stored in the
 * browser at any point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { validateReferralAnswers } from '../../../server/referrals/questions.ts';
import { validAnswers, TODAY } from '../../unit/referrals/fixtures.ts';
import { under18Lines } from '../../../site/components/referral/under-18-help.ts';
import { launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';
import { browserStorage, fillReferral, REFERENCE, referralCount, passMinimumFillTime } from './form-helpers.ts';

describe('the referral form with JavaScript', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let posts: Request[];

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openForm(): Promise<number> {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    posts = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request);
    });
    await page.goto(`${server.baseUrl}/refer/`);
    // The script has run once the follow-up questions are hidden.
    await page.waitForSelector('[data-question="madePlanOrTakenSteps"]', { state: 'hidden' });
    return Date.now();
  }

  it('shows the same messages as the server before sending, sends nothing, and links each to its question', async () => {
    await openForm();
    await page.click('button[type=submit]');
    const summary = page.locator('[data-error-summary]');
    await summary.waitFor({ state: 'visible' });
    expect(posts).toEqual([]);
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    expect(await page.title()).toMatch(/^Error: /);

    // Exactly the server's messages for an empty form.
    const server = validateReferralAnswers({}, { today: TODAY });
    const expected = server.ok ? [] : server.errors.map((error) => error.message);
    expect(await summary.locator('a').allTextContents()).toEqual(expected);
    expect(await page.locator('#name-error').textContent()).toContain('Enter the name you would like us to use');
    expect(await page.getAttribute('#name', 'aria-describedby')).toContain('name-error');
    expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');

    await summary.locator('a[href="#phone"]').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('phone');

    // Putting an answer right removes its message.
    await page.fill('#name', 'Sam');
    await page.locator('#name').blur();
    await page.check('input[name="over18"][value="yes"]');
    expect(await page.locator('#name-error').count()).toBe(0);
    expect(await page.locator('#over18-error').count()).toBe(0);
  });

  it('gives the server messages for wrong answers too (too short a phone, a broken email, follow-ups left out)', async () => {
    await openForm();
    const answers = {
      over18: 'yes',
      phone: '0113 496',
      email: 'name@',
      phoneSafe: 'yes',
      thoughtsOfEndingLife: 'sometimes',
    };
    await fillReferral(page, answers);
    await page.click('button[type=submit]');
    const summary = page.locator('[data-error-summary]');
    await summary.waitFor({ state: 'visible' });
    expect(posts).toEqual([]);
    const server = validateReferralAnswers(answers, { today: TODAY });
    const expected = server.ok ? [] : server.errors.map((error) => error.message);
    expect(expected).toEqual(
      expect.arrayContaining([expect.stringMatching(/UK phone number/), expect.stringMatching(/email address/)]),
    );
    expect(await summary.locator('a').allTextContents()).toEqual(expected);
    expect(await page.locator('#phone-error').textContent()).toContain(
      server.ok ? '' : server.errors.find((e) => e.path === 'phone')!.message,
    );
  });

  it('reveals the plan and safety questions, and crisis help at once for a risk answer', async () => {
    await openForm();
    const plan = page.locator('[data-question="madePlanOrTakenSteps"]');
    const live = page.locator('[data-risk-live]');
    expect(await plan.isVisible()).toBe(false);
    expect(await live.getAttribute('aria-live')).toBe('polite');

    await page.check('input[name="thoughtsOfEndingLife"][value="sometimes"]');
    expect(await plan.isVisible()).toBe(true);
    expect(await live.textContent()).not.toContain('get help now');

    await page.check('input[name="ableToKeepSafe"][value="no"]');
    await live.locator('text=If you might act on these thoughts, get help now').waitFor();
    expect((await live.textContent())?.replace(/\u00a0/g, ' ')).toContain('116 123');
    // Before the rest of the form: the panel comes before the GP question.
    const order = await page.evaluate(() => {
      const panel = document.querySelector('[data-risk-live]')!;
      const gp = document.getElementById('gpPractice')!;
      return panel.compareDocumentPosition(gp) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();

    await page.check('input[name="ableToKeepSafe"][value="yes"]');
    expect(await live.textContent()).not.toContain('get help now');
    await page.check('input[name="thoughtsOfEndingLife"][value="often"]');
    await live.locator('text=If you might act on these thoughts, get help now').waitFor();
  });

  it('shows help for under-18s as soon as he says so', async () => {
    await openForm();
    await page.check('input[name="over18"][value="no"]');
    await page.locator('[data-under-18-live] >> text=If you are under 18').waitFor();
    const help = (await page.locator('[data-under-18-live]').textContent())?.replace(/\u00a0/g, ' ');
    for (const line of under18Lines) expect(help).toContain(line.number);
  });

  it('takes a complete referral to the confirmation, with crisis help first, storing nothing in the browser', async () => {
    await openForm();
    await fillReferral(
      page,
      validAnswers({ thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'prefer_not_to_say', ableToKeepSafe: 'yes' }),
    );
    expect(await browserStorage(page)).toEqual({ cookies: '', local: 0, session: 0, indexedDb: 0 });
    expect(posts).toEqual([]);
    passMinimumFillTime(server);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(response?.status()).toBe(200);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url()).toBe(`${server.baseUrl}/refer`);
    const headings = await page.locator('main h1, main h2').allTextContents();
    expect(headings[0]).toBe('If you might act on these thoughts, get help now');
    expect((await page.locator('[data-reference]').textContent())!.trim()).toMatch(REFERENCE);
    expect(await browserStorage(page)).toEqual({ cookies: '', local: 0, session: 0, indexedDb: 0 });
    expect(await context.cookies()).toEqual([]);
    expect(referralCount(server)).toBeGreaterThan(0);
  });
});
