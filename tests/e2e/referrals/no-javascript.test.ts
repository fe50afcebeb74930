/**
 * The referral form with JavaScript switched off, in Chromium: every step works as a plain HTML form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { UK_PHONE_INVALID_MESSAGE } from '../../../server/referrals/questions.ts';
import { launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';
import { fillReferral, REFERENCE, referralCount, passMinimumFillTime } from './form-helpers.ts';

describe('the referral form without JavaScript', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openForm(): Promise<number> {
    await context?.close();
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    const response = await page.goto(`${server.baseUrl}/refer/`);
    expect(response?.status()).toBe(200);
    return Date.now();
  }

  it('shows every question at once, including the follow-up ones (the script would hide them)', async () => {
    await openForm();
    for (const id of ['madePlanOrTakenSteps', 'ableToKeepSafe', 'voicemail', 'emailSafe']) {
      expect(await page.locator(`[data-question="${id}"]`).isVisible(), id).toBe(true);
    }
  });

  it('sends, shows every problem with his answers kept, then takes the corrected form and confirms', async () => {
    await openForm();
    const answers = validAnswers();
    await fillReferral(page, { ...answers, phone: '0113 49', meetPreference: undefined });
    passMinimumFillTime(server);

    const invalid = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
    expect(invalid?.status()).toBe(422);
    expect(await page.title()).toMatch(/^Error: /);
    const summary = page.locator('[data-error-summary]');
    expect(await summary.isVisible()).toBe(true);
    expect(await summary.locator('a').allTextContents()).toEqual([
      UK_PHONE_INVALID_MESSAGE,
      'Select when you would like to start',
    ]);
    // Each summary link points at its question's first input.
    for (const href of await summary.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
      expect(await page.locator(href!).count()).toBe(1);
    }
    expect(await page.locator('#phone-error').textContent()).toContain('Enter a UK phone number');
    expect(await page.inputValue('#name')).toBe(answers.name);
    expect(await page.inputValue('#phone')).toBe('0113 49');
    expect(await page.inputValue('#anythingElse')).toBe(answers.anythingElse);
    expect(await page.isChecked('#stage-released_under_investigation')).toBe(true);
    expect(await page.isChecked('#confidentialityAgreedVersion')).toBe(true);
    expect(referralCount(server)).toBe(0);

    await page.fill('#phone', '0113 496 0321');
    await page.check('input[name="meetPreference"][value="later"]');
    const ok = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
    expect(ok?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toContain('We have your referral');
    const reference = (await page.locator('[data-reference]').textContent())!.trim();
    expect(reference).toMatch(REFERENCE);
    expect((await page.locator('[data-contact-by]').textContent())?.trim()).toMatch(/^by .+ \d{4}$/);
    expect(page.url()).toBe(`${server.baseUrl}/refer`);
    expect(referralCount(server)).toBe(1);

    // Refreshing the confirmation sends the same form again: same reference, nothing new stored.
    const again = await page.reload();
    expect(again?.status()).toBe(200);
    expect((await page.locator('[data-reference]').textContent())!.trim()).toBe(reference);
    expect(referralCount(server)).toBe(1);
    expect(await context.cookies()).toEqual([]);
  });

  it('puts crisis help first on the confirmation when his answers show risk', async () => {
    await openForm();
    await fillReferral(
      page,
      validAnswers({ thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'no', ableToKeepSafe: 'not_sure' }),
    );
    passMinimumFillTime(server);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const headings = await page.locator('main h1, main h2').allTextContents();
    expect(headings[0]).toBe('If you might act on these thoughts, get help now');
    expect(headings[1]).toContain('We have your referral');
    expect((await page.locator('.risk-help').textContent())?.replace(/\u00a0/g, ' ')).toContain('116 123');
  });

  it('points someone under 18 to the right services and stores nothing', async () => {
    const before = referralCount(server);
    await openForm();
    await page.check('#confidentialityAgreedVersion');
    await page.check('input[name="over18"][value="no"]');
    await page.fill('#name', 'Young Person');
    passMinimumFillTime(server);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.locator('h1').textContent()).toBe('If you are under 18');
    expect(await page.content()).not.toContain('Young Person');
    expect(referralCount(server)).toBe(before);
  });
});
