/**
 * Every back-office screen, for every role, works on a 320 px phone: no sideways scrolling and axe-core clean
 * (WCAG 2.2 AA). The screens come from the route table itself (every GET route the role may use), so a new
 * screen is checked without anyone remembering to add it here. On the record, his name and the safe-contact
 * panel are on the first screens, above his answers. Screenshots go to test-results/screenshots/staff-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeFor, withAxe } from '../helpers/axe.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { staffRoutes } from '../../../server/backoffice/route-table.ts';
import type { StaffRoute } from '../../../server/backoffice/http.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { appointments, contactAttempts, escalations, referralAssignments } from '../../../db/schema/casework.ts';
import { STAFF_ROLES, type StaffRole } from '../../../server/staff/roles.ts';
import { launchBrowser, saveScreenshot } from '../helpers/browser.ts';
import { enrolStaff, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const WIDTH = 320;
const screenshotDir = join(projectRoot, 'test-results/screenshots');

/** GET screens a role may open (downloads and sign-out are not screens). */
function screensFor(role: StaffRole): StaffRoute[] {
  return staffRoutes.filter(
    (route) =>
      route.method === 'GET' &&
      route.access.kind === 'staff' &&
      route.access.roles.includes(role) &&
      !route.path.endsWith('.csv') &&
      !route.path.includes('sign-out'),
  );
}

