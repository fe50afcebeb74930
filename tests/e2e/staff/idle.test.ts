/**
 * The 30-minute idle timeout never costs anyone their typing, and it never comes as a surprise:
 * - every page says, without JavaScript, when it will sign you out;
 * - with JavaScript, a warning (announced: role="alert") comes two minutes before, with "Stay signed in";
 * - a form sent after the session ended is kept (encrypted, for that person only, never in the address) and is
 *   back in the same form, with a message, after signing in again; it is not saved as if it had been sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { caseNotes } from '../../../db/schema/casework.ts';
import { formDrafts } from '../../../db/schema/form-drafts.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const MINUTE = 60_000;

describe('idle timeout: warned in time, nothing typed is lost', () => {
  let browser: Browser;
  let server: StaffServer;
  let member: TestStaffMember;
  let referralId: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    member = await enrolStaff(db, server.t.app.services.keyring, server.clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
    });
    referralId = insertSampleReferral(db, server.t.app.services.keyring, {
      receivedAt: new Date(server.clock.now().getTime() - 3_600_000),
      priority: 'today',
    }).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says when it will sign you out, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    const text = await page.locator('[data-idle-warning]').innerText();
    const at = new Date(server.clock.now().getTime() + 29 * MINUTE);
    const hhmm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(at);
    expect(text).toContain(`you will be signed out at ${hhmm}`);
    await context.close();
  });

  it('warns two minutes before, and "Stay signed in" keeps the session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.clock.install({ time: server.clock.now() });
    await signInInBrowser(page, server, member);
    await page.clock.setSystemTime(server.clock.now());
    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}`);
    const box = page.locator('[data-idle-warning]');
    expect(await box.getAttribute('role')).toBeNull();
    expect(await page.getByRole('button', { name: 'Stay signed in' }).isVisible()).toBe(false);

    // 26 minutes in: no warning yet. 27.5 minutes in (two minutes before 29): the warning.
    await page.clock.runFor(26 * MINUTE);
    expect(await box.getAttribute('role')).toBeNull();
    server.clock.advance(27.5 * MINUTE);
    await page.clock.runFor(1.5 * MINUTE);
    expect(await box.getAttribute('role')).toBe('alert');
    expect(await box.innerText()).toContain('You will be signed out at');
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await expect.poll(() => box.innerText()).toContain('You are still signed in');

    // The server agrees: 20 more minutes later (47.5 since the page was loaded) the session is still valid.
    server.clock.advance(20 * MINUTE);
    const response = await page.goto(`${server.baseUrl}/staff/account`);
    expect(new URL(page.url()).pathname).toBe('/staff/account');
    expect(response?.status()).toBe(200);
    await context.close();
  });

  it('a note sent after the timeout is kept and comes back after signing in, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}`);
    const note = 'He asked us to ring after 6pm on Thursday. Secret-word-4471.';
    await page.locator('#notes').getByLabel('Note').fill(note);

    server.clock.advance(31 * MINUTE);
    await page.getByRole('button', { name: 'Save note' }).click();
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
    expect(page.url()).not.toContain('Secret-word');
    expect(await page.locator('.notice').innerText()).toContain('What you typed has been kept');

    const { db } = server.t.database;
    // Kept, but not saved as a note, and not in clear.
    expect(db.select().from(caseNotes).where(eq(caseNotes.referralId, referralId)).all()).toHaveLength(0);
    const kept = db.select().from(formDrafts).where(eq(formDrafts.staffId, member.id)).get();
    expect(kept).toBeDefined();
    expect(kept!.draftEnc).not.toContain('Secret-word');
    expect(server.t.logs.join('\n')).not.toContain('Secret-word');

    await signInInBrowser(page, server, member);
    expect(new URL(page.url()).pathname).toBe(`/staff/referrals/${referralId}`);
    expect(await page.locator('#notes').getByLabel('Note').inputValue()).toBe(note);
    expect(await page.locator('.notice').first().innerText()).toContain('What you typed is back in the form');
    expect(db.select().from(formDrafts).where(eq(formDrafts.staffId, member.id)).get()).toBeUndefined();

    // Sending it now saves it, once.
    await page.getByRole('button', { name: 'Save note' }).click();
    expect(db.select().from(caseNotes).where(eq(caseNotes.referralId, referralId)).all()).toHaveLength(1);
    await context.close();
  });

  it('keeps nothing from a post that is not from our own page (forged or without its token)', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    server.clock.advance(31 * MINUTE);
    const response = await page.request.post(`${server.baseUrl}/staff/referrals/${referralId}/notes`, {
      form: { note: 'forged', _csrf: 'not-the-token' },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(303);
    expect(response.headers().location).toContain('ended=idle');
    expect(response.headers().location).not.toContain('kept');
    const { db } = server.t.database;
    expect(db.select().from(formDrafts).where(eq(formDrafts.staffId, member.id)).get()).toBeUndefined();
    await context.close();
  });
});
