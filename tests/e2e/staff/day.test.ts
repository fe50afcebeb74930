/**
 * A caseworker's day and a manager's decision, in Chromium with JavaScript off, on a clock set to a working week
 * (Monday 7 December 2026, London = UTC in winter):
 * - sign in -> my work -> call in his safe time (afternoons) -> no answer -> the plan shows the next safe window -> reached
 *   -> appointment booked -> he attended;
 * - a Today referral nobody could reach: the caseworker proposes "unable to contact", it goes to a manager (not
 *   closed), the manager finds it on My work, sees the attempts and options, and records a decision.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { contactAttempts, escalations, referralAssignments } from '../../../db/schema/casework.ts';
import { firstContactSlots } from '../../../db/schema/scheduling.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const at = (iso: string) => new Date(iso);

describe("a caseworker's day, and a manager's decision", () => {
  let browser: Browser;
  let server: StaffServer;
  let caseworker: TestStaffMember;
  let manager: TestStaffMember;
  let daily: { id: string; reference: string };
  let urgent: { id: string; reference: string };

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    server.clock.set('2026-12-07T13:30:00Z'); // Monday
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    caseworker = await enrolStaff(db, keyring, now, { role: 'caseworker', officeIds: ['leeds'], name: 'Casey Worker' });
    manager = await enrolStaff(db, keyring, now, { role: 'manager', officeIds: ['leeds'], name: 'Morgan Manager' });

    // Safe to call only in the afternoon; no voicemail.
    daily = insertSampleReferral(db, keyring, {
      receivedAt: at('2026-12-07T09:00:00Z'),
      priority: 'within_7_days',
      answers: { name: 'Dominic Ashgrove', safeTimes: ['afternoon'], voicemail: 'no' },
    });
    db.insert(referralAssignments)
      .values({ referralId: daily.id, staffId: caseworker.id, assignedAt: now, assignedBy: manager.id })
      .run();
    db.insert(firstContactSlots)
      .values({
        referralId: daily.id,
        officeId: 'leeds',
        staffId: caseworker.id,
        kind: 'slot',
        startsAt: at('2026-12-07T14:00:00Z'),
        endsAt: at('2026-12-07T14:30:00Z'),
        channel: 'phone',
        createdAt: now,
      })
      .onConflictDoUpdate({
        target: firstContactSlots.referralId,
        set: { staffId: caseworker.id, startsAt: at('2026-12-07T14:00:00Z'), endsAt: at('2026-12-07T14:30:00Z') },
      })
      .run();

    // A Today referral: three tries on two days, morning and afternoon, by phone and text, none answered.
    urgent = insertSampleReferral(db, keyring, {
      receivedAt: at('2026-12-04T09:30:00Z'), // the Friday before
      priority: 'today',
      answers: { name: 'Ellis Brackenridge', safeTimes: [], gpWelfareCheck: 'yes' },
    });
    db.insert(referralAssignments)
      .values({ referralId: urgent.id, staffId: caseworker.id, assignedAt: now, assignedBy: manager.id })
      .run();
    for (const [when, channel, outcome] of [
      ['2026-12-04T10:00:00Z', 'phone', 'no_answer'],
      ['2026-12-04T15:00:00Z', 'text', 'sent'],
      ['2026-12-07T10:00:00Z', 'phone', 'no_answer'],
    ] as const) {
      db.insert(contactAttempts)
        .values({
          id: randomUUID(),
          referralId: urgent.id,
          staffId: caseworker.id,
          attemptedAt: at(when),
          channel,
          outcome,
          createdAt: at(when),
        })
        .run();
    }
    db.update(referrals).set({ status: 'contact_attempted' }).where(eq(referrals.id, urgent.id)).run();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function record(page: Page, id: string): Promise<void> {
    await page.goto(`${server.baseUrl}/staff/referrals/${id}`);
  }

  async function recordAttempt(page: Page, channel: string, outcome: string): Promise<void> {
    const form = page.locator('#contact');
    await form.getByLabel(channel, { exact: true }).check();
    await form.getByLabel(outcome, { exact: true }).check();
    await page.getByRole('button', { name: 'Record attempt' }).click();
  }

  it(
    'my work -> call in his safe time -> no answer -> next window -> reached -> appointment -> attended',
    { timeout: 300_000 },
    async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      server.clock.set('2026-12-07T14:05:00Z');
      await signInInBrowser(page, server, caseworker);

      // Signing in lands on My work: today's proposed first contact, with its time and channel, and my
      // referrals by deadline.
      expect(new URL(page.url()).pathname).toBe('/staff/my-work');
      expect((await page.locator('h1').first().innerText()).trim()).toBe('My work');
      const today = await page.locator('section[aria-labelledby="today-heading"]').innerText();
      expect(today).toContain('14:00 to 14:30');
      expect(today).toContain('Phone call');
      expect(today).toContain(daily.reference);
      expect(today).toContain('No voicemail');
      const mine = await page.locator('section[aria-labelledby="mine-heading"]').innerText();
      expect(mine).toContain(daily.reference);
      expect(mine).toContain('Dominic Ashgrove');
      expect(mine.indexOf(urgent.reference)).toBeLessThan(mine.indexOf(daily.reference)); // by deadline

      // The call, at 14:05 (inside his afternoons): no answer.
      await page
        .locator('section[aria-labelledby="today-heading"]')
        .getByRole('link', { name: daily.reference })
        .click();
      expect(await page.locator('.record-name').innerText()).toContain('Dominic Ashgrove');
      await recordAttempt(page, 'Phone call', 'No answer');
      expect(await page.locator('.notice').first().innerText()).toContain('Contact attempt recorded');
      expect(await page.locator('.record-summary').innerText()).toContain('Contact attempted');

      // The plan: one of three, and the next safe window for a call is an afternoon.
      const plan = await page.locator('#plan').innerText();
      expect(plan).toContain('1 of at least 3 attempts');
      const phoneWindow = (await page.locator('#plan li', { hasText: 'Phone call:' }).innerText()).trim();
      expect(phoneWindow).not.toContain('Do not use');
      expect(phoneWindow).toMatch(/(1[2-6]):\d\d/);

      // Next day, 15:00: he answers.
      server.clock.set('2026-12-08T15:00:00Z');
      await signInInBrowser(page, server, caseworker); // a day later the session has long ended
      await record(page, daily.id);
      await recordAttempt(page, 'Phone call', 'Spoke to him');
      expect(await page.locator('.record-summary').innerText()).toContain('In contact');
      expect(await page.locator('#plan').count()).toBe(0);

      // An appointment on Thursday at 11:00, an hour, remote, with me.
      const booking = page.locator('#appointment');
      await booking.getByLabel('Date and time').fill('2026-12-10T11:00');
      await booking.getByLabel('How long').selectOption('60');
      await booking.getByLabel('Caseworker who will see him').selectOption(caseworker.id);
      await booking.getByLabel('Remote (phone or video)').check();
      await page.getByRole('button', { name: 'Book appointment' }).click();
      expect(await page.locator('.notice').first().innerText()).toContain('Appointment booked');
      const appointment = page.locator('#appointments-list + ul li').first();
      expect(await appointment.innerText()).toContain('Booked');
      expect(await appointment.innerText()).not.toContain('not yet confirmed');

      await page.goto(`${server.baseUrl}/staff/my-work`);
      expect(await page.locator('section[aria-labelledby="appointments-heading"]').innerText()).toContain(
        daily.reference,
      );
      await page.goto(`${server.baseUrl}/staff/calendar?week=2026-12-07`);
      const thursday = await page.locator('section[aria-labelledby="day-2026-12-10"]').innerText();
      expect(thursday).toContain('Casey Worker');
      expect(thursday).toContain('11:00 to 12:00');

      // Thursday, after the appointment: he came.
      server.clock.set('2026-12-10T12:05:00Z');
      await signInInBrowser(page, server, caseworker);
      await record(page, daily.id);
      await page.getByRole('button', { name: 'He attended' }).click();
      expect(await page.locator('.record-summary').innerText()).toContain('Engaged');
      expect(await page.locator('#appointments-list + ul li').first().innerText()).toContain('Attended');
      await context.close();
    },
  );

  it('a Today referral nobody could reach goes to a manager, who decides', { timeout: 300_000 }, async () => {
    // Later than the first test: a used sign-in code cannot be used again, so the clock never goes back.
    server.clock.set('2026-12-10T16:00:00Z');
    const caseworkerContext = await browser.newContext({ javaScriptEnabled: false });
    const page = await caseworkerContext.newPage();
    await signInInBrowser(page, server, caseworker);
    await record(page, urgent.id);
    expect(await page.locator('#plan').innerText()).toContain('3 of at least 3 attempts');

    // "Unable to contact" on a Today referral: sent to a manager, not closed.
    const status = page.locator('#status');
    await status.getByLabel('Closed', { exact: true }).check();
    await status.getByLabel('Unable to contact', { exact: true }).check();
    await status.getByLabel('If closing: why, in your words').fill('Three calls and a text over two days, no reply.');
    await page.getByRole('button', { name: 'Change status' }).click();
    expect(await page.locator('.record-summary').innerText()).not.toContain('Closed');
    expect(await page.locator('.notice--warning').first().innerText()).toMatch(/manager/i);
    const { db } = server.t.database;
    expect(
      db
        .select()
        .from(escalations)
        .where(eq(escalations.referralId, urgent.id))
        .all()
        .filter((e) => !e.resolvedAt),
    ).toHaveLength(1);
    await caseworkerContext.close();

    const managerContext = await browser.newContext({ javaScriptEnabled: false });
    const managerPage = await managerContext.newPage();
    await signInInBrowser(managerPage, server, manager);
    // A manager who carries no referrals starts on the inbox; My work still shows what waits for a manager.
    expect(new URL(managerPage.url()).pathname).toBe('/staff');
    await managerPage.goto(`${server.baseUrl}/staff/my-work`);
    const waiting = managerPage.locator('section[aria-labelledby="manager-heading"]');
    expect(await waiting.innerText()).toContain(urgent.reference);
    await managerPage.goto(`${server.baseUrl}/staff?manager=1`);
    expect(await managerPage.locator('.inbox-table').innerText()).toContain(urgent.reference);

    await managerPage.goto(`${server.baseUrl}/staff/my-work`);
    await waiting.getByRole('link', { name: urgent.reference }).click();
    // The decision screen is the record's decision panel, opened at it.
    expect(new URL(managerPage.url()).pathname).toBe(`/staff/referrals/${urgent.id}`);
    expect(new URL(managerPage.url()).hash).toBe('#decision');
    expect(await managerPage.locator('main').innerText()).toContain('No answer'); // the attempts, on the same page
    const panel = managerPage.locator('#decision');
    expect(await panel.innerText()).toMatch(/GP/); // he consented to a GP welfare check: offered
    await panel.getByLabel('Ask his GP to check on him').check();
    await panel.getByLabel('Why (required)').fill('Very worried: GP asked to check on him today.');
    await panel.getByRole('button', { name: 'Record my decision' }).click();
    expect(await managerPage.locator('#decision .error-summary').count()).toBe(0);
    expect(
      db
        .select()
        .from(escalations)
        .where(eq(escalations.referralId, urgent.id))
        .all()
        .filter((e) => e.decision),
    ).toHaveLength(1);
    await managerContext.close();
  });
});
