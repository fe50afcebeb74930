import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.ts';
import { FORM_TOKEN_RATE_LIMIT, REFERRAL_RATE_LIMIT } from '../../../server/referrals/limits.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { TUESDAY_MORNING, validAnswers } from '../../unit/referrals/fixtures.ts';
import { apiToken, countReferrals, postForm, postJson, referralApp, showForm, type ReferralApp } from './http.ts';

let t: ReferralApp;
afterEach(async () => t?.cleanup());

const DAY_MS = 24 * 60 * 60 * 1000;
const tokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1];

describe('validation first on the no-JavaScript form', () => {
  it('shows field errors and the error summary to someone who presses Send early with answers missing', async () => {
    t = await referralApp();
    const res0 = await t.app.inject({ method: 'GET', url: '/refer/' });
    const formToken = tokenIn(res0.body)!;
    t.clock.advance(1_000); // well under the 5-second minimum fill time
    const res = await postForm(t, { ...validAnswers({ name: '', phone: '' }), formToken });
    expect(res.statusCode).toBe(422);
    // The summary is shown (not hidden) and links to each question left out.
    const has = (pattern: RegExp) => pattern.test(res.body);
    expect(has(/data-error-summary[^>]*hidden/)).toBe(false);
    expect(has(/<a href="#name"[ >]/)).toBe(true);
    expect(has(/<a href="#phone"[ >]/)).toBe(true);
    expect(has(/id="name-error"/)).toBe(true);
    expect(res.body).not.toContain('data-notice="not_accepted"');
    expect(countReferrals(t)).toBe(0);
  });

  it('gives only a complete form sent too fast the "check and send again" notice', async () => {
    t = await referralApp();
    const res0 = await t.app.inject({ method: 'GET', url: '/refer/' });
    const formToken = tokenIn(res0.body)!;
    t.clock.advance(1_000);
    const res = await postForm(t, { ...validAnswers(), formToken });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('data-notice="not_accepted"');
    expect(/data-error-summary[^>]*hidden/.test(res.body)).toBe(true);
    expect(countReferrals(t)).toBe(0);
  });
});

describe('form tokens expire after 24 hours', () => {
  it('re-renders an expired form with his answers kept and a new token, which then sends', async () => {
    t = await referralApp();
    const oldToken = await showForm(t);
    t.clock.advance(DAY_MS + 60_000);
    const res = await postForm(t, { ...validAnswers(), formToken: oldToken });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('data-notice="expired"');
    expect(res.body).toContain('value="Quentin Marchbanks"');
    const newToken = tokenIn(res.body);
    expect(newToken).toBeDefined();
    expect(newToken).not.toBe(oldToken);
    expect(countReferrals(t)).toBe(0);

    t.clock.advance(60_000);
    const again = await postForm(t, { ...validAnswers(), formToken: newToken });
    expect(again.statusCode).toBe(200);
    expect(again.body).toMatch(/SL-/);
    expect(countReferrals(t)).toBe(1);
  });

  it('still accepts a token just under a day old, and the API names an expired token', async () => {
    t = await referralApp();
    const token = await apiToken(t);
    t.clock.advance(DAY_MS - 10 * 60_000);
    expect((await postJson(t, { ...validAnswers(), formToken: token })).statusCode).toBe(201);

    const old = await apiToken(t);
    t.clock.advance(DAY_MS);
    const res = await postJson(t, { ...validAnswers(), formToken: old });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'form_token_expired' });
    expect(countReferrals(t)).toBe(1);
  });

  it('still finds the referral an expired token already made (Back and send again two days later)', async () => {
    t = await referralApp();
    const token = await apiToken(t);
    const first = await postJson(t, { ...validAnswers(), formToken: token });
    expect(first.statusCode).toBe(201);
    t.clock.advance(2 * DAY_MS);
    const again = await postJson(t, { ...validAnswers(), formToken: token });
    expect(again.statusCode).toBe(200);
    expect(again.json().reference).toBe(first.json().reference);
    expect(countReferrals(t)).toBe(1);
  });
});

describe('rate limits', () => {
  it('gives GET /api/referrals/form-token its own limit, which does not use up referrals', async () => {
    t = await referralApp();
    const remoteAddress = '192.0.2.44';
    const get = () => t.app.inject({ method: 'GET', url: '/api/referrals/form-token', remoteAddress });
    for (let i = 0; i < FORM_TOKEN_RATE_LIMIT.max; i++) expect((await get()).statusCode).toBe(200);
    const limited = await get();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: 'rate_limited' });
    // Another address is not affected, and this address can still send a referral.
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/referrals/form-token', remoteAddress: '192.0.2.45' })).statusCode,
    ).toBe(200);
    const formToken = await apiToken(t);
    expect((await postJson(t, { ...validAnswers(), formToken }, { remoteAddress })).statusCode).toBe(201);
  });

  it('groups IPv6 clients by /64: changing the low 64 bits does not escape the referral limit', async () => {
    t = await referralApp();
    for (let i = 0; i < REFERRAL_RATE_LIMIT.max; i++) {
      const formToken = await apiToken(t);
      const res = await postJson(
        t,
        { ...validAnswers(), formToken },
        { remoteAddress: `2001:db8:aa:bb::${(i + 1).toString(16)}` },
      );
      expect(res.statusCode).toBe(201);
    }
    const sameSlash64 = await postJson(
      t,
      { ...validAnswers(), formToken: await apiToken(t) },
      { remoteAddress: '2001:db8:aa:bb:ffff:1234:5678:9abc' },
    );
    expect(sameSlash64.statusCode).toBe(429);
    const otherSlash64 = await postJson(
      t,
      { ...validAnswers(), formToken: await apiToken(t) },
      { remoteAddress: '2001:db8:aa:bc::1' },
    );
    expect(otherSlash64.statusCode).toBe(201);
  });

  it('behind a configured proxy, two clients get separate limits; X-Forwarded-For from anyone else is ignored', async () => {
    const clock = fixedClock(TUESDAY_MORNING);
    const built = await buildTestApp({ clock, env: { TRUST_PROXY: '127.0.0.1' } });
    t = { ...built, clock };
    const send = async (remoteAddress: string, forwardedFor: string) =>
      postJson(
        t,
        { ...validAnswers(), formToken: await apiToken(t) },
        { remoteAddress, headers: { 'x-forwarded-for': forwardedFor } },
      );
    for (let i = 0; i < REFERRAL_RATE_LIMIT.max; i++)
      expect((await send('127.0.0.1', '198.51.100.1')).statusCode).toBe(201);
    expect((await send('127.0.0.1', '198.51.100.1')).statusCode).toBe(429);
    // The second man behind the same proxy is not blocked by the first.
    expect((await send('127.0.0.1', '198.51.100.2')).statusCode).toBe(201);
    // A client that is not the proxy cannot pick a new address by writing the header itself.
    for (let i = 0; i < REFERRAL_RATE_LIMIT.max; i++)
      expect((await send('203.0.113.9', `192.0.2.${i + 1}`)).statusCode).toBe(201);
    expect((await send('203.0.113.9', '192.0.2.200')).statusCode).toBe(429);
  });
});
