import { afterEach, describe, expect, it } from 'vitest';
import { referralQuestions } from '../../../server/referrals/questions.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { apiToken, countReferrals, freshAddress, postJson, REFERENCE, referralApp, type ReferralApp } from './http.ts';

let t: ReferralApp;
afterEach(async () => t?.cleanup());

describe('GET /api/referrals/form-token', () => {
  it('gives a fresh signed token, never cached', async () => {
    t = await referralApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/referrals/form-token' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      formToken: expect.stringMatching(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/),
      minimumFillSeconds: 5,
    });
  });
});

describe('POST /api/referrals', () => {
  it('answers 201 {reference, contactBy} and stores the referral', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const res = await postJson(t, { ...validAnswers(), formToken });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['contactBy', 'reference']);
    expect(body.reference).toMatch(new RegExp(`^${REFERENCE.source}$`));
    expect(body.contactBy).toBe('2026-12-08T17:00:00.000Z');
    expect(countReferrals(t)).toBe(1);
  });

  it('answers a repeated token with 200 and the same referral, storing nothing new', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const first = await postJson(t, { ...validAnswers(), formToken });
    const again = await postJson(t, { ...validAnswers(), formToken });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(countReferrals(t)).toBe(1);
  });

  it('answers 400 {errors: [{path, message}]} for invalid answers', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const res = await postJson(t, {
      ...validAnswers({ phone: '+33 1 23 45 67 89', office: 'paris', name: undefined }),
      formToken,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid',
      message: 'Some answers need to be corrected.',
      errors: [
        { path: 'name', message: 'Enter the name you would like us to use' },
        { path: 'office', message: 'Select where you would like to meet us' },
        { path: 'phone', message: 'Enter a UK phone number. We cannot call numbers outside the UK' },
      ],
    });
    expect(countReferrals(t)).toBe(0);
  });

  it('refuses unknown fields by name', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const res = await postJson(t, { ...validAnswers(), formToken, status: 'closed' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'status', message: 'This is not one of the questions on the form' }]);
  });

  it('answers malformed, empty and non-object JSON with 400', async () => {
    t = await referralApp();
    for (const payload of ['{"name": ', '', '{"__proto__": {"x": 1}}']) {
      const res = await postJson(t, null, { payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error).toBe('malformed_json');
      expect(res.json().message).toMatch(/JSON/);
    }
    for (const body of [[validAnswers()], 'text', 42, null]) {
      const res = await postJson(t, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid', errors: [{ path: '' }] });
    }
  });

  it('answers a body over 32 KB with 413 and a wrong content type with 415', async () => {
    t = await referralApp();
    const big = await postJson(t, { ...validAnswers(), anythingElse: 'a'.repeat(33 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'too_large' });
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const res = await postJson(t, null, { headers: { 'content-type': contentType }, payload: 'name=x' });
      expect(res.statusCode, contentType).toBe(415);
      expect(res.json()).toEqual({
        error: 'unsupported_media_type',
        message: 'Send the referral as application/json.',
      });
    }
  });

  it('turns away a honeypot and a too-fast submission with the same neutral answer', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const trap = await postJson(t, { ...validAnswers(), formToken, website: 'http://spam.example' });
    const quickToken = (await t.app.inject({ method: 'GET', url: '/api/referrals/form-token' })).json()
      .formToken as string;
    const fast = await postJson(t, { ...validAnswers(), formToken: quickToken });
    for (const res of [trap, fast]) {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'not_accepted',
        message: 'We could not accept this submission. Check it and send it again.',
      });
    }
    expect(countReferrals(t)).toBe(0);
  });

  it('asks for a form token when there is none', async () => {
    t = await referralApp();
    const res = await postJson(t, validAnswers());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'missing_form_token', errors: [{ path: 'formToken' }] });
  });

  it('stores nothing for someone under 18', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    const res = await postJson(t, { over18: 'no', formToken });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'under_18', errors: [{ path: 'over18' }] });
    expect(countReferrals(t)).toBe(0);
  });

  it('refuses cross-site browser posts with 403 cross_site, and lets programs without browser headers through', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }] as Array<
      Record<string, string>
    >) {
      const res = await postJson(t, { ...validAnswers(), formToken }, { headers });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'cross_site' });
    }
    expect(
      (await postJson(t, { ...validAnswers(), formToken }, { headers: { origin: 'http://localhost:80' } })).statusCode,
    ).toBe(201);
  });

  it('answers the 11th submission in an hour from one address with 429, crisis lines and our email', async () => {
    t = await referralApp();
    const remoteAddress = freshAddress();
    for (let i = 0; i < 10; i++) expect((await postJson(t, {}, { remoteAddress })).statusCode).toBe(400);
    const res = await postJson(t, {}, { remoteAddress });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const body = res.json();
    expect(body).toMatchObject({ error: 'rate_limited', contactEmail: organisation.contactEmail });
    expect(body.crisisLines.map((line: { number: string }) => line.number)).toEqual(['999', '111', '116 123', '85258']);
    expect(body.message).toContain('116 123');
  });

  it('answers 503 unavailable, with help, when the database cannot be written', async () => {
    t = await referralApp();
    const formToken = await apiToken(t);
    t.database.sqlite.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON referrals BEGIN SELECT RAISE(ABORT, 'database is locked'); END;",
    );
    const res = await postJson(t, { ...validAnswers(), formToken });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'unavailable', contactEmail: organisation.contactEmail });
    expect(res.json().message).toContain('nothing was stored');
    expect(countReferrals(t)).toBe(0);
  });
});

describe('GET /api/openapi.json', () => {
  it('publishes an OpenAPI 3 document generated from the question definitions', async () => {
    t = await referralApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/referrals', '/api/referrals/form-token']);
    expect(Object.keys(doc.paths['/api/referrals'].post.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '403',
      '413',
      '415',
      '429',
      '503',
    ]);
    const schema = doc.components.schemas.ReferralSubmission;
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['formToken', 'website', ...referralQuestions.map((q) => q.id)].sort(),
    );
    const alwaysRequired = referralQuestions.filter((q) => q.required).map((q) => q.id);
    expect([...schema.required].sort()).toEqual(['formToken', ...alwaysRequired].sort());
    for (const question of referralQuestions) {
      const property = schema.properties[question.id];
      expect(property.title, question.id).toBe(question.label);
      if (question.kind === 'radios') expect(property.enum).toEqual(question.options.map((option) => option.value));
      if (question.kind === 'text' || question.kind === 'textarea') expect(property.maxLength).toBe(question.maxLength);
      if (question.requiredWhen) expect(property.description).toMatch(/^.*Required when /);
    }
  });
});
