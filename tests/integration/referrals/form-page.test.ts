import { afterEach, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { toFormBody, validAnswers } from '../../unit/referrals/fixtures.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const tokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1];

it('GET /refer/ sends the form rendered once a day, each time with a fresh token that works', async () => {
  const clock = fixedClock('2026-12-01T10:00:00Z');
  t = await buildTestApp({ clock });
  const first = await t.app.inject({ method: 'GET', url: '/refer/' });
  const second = await t.app.inject({ method: 'GET', url: '/refer/' });
  expect(first.statusCode).toBe(200);
  expect(second.headers['cache-control']).toBe('no-store');
  const [a, b] = [tokenIn(first.body), tokenIn(second.body)];
  expect(a).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(b).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(a).not.toBe(b);
  // The same page around the token, and no trace of the marker.
  expect(second.body.replace(b!, 'TOKEN')).toBe(first.body.replace(a!, 'TOKEN'));
  expect(first.body).not.toContain('form-token-goes-here');
  expect(first.body).toContain('max="2026-12-01"'); // dates of the past may not be after today

  // The second form's token sends a referral.
  clock.advance(60_000);
  const sent = await t.app.inject({
    method: 'POST',
    url: '/refer/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: toFormBody({ ...validAnswers(), formToken: b }),
  });
  expect(sent.statusCode).toBe(200);
  expect(sent.body).toMatch(/SL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/);

  // A new London day renders the form again, with that day's limits.
  clock.set('2026-12-02T00:30:00Z');
  const tomorrow = await t.app.inject({ method: 'GET', url: '/refer/' });
  expect(tomorrow.body).toContain('max="2026-12-02"');
  expect(tomorrow.body).not.toContain('max="2026-12-01"');
});
