import { afterEach, describe, expect, it } from 'vitest';
import { referralQuestions } from '../../../server/referrals/questions.ts';
import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { countReferrals, freshAddress, postForm, REFERENCE, referralApp, showForm, type ReferralApp } from './http.ts';
import { under18Advice, under18Lines } from '../../../site/components/referral/under-18-help.ts';

let t: ReferralApp;
afterEach(async () => t?.cleanup());

const CRISIS_NUMBERS = ['999', '116 123', '111', '85258'];

/** Numbers are written with non-breaking spaces so they never wrap; compare them as plain text. */
function expectCrisisNumbers(html: string): void {
  const text = html.replace(/\u00a0|&nbsp;|&#160;/g, ' ');
  for (const number of CRISIS_NUMBERS) expect(text).toContain(number);
}

/** The value attribute of the input with this id, decoded. */
function inputValue(html: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  return tag
    ? /\bvalue="([^"]*)"/
        .exec(tag)?.[1]
        ?.replace(/&amp;/g, '&')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
    : undefined;
}

function isChecked(html: string, id: string): boolean {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0] ?? '';
  return /\bchecked\b/.test(tag);
}

describe('GET /refer', () => {
  it('renders every question from the definition in a plain form, uncached, with no cookie', async () => {
    t = await referralApp();
    for (const url of ['/refer', '/refer/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
      const html = res.body;
      expect(html).toMatch(/<form[^>]*method="post"[^>]*action="\/refer"[^>]*novalidate/);
      for (const question of referralQuestions) {
        expect(html, question.id).toContain(`id="${question.id}"`);
        expect(html, question.id).toContain(`name="${question.id}"`);
      }
      expect(html).toMatch(
        /<input type="hidden" name="formToken" value="[0-9a-z]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"/,
      );
      expect(html).toContain('name="website"');
      // The confidentiality statement, its limits and version come before the first question.
      const firstQuestion = html.indexOf('name="confidentialityAgreedVersion"');
      for (const limit of confidentialityStatement.limits) {
        const at = html.indexOf(limit.replace(/’/g, '’'));
        expect(at).toBeGreaterThan(0);
        expect(at).toBeLessThan(firstQuestion);
      }
      expect(html).toContain(`value="${confidentialityStatement.version}"`);
      expect(html).toContain('href="/privacy/"');
      expectCrisisNumbers(html);
      // No inline script: only external module files.
      for (const script of html.match(/<script[^>]*>/g) ?? []) expect(script).toMatch(/\bsrc="\/_astro\//);
    }
  });

  it('gives each visit its own token', async () => {
    t = await referralApp();
    const first = await showForm(t);
    const second = await showForm(t);
    expect(first).not.toBe(second);
  });
});

describe('POST /refer', () => {
  it('stores a complete referral and answers with the confirmation: reference, contact-by date, what to do meanwhile', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, { ...validAnswers(), formToken, website: '' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
    const html = res.body;
    expect(html).toContain('We have your referral');
    const reference = REFERENCE.exec(html)?.[0];
    expect(reference).toBeDefined();
    expect(html).toContain('by 5pm on Tuesday 8 December 2026');
    expect(html).toContain('short email');
    expectCrisisNumbers(html);
    // The page says nothing he typed back to him (someone may be looking over his shoulder).
    for (const typed of ['Quentin', 'Marchbanks', '496 0321', 'quentin.marchbanks', 'Zephyrine'])
      expect(html).not.toContain(typed);
    expect(countReferrals(t)).toBe(1);
    const row = t.database.sqlite.prepare('SELECT reference FROM referrals').get() as { reference: string };
    expect(row.reference).toBe(reference);
  });

  it('re-renders the same confirmation for a refresh or a second send, and stores one referral', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const first = await postForm(t, { ...validAnswers(), formToken });
    t.clock.advance(30_000);
    const again = await postForm(t, { ...validAnswers({ name: 'Changed Mind' }), formToken });
    expect(again.statusCode).toBe(200);
    expect(REFERENCE.exec(again.body)?.[0]).toBe(REFERENCE.exec(first.body)?.[0]);
    expect(countReferrals(t)).toBe(1);
  });

  it('answers 422 with an error summary linking to each question, a message beside each, and everything he typed', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const typed = validAnswers({
      phone: '0113 49',
      email: 'quentin@',
      meetPreference: undefined,
      anythingElse: 'Line one\r\nLine "two" & <three>',
      policeContactDate: '2026-11-20',
      confidentialityAgreedVersion: undefined,
    });
    const res = await postForm(t, { ...typed, formToken });
    expect(res.statusCode).toBe(422);
    expect(res.headers['cache-control']).toBe('no-store');
    const html = res.body;
    expect(html).toMatch(/<title>Error: /);
    expect(html).toContain('There is a problem');
    for (const [id, message] of [
      ['confidentialityAgreedVersion', 'Tick the box to say you have read what we keep private, and when we cannot'],
      ['phone', 'Enter a UK phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000'],
      ['email', 'Enter an email address in the correct format, like name@example.com'],
      ['meetPreference', 'Select when you would like to start'],
    ] as const) {
      expect(html).toContain(`<a href="#${id}"`);
      expect(html).toMatch(
        new RegExp(`id="${id}-error"[^>]*>\\s*<span class="visually-hidden"[^>]*>Error:</span>\\s*${message}`),
      );
    }
    // Summary order is form order.
    expect(html.indexOf('href="#confidentialityAgreedVersion"')).toBeLessThan(html.indexOf('href="#phone"'));
    expect(html.indexOf('href="#phone"')).toBeLessThan(html.indexOf('href="#meetPreference"'));
    // Everything he typed is still there, exactly as typed.
    expect(inputValue(html, 'name')).toBe('Quentin Marchbanks');
    expect(inputValue(html, 'phone')).toBe('0113 49');
    expect(inputValue(html, 'email')).toBe('quentin@');
    expect(inputValue(html, 'policeContactDate')).toBe('2026-11-20');
    expect(isChecked(html, 'office')).toBe(true);
    expect(isChecked(html, 'safeTimes')).toBe(true);
    expect(isChecked(html, 'safeTimes-afternoon')).toBe(false);
    expect(isChecked(html, 'safeTimes-evening')).toBe(true);
    expect(isChecked(html, 'stage-released_under_investigation')).toBe(true);
    expect(html).toContain('>Line one\r\nLine &quot;two&quot; &amp; &lt;three&gt;</textarea>');
    // The same token comes back, so sending again later is still one referral.
    expect(html).toContain(`value="${formToken}"`);
    expect(countReferrals(t)).toBe(0);
  });

  it('asks him to read the statement again when it changed, with the box unticked', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, { ...validAnswers({ confidentialityAgreedVersion: '2001-01-01.1' }), formToken });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('has changed since you opened this form');
    expect(isChecked(res.body, 'confidentialityAgreedVersion')).toBe(false);
  });

  it('refuses fields the form does not have, keeping his answers', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, { ...validAnswers(), formToken, priority: 'today' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('The form sent something we did not expect');
    expect(inputValue(res.body, 'name')).toBe('Quentin Marchbanks');
    expect(countReferrals(t)).toBe(0);
  });

  it('puts crisis help first on the confirmation when his answers show risk, and still stores the referral', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, {
      ...validAnswers({ thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', ableToKeepSafe: 'not_sure' }),
      formToken,
    });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const help = html.indexOf('If you might act on these thoughts, get help now');
    expect(help).toBeGreaterThan(0);
    expect(help).toBeLessThan(html.indexOf('We have your referral</h1>'));
    expect(html).toContain('go to A&amp;E');
    expect(html).toContain('we will try to contact you sooner');
    expect(html).toContain('by 5pm on Tuesday 1 December 2026');
    expect(countReferrals(t)).toBe(1);
  });

  it('shows crisis help inside the form when it comes back with risk answers', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, { ...validAnswers({ thoughtsOfEndingLife: 'often', phone: '' }), formToken });
    expect(res.statusCode).toBe(422);
    const live = /<div[^>]*data-risk-live[^>]*>([\s\S]*?)<\/div>\s*<\/section>/.exec(res.body)?.[1] ?? '';
    expect(live).toContain('If you might act on these thoughts, get help now');
  });

  it('stores nothing for someone under 18 and shows who can help', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const res = await postForm(t, { over18: 'no', name: 'Young Person', formToken });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('If you are under 18');
    expect(res.body).toContain('We have not kept anything you typed');
    // Only services the domain brief supports, rendered from site/facts/crisis-lines.ts.
    const text = res.body.replace(/\u00a0/g, ' ');
    expect(text).toContain(under18Advice);
    for (const line of under18Lines) {
      expect(text).toContain(line.number);
      if (line.tel) expect(res.body).toContain(`href="${line.tel}"`);
    }
    expect(text).not.toMatch(/Childline|Shore/);
    expect(res.body).not.toContain('Young Person');
    expect(countReferrals(t)).toBe(0);
  });

  it('turns a filled honeypot away with the same neutral message as a too-fast send, keeping his answers', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const trap = await postForm(t, { ...validAnswers(), formToken, website: 'http://spam.example' });
    const fastToken = /name="formToken" value="([^"]+)"/.exec(
      (await t.app.inject({ method: 'GET', url: '/refer' })).body,
    )![1]!;
    const fast = await postForm(t, { ...validAnswers(), formToken: fastToken });
    for (const res of [trap, fast]) {
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Please check your answers and send the form again');
      expect(res.body).not.toMatch(/honeypot|too fast|\bbots?\b/i);
      expect(inputValue(res.body, 'name')).toBe('Quentin Marchbanks');
      expect(res.body).not.toContain('spam.example');
    }
    expect(countReferrals(t)).toBe(0);
  });

  it('gives a forged token back as a fresh one, so he can still send', async () => {
    t = await referralApp();
    const res = await postForm(t, { ...validAnswers(), formToken: 'mx4izwg0.AAAAAAAAAAAAAAAAAAAAAA.forged' });
    expect(res.statusCode).toBe(422);
    const returned = /name="formToken" value="([^"]+)"/.exec(res.body)![1]!;
    expect(returned).not.toContain('forged');
    t.clock.advance(60_000);
    expect((await postForm(t, { ...validAnswers(), formToken: returned })).statusCode).toBe(200);
  });
});

