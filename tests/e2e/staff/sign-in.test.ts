/**
 * Staff sign-in in Chromium: enrolment with the authenticator code computed from the key on the page, sign-in with
 * password and code, lockout, idle expiry, sign out everywhere, and CSRF rejection. The back office has no
 * script at all, so these run with JavaScript switched off: plain HTML forms are all it needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { addStaff } from '../../../server/staff/accounts.ts';
import { enrolmentUrl } from '../../../server/auth/enrolment.ts';
import { totpCodeAt } from '../../../server/security/totp.ts';
import { caseNotes } from '../../../db/schema/casework.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { enrolStaff } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

describe('staff sign-in in the browser', () => {
  let browser: Browser;
  let server: StaffServer;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('enrols with a password and an authenticator, shows recovery codes once, then signs in with a code', async () => {
    const { db } = server.t.database;
    const added = addStaff(
      db,
      { email: 'nia@saferlives.test', name: 'Nia Newcomer', role: 'caseworker', officeIds: ['leeds'] },
      null,
      server.clock.now(),
    );
    if (added.kind !== 'added') throw new Error('not added');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(enrolmentUrl(server.baseUrl, added.enrolmentToken));
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Set up your account');
    expect(await page.locator('.qr svg').count()).toBe(1);
    const key = (await page.locator('.typed-key code').innerText()).replace(/\s+/g, '');

    await page.getByLabel('Password', { exact: true }).fill('copper kettle meadow');
    await page.getByLabel('Type the password again').fill('copper kettle meadow');
    await page.getByLabel('The 6-digit code the app now shows').fill(await totpCodeAt(key, server.clock.now()));
    await page.getByRole('button', { name: 'Set up my account' }).click();
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Your account is ready');
    expect(await page.locator('.recovery-codes li').count()).toBe(10);

    await page.getByRole('link', { name: 'I have saved my codes: sign in' }).click();
    await signInInBrowser(page, server, {
      email: 'nia@saferlives.test',
      password: 'copper kettle meadow',
      totpSecret: key,
    });
    // A caseworker starts the day on My work.
    expect(new URL(page.url()).pathname).toBe('/staff/my-work');
    expect((await page.locator('h1').first().innerText()).trim()).toBe('My work');
    const cookie = (await context.cookies()).find((c) => c.name === 'sl_staff');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await context.close();
  });

  it('locks the account after repeated failures and says so without saying whether it exists', async () => {
    const member = await enrolStaff(server.t.database.db, server.t.app.services.keyring, server.clock.now(), {
      role: 'caseworker',
    });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const messages: string[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      await page.goto(`${server.baseUrl}/staff/sign-in`);
      await page.getByLabel('Email address').fill(member.email);
      await page.getByLabel('Password').fill(member.password);
      await page.getByRole('button', { name: 'Continue' }).click();
      if (new URL(page.url()).pathname !== '/staff/sign-in/code') {
        messages.push(await page.locator('.error-summary').innerText());
        break;
      }
      await page.getByLabel('Code from your authenticator app').fill('000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      messages.push(await page.locator('.error-summary').innerText());
    }
    expect(messages[0]).toContain('We could not sign you in with those details');
    expect(messages.at(-1)).toContain('too many attempts');
    await context.close();
  });

  it('signs out after 30 minutes without activity', async () => {
    const member = await enrolStaff(server.t.database.db, server.t.app.services.keyring, server.clock.now(), {
      role: 'caseworker',
    });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    await page.goto(`${server.baseUrl}/staff/account`);
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Your account');
    server.clock.advance(31 * 60_000);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
    expect(await page.locator('.notice').first().innerText()).toContain('not used for 30 minutes');
    await context.close();
  });

  it('signs out everywhere', async () => {
    const member = await enrolStaff(server.t.database.db, server.t.app.services.keyring, server.clock.now(), {
      role: 'manager',
    });
    const laptop = await browser.newContext({ javaScriptEnabled: false });
    const phone = await browser.newContext({ javaScriptEnabled: false });
    const laptopPage = await laptop.newPage();
    const phonePage = await phone.newPage();
    await signInInBrowser(laptopPage, server, member);
    await signInInBrowser(phonePage, server, member);
    await laptopPage.goto(`${server.baseUrl}/staff/account`);
    expect(await laptopPage.locator('main').first().innerText()).toContain('also signed in on 1 other device');
    await laptopPage.getByRole('button', { name: 'Sign out everywhere' }).click();
    expect(await laptopPage.locator('.notice').first().innerText()).toContain('signed out on every device');
    await phonePage.goto(`${server.baseUrl}/staff/account`);
    expect(new URL(phonePage.url()).pathname).toBe('/staff/sign-in');
    await laptop.close();
    await phone.close();
  });

  it('refuses a form with a wrong CSRF token, and a form posted from another site', async () => {
    const { db } = server.t.database;
    const member = await enrolStaff(db, server.t.app.services.keyring, server.clock.now(), { role: 'caseworker' });
    const referral = insertSampleReferral(db, server.t.app.services.keyring, {
      receivedAt: new Date(server.clock.now().getTime() - 3_600_000),
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    await page.goto(`${server.baseUrl}/staff/referrals/${referral.id}`);
    await page
      .locator('#notes input[name="_csrf"]')
      .evaluate((input) => ((input as HTMLInputElement).value = 'forged-token'));
    await page.getByLabel('Note', { exact: true }).fill('should not be saved');
    await page.getByRole('button', { name: 'Save note' }).click();
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Your form could not be sent');

    // Another site (another origin) with a form that posts to the back office as soon as it loads.
    let evil: Server | undefined;
    const evilPort = await new Promise<number>((resolve) => {
      evil = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(
          `<form id="f" method="post" action="${server.baseUrl}/staff/referrals/${referral.id}/notes"><input name="note" value="cross-site"></form><script>document.getElementById('f').submit()</script>`,
        );
      }).listen(0, '127.0.0.1', () => resolve((evil!.address() as { port: number }).port));
    });
    const navigation = page.waitForURL((url) => url.origin === server.baseUrl);
    await page.goto(`http://localhost:${evilPort}/`);
    await navigation;
    expect(new URL(page.url()).pathname).toMatch(/^\/staff\/sign-in|^\/staff\/referrals/);
    await new Promise<void>((resolve) => evil!.close(() => resolve()));
    expect(db.select().from(caseNotes).where(eq(caseNotes.referralId, referral.id)).all()).toHaveLength(0);
    await context.close();
  });
});
