import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HtmlValidate } from 'html-validate';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { freshAddress, postForm, referralApp, showForm, type ReferralApp } from './http.ts';

/**
 * html-validate over every state of the on-request /refer page (the prerendered pages are checked by
 * npm run validate:html). The repository's recommended rules, with one change: a group of tick boxes shares
 * one name, which HTML allows and the form relies on.
 */
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
});

let t: ReferralApp;
const pages = new Map<string, string>();

beforeAll(async () => {
  t = await referralApp();
  pages.set('form', (await t.app.inject({ method: 'GET', url: '/refer' })).body);
  const token = await showForm(t);
  pages.set(
    'errors, with crisis help showing',
    (await postForm(t, { ...validAnswers({ phone: 'x', thoughtsOfEndingLife: 'often' }), formToken: token })).body,
  );
  pages.set('under 18', (await postForm(t, { over18: 'no', formToken: token })).body);
  pages.set('cross-site problem', (await postForm(t, {}, { headers: { 'sec-fetch-site': 'cross-site' } })).body);
  pages.set('too large problem', (await postForm(t, {}, { payload: `anythingElse=${'a'.repeat(40_000)}` })).body);
  const address = freshAddress();
  for (let i = 0; i < 10; i++) await postForm(t, { formToken: token }, { remoteAddress: address });
  pages.set(
    'rate limited',
    (await postForm(t, { ...validAnswers(), formToken: token }, { remoteAddress: address })).body,
  );
  pages.set(
    'confirmation with crisis help first',
    (
      await postForm(t, {
        ...validAnswers({ thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', ableToKeepSafe: 'no' }),
        formToken: token,
      })
    ).body,
  );
  pages.set('confirmation', (await postForm(t, { ...validAnswers(), formToken: await showForm(t) })).body);
  t.database.sqlite.exec(
    "CREATE TRIGGER refuse BEFORE INSERT ON referrals BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
  );
  pages.set('database unavailable', (await postForm(t, { ...validAnswers(), formToken: await showForm(t) })).body);
});
afterAll(async () => t?.cleanup());

describe('the /refer page is valid HTML in every state', () => {
  it('rendered every state', () => {
    expect(pages.size).toBe(9);
    expect(pages.get('confirmation')).toContain('We have your referral');
    expect(pages.get('rate limited')).toContain('sent too many times');
    expect(pages.get('database unavailable')).toContain('could not send your form');
  });

  it.each([
    'form',
    'errors, with crisis help showing',
    'under 18',
    'cross-site problem',
    'too large problem',
    'rate limited',
    'confirmation with crisis help first',
    'confirmation',
    'database unavailable',
  ])('%s', async (name) => {
    const report = await validator.validateString(pages.get(name)!);
    const problems = report.results.flatMap((result) =>
      result.messages.map((m) => `${m.ruleId}: ${m.message} (${m.selector ?? ''})`),
    );
    expect(problems).toEqual([]);
  });

  it('would report a problem (so the checks above can fail)', async () => {
    const report = await validator.validateString(
      '<!doctype html><html lang="en"><head><title>x</title></head><body><p><div></div></p></body></html>',
    );
    expect(report.valid).toBe(false);
  });
});
