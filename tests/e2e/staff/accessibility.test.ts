/**
 * axe-core (WCAG 2.0-2.2, A and AA) finds nothing on any back-office screen, for each role, including the error
 * states of the forms. Also checks every staff response says noindex and no-store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { axeFor, withAxe } from '../helpers/axe.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { addStaff } from '../../../server/staff/accounts.ts';
import { enrolmentUrl } from '../../../server/auth/enrolment.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

describe('back-office accessibility', () => {
  let browser: Browser;
  let server: StaffServer;
  const members: Record<string, TestStaffMember> = {};
  let referralId: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    for (const role of ['caseworker', 'manager', 'admin'] as const)
      members[role] = await enrolStaff(db, keyring, now, { role });
    referralId = insertSampleReferral(db, keyring, {
      receivedAt: new Date(now.getTime() - 3_600_000),
      priority: 'today',
    }).id;
    for (let i = 0; i < 5; i++)
      insertSampleReferral(db, keyring, { receivedAt: new Date(now.getTime() - i * 86_400_000), officeId: 'leeds' });
    db.insert(outboxMessages)
      .values({
        id: randomUUID(),
        kind: 'referral_alert',
        recipientsEnc: 'x',
        subject: 'x',
        bodyEnc: 'x',
        status: 'failed',
        attempts: 5,
        nextAttemptAt: now,
        giveUpAt: now,
        lastError: 'timeout',
        createdAt: now,
      })
      .run();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function expectNoViolations(page: Page, label: string): Promise<void> {
    const results = await axeFor(page).withTags(AXE_TAGS).analyze();
    const summary = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect(summary, `${label} (${page.url()})`).toEqual([]);
    // axe really looked at something (a blank or broken page would pass with no violations).
    expect(results.passes.length, label).toBeGreaterThan(5);
    expect(await page.locator('h1').count(), label).toBe(1);
  }

  async function visit(page: Page, path: string): Promise<void> {
    const response = await page.goto(`${server.baseUrl}${path}`);
    expect(response?.headers()['cache-control'], path).toBe('no-store');
    expect(response?.headers()['x-robots-tag'], path).toContain('noindex');
  }

  it('sign-in and enrolment screens, with their errors', { timeout: 180_000 }, async () => {
    const context = await withAxe(await browser.newContext());
    const page = await context.newPage();
    await visit(page, '/staff/sign-in');
    await expectNoViolations(page, 'sign in');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectNoViolations(page, 'sign in with an error');
    await page.getByLabel('Email address').fill('someone@saferlives.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectNoViolations(page, 'code');
    await page.getByLabel('Code from your authenticator app').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectNoViolations(page, 'code with an error');

    const added = addStaff(
      server.t.database.db,
      { email: 'axe@saferlives.test', name: 'Axe Person', role: 'caseworker', officeIds: ['leeds'] },
      null,
      server.clock.now(),
    );
    if (added.kind !== 'added') throw new Error('not added');
    await page.goto(enrolmentUrl(server.baseUrl, added.enrolmentToken));
    await expectNoViolations(page, 'enrol');
    await page.getByRole('button', { name: 'Set up my account' }).click();
    await expectNoViolations(page, 'enrol with errors');
    await visit(page, '/staff/enrol?token=nonsense');
    await expectNoViolations(page, 'enrolment link expired');
    await context.close();
  });

  it('caseworker screens', { timeout: 180_000 }, async () => {
    const context = await withAxe(await browser.newContext());
    const page = await context.newPage();
    await signInInBrowser(page, server, members.caseworker!);
    // Signing in lands on My work.
    expect(new URL(page.url()).pathname).toBe('/staff/my-work');
    await expectNoViolations(page, 'my work');
    await visit(page, '/staff');
    await expectNoViolations(page, 'inbox');
    await visit(page, `/staff/referrals/${referralId}`);
    await expectNoViolations(page, 'record');
    await page.getByRole('button', { name: 'Record attempt' }).click();
    await expectNoViolations(page, 'record with contact errors');
    await visit(page, '/staff/account');
    await expectNoViolations(page, 'account');
    await visit(page, '/staff/admin/staff');
    await expectNoViolations(page, 'no access');
    await visit(page, '/staff/nothing-here');
    await expectNoViolations(page, 'not found');
    await context.close();
  });

  it('manager screens', { timeout: 180_000 }, async () => {
    const context = await withAxe(await browser.newContext());
    const page = await context.newPage();
    await signInInBrowser(page, server, members.manager!);
    await visit(page, `/staff/referrals/${referralId}`);
    await expectNoViolations(page, 'record for a manager');
    await page.getByRole('button', { name: 'Change priority' }).click();
    await expectNoViolations(page, 'priority errors');
    await visit(page, '/staff/reports');
    await expectNoViolations(page, 'reports');
    await visit(page, '/staff/audit');
    await expectNoViolations(page, 'audit');
    await context.close();
  });

  it('admin screens', { timeout: 180_000 }, async () => {
    const context = await withAxe(await browser.newContext());
    const page = await context.newPage();
    await signInInBrowser(page, server, members.admin!);
    await visit(page, '/staff/admin/staff');
    await expectNoViolations(page, 'staff list');
    await page.getByRole('button', { name: 'Add and create enrolment link' }).click();
    await expectNoViolations(page, 'add staff errors');
    await page.getByLabel('Name').fill('Link Person');
    await page.getByLabel('Work email address').fill('link@saferlives.test');
    await page.getByLabel('Caseworker').check();
    await page.getByLabel('Leeds office').check();
    await page.getByRole('button', { name: 'Add and create enrolment link' }).click();
    await expectNoViolations(page, 'enrolment link');
    await visit(page, `/staff/admin/staff/${members.caseworker!.id}`);
    await expectNoViolations(page, 'staff detail');
    await visit(page, `/staff/admin/staff/${members.caseworker!.id}/pattern`);
    await expectNoViolations(page, 'pattern');
    await visit(page, '/staff/admin/offices');
    await expectNoViolations(page, 'offices');
    await visit(page, '/staff/admin/offices/leeds');
    await expectNoViolations(page, 'office');
    await visit(page, '/staff/admin/mail');
    await expectNoViolations(page, 'failed mail');
    await visit(page, '/staff/audit?verify=1');
    await expectNoViolations(page, 'audit with chain check');
    await context.close();
  });
});
