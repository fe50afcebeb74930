/**
 * The real portal on a real port for back-office browser tests, with PUBLIC_BASE_URL set to the address the
 * browser uses (the staff forms check Origin against it) and a clock the test can move (idle expiry, TOTP steps).
 */
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { totpCodeAt } from '../../../server/security/totp.ts';
import { seedTestOffices, type TestStaffMember } from '../../integration/backoffice/staff-client.ts';

export interface StaffServer {
  t: TestApp;
  baseUrl: string;
  clock: ReturnType<typeof fixedClock>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startStaffServer(): Promise<StaffServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // Real time to start with, so the browser's own cookie clock agrees; tests move it forward.
  const clock = fixedClock(new Date());
  const t = await buildTestApp({ clock, env: { PUBLIC_BASE_URL: baseUrl } });
  seedTestOffices(t.database.db);
  await t.app.listen({ host: '127.0.0.1', port });
  return { t, baseUrl, clock, close: () => t.cleanup() };
}

/** Signs in through the real pages, typing a code computed from the authenticator secret. */
export async function signInInBrowser(
  page: Page,
  server: StaffServer,
  member: Pick<TestStaffMember, 'email' | 'password' | 'totpSecret'>,
): Promise<void> {
  server.clock.advance(30_000); // each code (time step) works once
  await page.goto(`${server.baseUrl}/staff/sign-in`);
  await page.getByLabel('Email address').fill(member.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page
    .getByLabel('Code from your authenticator app')
    .fill(await totpCodeAt(member.totpSecret, server.clock.now()));
  await page.getByRole('button', { name: 'Sign in' }).click();
}
