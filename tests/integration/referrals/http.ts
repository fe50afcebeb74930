import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../../server/clock.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { TUESDAY_MORNING, toFormBody } from '../../unit/referrals/fixtures.ts';

export type Clock = ReturnType<typeof fixedClock>;

export interface ReferralApp extends TestApp {
  clock: Clock;
}

/** The real app at 10:00 on a Tuesday, on a real SQLite file. */
export async function referralApp(): Promise<ReferralApp> {
  const clock = fixedClock(TUESDAY_MORNING);
  const t = await buildTestApp({ clock });
  return { ...t, clock };
}

let addressCounter = 0;
/** A different client address per call, so tests do not share the hourly rate limit by accident. */
export function freshAddress(): string {
  addressCounter += 1;
  return `10.0.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

/** Shows the form and returns its token; then moves the clock on as if he spent a few minutes on it. */
export async function showForm(t: ReferralApp): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/refer/' });
  const token = /name="formToken" value="([^"]+)"/.exec(res.body)?.[1];
  if (!token) throw new Error(`no form token in GET /refer (${res.statusCode})`);
  t.clock.advance(5 * 60_000);
  return token;
}

export function postForm(
  t: ReferralApp,
  fields: Record<string, unknown>,
  options: { headers?: Record<string, string>; remoteAddress?: string; payload?: string } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/refer',
    remoteAddress: options.remoteAddress ?? freshAddress(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...options.headers,
    },
    payload: options.payload ?? toFormBody(fields),
  });
}

export function postJson(
  t: ReferralApp,
  body: unknown,
  options: { headers?: Record<string, string>; remoteAddress?: string; payload?: string } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/referrals',
    remoteAddress: options.remoteAddress ?? freshAddress(),
    headers: { 'content-type': 'application/json', ...options.headers },
    payload: options.payload ?? JSON.stringify(body),
  });
}

export async function apiToken(t: ReferralApp): Promise<string> {
  // Its own address too: tests that send many referrals quickly must not run into the form-token limit.
  const res = await t.app.inject({ method: 'GET', url: '/api/referrals/form-token', remoteAddress: freshAddress() });
  t.clock.advance(5 * 60_000);
  return (res.json() as { formToken: string }).formToken;
}

export function countReferrals(t: TestApp): number {
  return (t.database.sqlite.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n;
}

export const REFERENCE = /SL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/;
