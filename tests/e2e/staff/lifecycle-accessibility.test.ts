/**
 * axe-core (WCAG 2.0-2.2, A and AA) finds nothing on the data lifecycle screens, including their error states,
 * at full width and at 320 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeFor } from '../helpers/axe.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { closedReferral } from '../../integration/retention/support.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

describe('data lifecycle screens: accessibility', () => {
  let browser: Browser;
  let server: StaffServer;
  const members: Record<string, TestStaffMember> = {};
  let referralId: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    for (const role of ['manager', 'admin'] as const)
      members[role] = await enrolStaff(db, keyring, now, { role, officeIds: role === 'admin' ? [] : ['leeds'] });
    referralId = closedReferral(db, keyring, {
      staffId: members.manager!.id,
      receivedAt: new Date(now.getTime() - 40 * 86_400_000),
      closedAt: new Date(now.getTime() - 30 * 86_400_000),
      reason: 'declined',
    }).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function expectNoViolations(page: Page, label: string): Promise<void> {
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 900 });
      const results = await axeFor(page).withTags(AXE_TAGS).analyze();
      const summary = results.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
      expect(summary, `${label} at ${width}px (${page.url()})`).toEqual([]);
      expect(results.passes.length, label).toBeGreaterThan(5);
    }
    expect(await page.locator('h1').count(), label).toBe(1);
  }

  it('manager screens', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInBrowser(page, server, members.manager!);
    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}/data`);
    await expectNoViolations(page, 'his data');
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    expect(await page.content()).toContain('Say why the record must be kept');
    await expectNoViolations(page, 'hold errors');
    await page.getByRole('button', { name: 'Erase his record' }).click();
    await expectNoViolations(page, 'erase errors');
    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}/subject-access`);
    await expectNoViolations(page, 'subject access review');
    await page.goto(`${server.baseUrl}/staff/holds`);
    await expectNoViolations(page, 'holds');
    await page.goto(`${server.baseUrl}/staff/deletions`);
    await expectNoViolations(page, 'deletion report');
    await context.close();
  }, 300_000);

  it('admin screens', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInBrowser(page, server, members.admin!);
    await page.goto(`${server.baseUrl}/staff/admin/retention`);
    await expectNoViolations(page, 'retention policy');
    await page.getByLabel('New period for "Engaged clients"').fill('0');
    await page.locator('button[value="engaged"]').click();
    expect(await page.content()).toContain('choose a period from');
    await expectNoViolations(page, 'retention policy error');
    await context.close();
  }, 300_000);
});
