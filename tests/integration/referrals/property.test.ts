import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { referralQuestions, validateReferralAnswers } from '../../../server/referrals/questions.ts';
import { loadReferralAnswers } from '../../../server/referrals/store.ts';
import { TODAY, toFormBody, validAnswers } from '../../unit/referrals/fixtures.ts';
import { apiToken, countReferrals, postForm, postJson, referralApp, type ReferralApp } from './http.ts';

let t: ReferralApp;
beforeAll(async () => {
  t = await referralApp();
});
afterAll(async () => t?.cleanup());

const ids = referralQuestions.map((question) => question.id);
const optionValues = referralQuestions.flatMap((question) =>
  question.kind === 'radios' || question.kind === 'checkboxes' ? question.options.map((option) => option.value) : [],
);

/** Anything a client might send as one value: plausible answers, near misses and junk. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...optionValues),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '2026-02-30',
    '31/12/2026',
    '0113 496 0321',
    '+33123456789',
    'a@b.co',
    '__proto__',
    'constructor',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom(...optionValues, 'x'), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/** Often nothing, sometimes something: so a fair share of bodies are valid and get stored. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, nothing: T) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(nothing) }, { weight: 1, arbitrary });

interface Mutation {
  replaced: Record<string, unknown>;
  removed: string[];
  extra: Record<string, unknown>;
  withToken: boolean;
  honeypot: string | undefined;
}

/** A valid referral with some answers replaced, some removed, and maybe fields that are not questions. */
const mutation: fc.Arbitrary<Mutation> = fc.record({
  replaced: sometimes(fc.dictionary(fc.constantFrom(...ids), anyValue, { minKeys: 1, maxKeys: 4 }), {}),
  removed: sometimes(fc.subarray(ids, { minLength: 1, maxLength: 4 }), []),
  extra: sometimes(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyValue, { minKeys: 1, maxKeys: 2 }), {}),
  withToken: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  honeypot: sometimes(
    fc.string({ minLength: 1, maxLength: 10 }).map((s): string | undefined => s),
    undefined,
  ),
});

/** A fresh form token for each submission, shown a few minutes ago, as a real client would have. */
async function bodyFor(m: Mutation): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { ...validAnswers(), ...m.replaced };
  for (const id of m.removed) delete body[id];
  Object.assign(body, m.extra);
  if (m.withToken) body.formToken = await apiToken(t);
  if (m.honeypot !== undefined) body.website = m.honeypot;
  return body;
}

function storedReferralsAreValid(): void {
  const rows = t.database.sqlite.prepare('SELECT id FROM referrals').all() as Array<{ id: string }>;
  for (const row of rows) {
    const loaded = loadReferralAnswers(t.database.db, t.app.services.keyring, row.id)!;
    const check = validateReferralAnswers(loaded.answers, { today: TODAY });
    expect(check.ok, JSON.stringify(check)).toBe(true);
  }
}

describe('random submissions', () => {
  it('never cause a 5xx from the JSON API, and only valid referrals are ever stored', async () => {
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const body = await bodyFor(m);
        const before = countReferrals(t);
        const res = await postJson(t, body);
        expect(res.statusCode).toBeLessThan(500);
        expect([200, 201, 400]).toContain(res.statusCode);
        expect(countReferrals(t)).toBe(before + (res.statusCode === 201 ? 1 : 0));
        stored += res.statusCode === 201 ? 1 : 0;
      }),
      { numRuns: 150 },
    );
    storedReferralsAreValid();
    // Not vacuous: some random bodies were valid and were stored.
    expect(stored).toBeGreaterThan(0);
  });

  it('never cause a 5xx from the HTML form, and only valid referrals are ever stored', async () => {
    const asFormValue = (value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value;
    const formBody = fc.oneof(
      { weight: 3, arbitrary: mutation.map((m) => ({ kind: 'mutation' as const, m })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((raw) => ({ kind: 'raw' as const, raw })) },
      {
        weight: 1,
        arbitrary: fc
          .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }))
          .map((fields) => ({ kind: 'raw' as const, raw: new URLSearchParams(fields).toString() })),
      },
    );
    await fc.assert(
      fc.asyncProperty(formBody, async (input) => {
        const payload =
          input.kind === 'raw'
            ? input.raw
            : toFormBody(
                Object.fromEntries(
                  Object.entries(await bodyFor(input.m)).map(([key, value]) => [key, asFormValue(value)]),
                ),
              );
        const before = countReferrals(t);
        const res = await postForm(t, {}, { payload });
        expect(res.statusCode).toBeLessThan(500);
        expect([200, 422]).toContain(res.statusCode);
        expect(countReferrals(t)).toBeLessThanOrEqual(before + 1);
        if (res.statusCode === 422) expect(countReferrals(t)).toBe(before);
      }),
      { numRuns: 100 },
    );
    storedReferralsAreValid();
  });
});
