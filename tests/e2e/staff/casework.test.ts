/**
 * A caseworker's day in Chromium with JavaScript off: from the inbox to the record, a refused voicemail with its
 * explanation (typed note kept), a recorded attempt, a booked appointment, and the messages after each action.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { londonDate } from '../../../server/scheduling/calendar.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

describe('casework without JavaScript', () => {
  let browser: Browser;
  let server: StaffServer;
  let member: TestStaffMember;
  let reference: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    member = await enrolStaff(db, server.t.app.services.keyring, server.clock.now(), {
      role: 'caseworker',
      officeIds: ['leeds'],
    });
    // Safe to call at any time, so the test does not depend on the hour it runs.
    reference = insertSampleReferral(db, server.t.app.services.keyring, {
      receivedAt: new Date(server.clock.now().getTime() - 3_600_000),
      priority: 'today',
      answers: { safeTimes: [] },
    }).reference;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('records attempts within his wishes and books an appointment', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, member);
    // Sign-in lands on My work; a new referral nobody has taken yet is in the inbox.
    await page.goto(`${server.baseUrl}/staff`);
    await page.getByRole('link', { name: reference }).click();
    expect(await page.locator('h1').innerText()).toBe(`Referral ${reference}`);
    const panel = await page.locator('#safe-contact').innerText();
    expect(panel).toContain('No voicemail');
    expect(panel).toContain('Do not say who we are if someone else answers');

    await page.locator('#contact').getByLabel('Phone call').check();
    await page.locator('#contact').getByLabel('Voicemail left').check();
    await page.locator('#contact').getByLabel('Note (optional)').fill('Rang twice, left a short message');
    await page.getByRole('button', { name: 'Record attempt' }).click();
    expect(await page.locator('#contact .error-summary').innerText()).toContain(
      'He said we must not leave a voicemail',
    );
    expect(await page.locator('#contact').getByLabel('Note (optional)').inputValue()).toBe(
      'Rang twice, left a short message',
    );

    await page.locator('#contact').getByLabel('No answer').check();
    await page.getByRole('button', { name: 'Record attempt' }).click();
    expect(await page.locator('.notice').first().innerText()).toContain('Contact attempt recorded');
    expect(await page.locator('.record-summary').innerText()).toContain('Contact attempted');

    const inTwoDays = new Date(server.clock.now().getTime() + 2 * 86_400_000);
    await page
      .locator('#appointment')
      .getByLabel('Date and time')
      .fill(`${londonDate(inTwoDays)}T11:00`);
    await page.locator('#appointment').getByLabel('Remote (phone or video)').check();
    await page.getByRole('button', { name: 'Book appointment' }).click();
    expect(await page.locator('.notice').first().innerText()).toContain('Appointment booked');
    // Booking is not contact: nobody has reached him yet, so he stays in the needs-contact queue.
    expect(await page.locator('.record-summary').innerText()).toContain('Contact attempted');
    expect(await page.locator('#appointments-list + ul').innerText()).toContain('Booked, not yet confirmed with him');
    await context.close();
  });
});
