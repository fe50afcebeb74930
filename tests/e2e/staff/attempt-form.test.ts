/**
 * The record's contact attempt form offers only the outcomes that fit the chosen channel, in Chromium with
 * JavaScript off (CSS :has hides the rest), and each booked appointment has a form to move it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { appointments, referralAssignments } from '../../../db/schema/casework.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

describe('the record’s attempt and appointment forms', () => {
  let browser: Browser;
  let server: StaffServer;
  let caseworker: TestStaffMember;
  let referral: { id: string; reference: string };

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    server.clock.set('2026-12-07T10:30:00Z'); // Monday
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    caseworker = await enrolStaff(db, keyring, now, { role: 'caseworker', officeIds: ['leeds'], name: 'Casey Worker' });
    referral = insertSampleReferral(db, keyring, { receivedAt: new Date('2026-12-07T09:00:00Z') });
    db.insert(referralAssignments)
      .values({ referralId: referral.id, staffId: caseworker.id, assignedAt: now, assignedBy: caseworker.id })
      .run();
    db.insert(appointments)
      .values({
        id: randomUUID(),
        referralId: referral.id,
        bookedBy: caseworker.id,
        staffId: caseworker.id,
        startsAt: new Date('2026-12-09T11:00:00Z'),
        mode: 'office',
        officeId: 'leeds',
        createdAt: now,
      })
      .run();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('hides the outcomes that do not fit the channel, without JavaScript', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInInBrowser(page, server, caseworker);
    await page.goto(`${server.baseUrl}/staff/referrals/${referral.id}`);
    const form = page.locator('form.attempt-form');
    const outcome = (label: string) => form.getByLabel(label, { exact: true });

    await form.getByLabel('Letter', { exact: true }).check();
    expect(await outcome('Sent, no reply yet').isVisible()).toBe(true);
    expect(await outcome('No answer').isVisible()).toBe(false);
    expect(await outcome('Spoke to him').isVisible()).toBe(false);

    await form.getByLabel('Phone call', { exact: true }).check();
    expect(await outcome('No answer').isVisible()).toBe(true);
    expect(await outcome('Sent, no reply yet').isVisible()).toBe(false);

    // The reschedule form for the booked appointment.
    await page.getByText('Move it to another time').click();
    expect(await page.getByLabel('New date and time').isVisible()).toBe(true);
    await context.close();
  });
});
