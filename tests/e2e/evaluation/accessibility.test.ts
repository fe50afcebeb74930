/**
 * The evaluation dashboard (charts and their tables, comments, research export form) and the public anonymous
 * feedback form pass axe (WCAG 2.0-2.2 A and AA) in real Chromium, work with JavaScript off, and the dashboard
 * prints on A4. The feedback form is answered end to end without JavaScript and sets no cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeFor } from '../helpers/axe.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { createFeedbackInvitation, submitFeedback } from '../../../server/feedback/feedback.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from '../staff/staff-server.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

describe('evaluation and feedback pages in a browser', () => {
  let browser: Browser;
  let server: StaffServer;
  let manager: TestStaffMember;
  let admin: TestStaffMember;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    manager = await enrolStaff(db, keyring, now, { role: 'manager', officeIds: ['leeds'] });
    admin = await enrolStaff(db, keyring, now, { role: 'admin', officeIds: [] });
    for (let i = 0; i < 12; i++)
      insertSampleReferral(db, keyring, {
        receivedAt: new Date(now.getTime() - (i + 1) * 86_400_000),
        officeId: 'leeds',
        answers: { heardFrom: i % 2 ? 'police' : 'solicitor' },
      });
    for (let i = 0; i < 6; i++) {
      const code = createFeedbackInvitation(db, 'leeds', now);
      submitFeedback(db, keyring, code, { talk: 5, notJudged: 4, comment: `Helpful conversation ${i}` }, now);
    }
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
    expect(results.passes.length, label).toBeGreaterThan(5);
    expect(await page.locator('h1').count(), label).toBe(1);
  }

  it('the manager dashboard: every chart is an SVG with a title and description, followed by its table', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInBrowser(page, server, manager);
    await page.goto(`${server.baseUrl}/staff/evaluation?period=quarter`);
    await expect(page.getByRole('heading', { level: 1, name: 'Evaluation' }).count()).resolves.toBe(1);
    const charts = page.locator('svg.bar-chart');
    const count = await charts.count();
    expect(count).toBe(10);
    for (let i = 0; i < count; i++) {
      const chart = charts.nth(i);
      expect(await chart.getAttribute('role')).toBe('img');
      expect(await chart.locator('title').count()).toBe(1);
      expect(await chart.locator('desc').count()).toBe(1);
      // The next element after the chart holds its data table.
      const next = chart.locator('xpath=following-sibling::*[1]');
      expect(await next.locator('table').count()).toBe(1);
    }
    expect(await page.getByText('Helpful conversation 5').count()).toBe(1);
    await expectNoViolations(page, 'dashboard');

    // The research export form with its errors.
    await page.getByRole('button', { name: 'Download the research export (CSV)' }).click();
    await page.waitForURL(/research-export/);
    await expect(page.getByText('Say why you need the export').count()).resolves.toBeGreaterThan(0);
    await expectNoViolations(page, 'dashboard with export errors');

    // Printing: A4 pages, no navigation or forms.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.staff-nav').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.length).toBeGreaterThan(1000);
    await context.close();
  }, 300_000);

  it('the admin dashboard (all offices, aggregates only)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInBrowser(page, server, admin);
    await page.goto(`${server.baseUrl}/staff/evaluation`);
    expect(await page.getByText('What clients wrote').count()).toBe(0);
    await expectNoViolations(page, 'admin dashboard');
    await context.close();
  }, 300_000);

  it('the public feedback form: axe clean, with its errors and its thank-you page', async () => {
    // axe runs as a script in the page, so this context has JavaScript; the form itself uses none.
    const context = await browser.newContext();
    const page = await context.newPage();
    const code = createFeedbackInvitation(server.t.database.db, 'leeds', server.clock.now());
    await page.goto(`${server.baseUrl}/feedback?code=${code}`);
    await expectNoViolations(page, 'feedback form');
    await page.getByLabel('Your code').fill('WRONG');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await expectNoViolations(page, 'feedback form with an error');
    await page.getByLabel('Your code').fill(code);
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await expectNoViolations(page, 'feedback thanks');
    await context.close();
  }, 300_000);

  it('the public feedback form works without JavaScript, sets no cookie and asks nothing of another site', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const code = createFeedbackInvitation(server.t.database.db, 'leeds', server.clock.now());
    await page.goto(`${server.baseUrl}/feedback?code=${code}`);
    await page
      .getByRole('group', { name: /did not feel judged/ })
      .getByLabel('Agree', { exact: true })
      .check();
    await page.getByLabel(/anything else/).fill('Thank you');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Thank you');
    expect(await context.cookies()).toEqual([]);
    for (const url of requests) expect(url.startsWith(server.baseUrl), url).toBe(true);
    await context.close();
  }, 300_000);
});