describe('every staff screen at 320 px, for every role', () => {
  let browser: Browser;
  let server: StaffServer;
  const members: Partial<Record<StaffRole, TestStaffMember>> = {};
  let referralId: string;
  let appointmentId: string;

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    for (const role of STAFF_ROLES)
      members[role] = await enrolStaff(db, keyring, now, {
        role,
        officeIds: role === 'admin' ? [] : ['leeds'],
        name: `A ${role} with a rather long name`,
      });
    const caseworker = members.caseworker!;
    // Long, unbroken words are what push a phone screen sideways: give him some.
    const referral = insertSampleReferral(db, keyring, {
      receivedAt: new Date(now.getTime() - 3_600_000),
      priority: 'today',
      officeId: 'leeds',
      answers: {
        name: 'Bartholomew-Montgomery Featherstonehaugh',
        email: 'a.very.long.address.without.breaks@an-example-mail-provider.co.uk',
        anythingElse: 'Please ring after work. Averyveryverylongwordwithoutanyspacesthatmustwrapsomewhere.',
        childrenInHousehold: 'yes',
      },
    });
    referralId = referral.id;
    for (let i = 0; i < 4; i++)
      insertSampleReferral(db, keyring, { receivedAt: new Date(now.getTime() - i * 86_400_000), officeId: 'leeds' });
    db.insert(referralAssignments)
      .values({ referralId, staffId: caseworker.id, assignedAt: now, assignedBy: caseworker.id })
      .run();
    db.insert(contactAttempts)
      .values({
        id: randomUUID(),
        referralId,
        staffId: caseworker.id,
        attemptedAt: new Date(now.getTime() - 600_000),
        channel: 'phone',
        outcome: 'no_answer',
        createdAt: now,
      })
      .run();
    appointmentId = randomUUID();
    db.insert(appointments)
      .values({
        id: appointmentId,
        referralId,
        bookedBy: caseworker.id,
        staffId: caseworker.id,
        startsAt: new Date(now.getTime() + 86_400_000),
        mode: 'office',
        officeId: 'leeds',
        createdAt: now,
      })
      .run();
    // Email is not safe for this man, texts are: his appointment tomorrow is a reminder to send by hand (My work).
    const textOnly = insertSampleReferral(db, keyring, {
      receivedAt: new Date(now.getTime() - 7_200_000),
      officeId: 'leeds',
      answers: { name: 'Maximilian Oppenheimer-Winterbottom', emailSafe: 'no', safeTimes: [] },
    });
    db.insert(appointments)
      .values({
        id: randomUUID(),
        referralId: textOnly.id,
        bookedBy: caseworker.id,
        staffId: caseworker.id,
        startsAt: new Date(now.getTime() + 20 * 3_600_000),
        mode: 'remote',
        createdAt: now,
      })
      .run();
    db.insert(escalations)
      .values({
        id: randomUUID(),
        referralId,
        reason: 'unable_to_contact',
        raisedBy: caseworker.id,
        raisedAt: now,
      })
      .run();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  function concretePath(route: StaffRoute, role: StaffRole): string {
    return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      if (name === 'appointmentId') return appointmentId;
      if (route.path.startsWith('/staff/referrals/')) return referralId;
      if (route.path.startsWith('/staff/admin/offices/')) return 'leeds';
      if (route.path.startsWith('/staff/admin/staff/')) return members.caseworker!.id;
      return members[role]!.id;
    });
  }

  async function check(page: Page, label: string): Promise<void> {
    const size = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(size.innerWidth).toBe(WIDTH);
    // Find what sticks out, to make a failure easy to fix.
    const culprits = await page.evaluate((width) => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 0.5 && out.length < 5)
          out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
      }
      return out;
    }, WIDTH);
    expect(
      size.scrollWidth,
      `${label}: ${size.scrollWidth}px wide at ${WIDTH}px; ${culprits.join('; ')}`,
    ).toBeLessThanOrEqual(WIDTH);
    const results = await axeFor(page).withTags(AXE_TAGS).analyze();
    const summary = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect.soft(summary, label).toEqual([]);
    expect(results.passes.length, label).toBeGreaterThan(5);
  }

  it('the sign-in screen', async () => {
    const context = await withAxe(await browser.newContext({ viewport: { width: WIDTH, height: 640 } }));
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/staff/sign-in`);
    await check(page, 'sign in');
    await context.close();
  });

  it.each(STAFF_ROLES.map((role) => [role] as const))(
    'every screen a %s can open',
    { timeout: 300_000 },
    async (role) => {
      const routes = screensFor(role);
      expect(routes.length).toBeGreaterThan(2);
      const context = await withAxe(await browser.newContext({ viewport: { width: WIDTH, height: 640 } }));
      const page = await context.newPage();
      await signInInBrowser(page, server, members[role]!);
      for (const route of routes) {
        const path = concretePath(route, role);
        const response = await page.goto(`${server.baseUrl}${path}`);
        expect(response?.status(), `${role} ${path}`).toBeLessThan(500);
        expect(new URL(page.url()).pathname, `${role} ${path} kept us signed in`).not.toBe('/staff/sign-in');
        await check(page, `${role} ${route.path}`);
        await saveScreenshot(
          page,
          join(screenshotDir, `staff-${role}-${route.path.replace(/[/:.]+/g, '_')}-${WIDTH}.png`),
        );
      }
      await context.close();
    },
  );

  it('a caseworker lands on My work, with a reminder to send by hand, at 320 px', async () => {
    const context = await withAxe(await browser.newContext({ viewport: { width: WIDTH, height: 640 } }));
    const page = await context.newPage();
    await signInInBrowser(page, server, members.caseworker!);
    expect(new URL(page.url()).pathname).toBe('/staff/my-work');
    const reminders = page.locator('section[aria-labelledby="reminders-heading"]');
    expect(await reminders.innerText()).toContain('Maximilian Oppenheimer-Winterbottom');
    expect(await reminders.getByRole('button', { name: 'Record the reminder text as sent' }).count()).toBe(1);
    await check(page, 'my work with a reminder to send');
    // Sent: recorded (in the contact log), and the task is gone.
    await reminders.getByRole('button', { name: 'Record the reminder text as sent' }).click();
    expect(new URL(page.url()).pathname).toBe('/staff/my-work');
    expect(await page.locator('.notice').first().innerText()).toContain('Reminder recorded');
    expect(await reminders.innerText()).toContain('None to send now.');
    await context.close();
  });

  it('the record shows his name and the safe-contact panel first, above his answers', async () => {
    const context = await withAxe(await browser.newContext({ viewport: { width: WIDTH, height: 640 } }));
    const page = await context.newPage();
    await signInInBrowser(page, server, members.caseworker!);
    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}`);
    const name = await page.locator('.record-name').boundingBox();
    const panel = await page.locator('#safe-contact').boundingBox();
    const words = await page.locator('.his-words').boundingBox();
    const answers = await page.locator('#answers-heading').boundingBox();
    expect(await page.locator('.record-name').innerText()).toContain('Bartholomew-Montgomery Featherstonehaugh');
    expect(name!.y).toBeLessThan(640);
    expect(panel!.y, 'safe-contact panel starts on the first two screens').toBeLessThan(1280);
    expect(panel!.y).toBeLessThan(answers!.y);
    expect(words!.y).toBeLessThan(answers!.y);
    expect(await page.locator('.his-words').innerText()).toContain('Please ring after work');
    // Safeguarding and contact flags look different (not the same style with different words).
    const safeguarding = page.locator('.flag--safeguarding').first();
    expect(await safeguarding.innerText()).toContain('children');
    const styles = await page.evaluate(() => {
      const style = (selector: string) => {
        const el = document.querySelector(selector);
        return el ? `${getComputedStyle(el).backgroundColor}|${getComputedStyle(el).borderStyle}` : null;
      };
      return {
        safeguarding: style('.flag--safeguarding'),
        contact: style('.flag--contact'),
        admin: style('.flag--admin'),
      };
    });
    expect(styles.safeguarding).not.toBeNull();
    expect(styles.safeguarding).not.toBe(styles.contact);
    expect(styles.safeguarding).not.toBe(styles.admin);
    await context.close();
  });
});