describe('POST /refer refusals', () => {
  it('refuses a cross-site post with a clear page, and accepts same-origin ones even with Origin: null', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const fields = { ...validAnswers(), formToken };
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': '', origin: 'https://evil.example' },
    ] as Array<Record<string, string>>) {
      const res = await postForm(t, fields, { headers });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('The form was sent from another website');
      expect(res.body).toContain(organisation.contactEmail);
      expectCrisisNumbers(res.body);
    }
    expect(countReferrals(t)).toBe(0);
    const ok = await postForm(t, fields, { headers: { 'sec-fetch-site': 'same-origin', origin: 'null' } });
    expect(ok.statusCode).toBe(200);
  });

  it('answers a body over 32 KB with 413 and a page a person can act on', async () => {
    t = await referralApp();
    const res = await postForm(t, {}, { payload: `anythingElse=${'a'.repeat(33 * 1024)}` });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('too big');
    expectCrisisNumbers(res.body);
  });

  it('answers a wrong content type with 415 and a page', async () => {
    t = await referralApp();
    for (const contentType of ['application/json', 'multipart/form-data; boundary=x', 'text/plain']) {
      const res = await postForm(t, {}, { headers: { 'content-type': contentType }, payload: '{"name":"x"}' });
      expect(res.statusCode, contentType).toBe(415);
      expect(res.body).toContain('was not in the format our form uses');
      expectCrisisNumbers(res.body);
    }
  });

  it('limits each address to 10 sends an hour: the 11th gets 429 with his answers, crisis numbers and our email', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const address = freshAddress();
    const fields = { ...validAnswers({ meetPreference: undefined }), formToken };
    for (let i = 0; i < 10; i++) expect((await postForm(t, fields, { remoteAddress: address })).statusCode).toBe(422);
    const limited = await postForm(t, fields, { remoteAddress: address });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('This form has been sent too many times');
    expect(limited.body).toContain(`mailto:${organisation.contactEmail}`);
    expectCrisisNumbers(limited.body);
    expect(inputValue(limited.body, 'name')).toBe('Quentin Marchbanks');
    // The API shares the limit.
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/referrals', remoteAddress: address, payload: {} })).statusCode,
    ).toBe(429);
    // Another address is unaffected.
    expect((await postForm(t, fields)).statusCode).toBe(422);
  });

  it('answers 503 with his answers, crisis numbers and another way to reach us when the database cannot be written', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    t.database.sqlite.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON referrals BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
    );
    const res = await postForm(t, { ...validAnswers(), formToken });
    expect(res.statusCode).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('Sorry, we could not send your form');
    expect(res.body).toContain('Your answers have not been saved');
    expect(res.body).toContain(`mailto:${organisation.contactEmail}`);
    expectCrisisNumbers(res.body);
    expect(inputValue(res.body, 'name')).toBe('Quentin Marchbanks');
    expect(res.body).toContain(`value="${formToken}"`);
    expect(t.logs.some((line) => line.includes('referral could not be saved') && line.includes('"level":50'))).toBe(
      true,
    );

    // When the database is back, sending the same form again works, once.
    t.database.sqlite.exec('DROP TRIGGER refuse');
    const retry = await postForm(t, { ...validAnswers(), formToken });
    expect(retry.statusCode).toBe(200);
    expect(countReferrals(t)).toBe(1);
  });

  it('answers 503 when the database is closed', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    t.database.sqlite.close();
    const res = await postForm(t, { ...validAnswers(), formToken });
    expect(res.statusCode).toBe(503);
    expect(inputValue(res.body, 'name')).toBe('Quentin Marchbanks');
  });

  it('never writes what he typed to the log', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    await postForm(t, { ...validAnswers({ phone: 'bad' }), formToken });
    await postForm(t, { ...validAnswers(), formToken });
    const log = t.logs.join('\n');
    for (const typed of [
      'Quentin',
      'Marchbanks',
      '4960321',
      '0113 49',
      'quentin.marchbanks',
      'Zephyrine',
      'Wharfedale',
      'Otley',
    ]) {
      expect(log).not.toContain(typed);
    }
    expect(log).toContain('referral received');
  });
});
