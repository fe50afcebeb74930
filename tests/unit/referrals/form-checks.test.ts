/**
 * The browser's checks (plain data derived from the definitions, applied by server/referrals/form-checks.ts)
 * against the server's zod validation: for anything a person can put in the form, the same messages for the
 * same questions in the same order. The phone check is lighter on purpose; it must never turn away a number
 * the server accepts, and when it does turn one away it must say what the server says.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formCheckFor, referralFormChecks } from '../../../server/referrals/form-check-data.ts';
import { checkFormValues, ukPhoneShapeProblem, type FormValues } from '../../../server/referrals/form-checks.ts';
import {
  UK_PHONE_INVALID_MESSAGE,
  questionById,
  readPostedForm,
  referralQuestions,
  ukPhoneProblem,
  validateReferralAnswers,
  type Question,
} from '../../../server/referrals/questions.ts';
import { cleanSingleLine } from '../../../server/referrals/text.ts';
import { TODAY, validAnswers } from './fixtures.ts';

function serverMessages(values: FormValues) {
  const result = validateReferralAnswers(readPostedForm(values).answers, { today: TODAY });
  return result.ok ? [] : result.errors;
}

function browserMessages(values: FormValues) {
  return checkFormValues(referralFormChecks, values, TODAY);
}

// Phone numbers both checks judge the same way (the lighter check's gaps are covered separately below).
const PHONES = ['0113 496 0321', '07400 123456', '+44 113 496 0321', '+44 (0)7400 123 456', '12', '0113', 'abc'];
const DATES = ['2026-09-14', '14/09/2026', '1/9/2026', '2026-02-30', 'soon', '2016-11-30', '2016-11-29', '2026-12-02'];
const FUTURE_DATES = ['2026-12-01', '2027-03-27', '2029-12-04', '2029-12-05', '30/11/2026', '31/02/2027'];
const TEXTS = ['', ' ', '  Sam  ', 'Sam', '\u0001', '\u0001Sam', 'a\tb', '\u202eevil', 'e\u0301'];

/** Everything a person could put in one question of the form (values the form's own inputs can send). */
function valuesFor(question: Question): fc.Arbitrary<string | string[] | undefined> {
  switch (question.kind) {
    case 'radios':
      return fc.constantFrom(undefined, ...question.options.map((option) => option.value));
    case 'checkboxes':
      return fc.subarray(question.options.map((option) => option.value));
    case 'confirm':
      return fc.constantFrom(undefined, question.value);
    case 'textarea':
      return fc.constantFrom(
        ...TEXTS,
        'one\r\ntwo\n\n\n\nthree',
        'x'.repeat(question.maxLength),
        'x'.repeat(question.maxLength + 1),
        `${'x'.repeat(question.maxLength)}\n\n\n`,
      );
    case 'date':
      return fc.constantFrom(...TEXTS, ...(question.direction === 'past' ? DATES : FUTURE_DATES), ' 14/09/2026 ');
    case 'text': {
      const extra =
        question.format === 'uk-phone'
          ? PHONES
          : question.format === 'email'
            ? ['name@example.com', ' name@example.com ', 'name@', 'a@b.c']
            : [];
      return fc.constantFrom(
        ...TEXTS,
        ...extra,
        'x'.repeat(question.maxLength),
        'x'.repeat(question.maxLength + 1),
        ` ${'x'.repeat(question.maxLength)} `,
      );
    }
  }
}

const anyForm: fc.Arbitrary<FormValues> = fc.record(
  Object.fromEntries(referralQuestions.map((question) => [question.id, valuesFor(question)])),
  { requiredKeys: [] },
) as fc.Arbitrary<FormValues>;

/** A complete, valid form with one answer changed: the single-problem cases a person usually makes. */
const nearlyValidForm: fc.Arbitrary<FormValues> = fc
  .constantFrom(...referralQuestions)
  .chain((question) => valuesFor(question).map((value) => ({ ...validFormValues(), [question.id]: value })));

function validFormValues(): FormValues {
  const values: FormValues = {};
  for (const [id, value] of Object.entries(validAnswers())) {
    values[id] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return values;
}

describe('the browser checks the form as the server does', () => {
  it('an empty form: every required question, same messages, same order', () => {
    expect(browserMessages({})).toEqual(serverMessages({}));
    expect(browserMessages({}).length).toBeGreaterThan(10);
  });

  it('a complete, valid form: no messages on either side', () => {
    expect(serverMessages(validFormValues())).toEqual([]);
    expect(browserMessages(validFormValues())).toEqual([]);
  });

  it('any mix of answers', () => {
    fc.assert(
      fc.property(anyForm, (values) => {
        expect(browserMessages(values)).toEqual(serverMessages(values));
      }),
      { numRuns: 600 },
    );
  });

  it('one answer wrong in an otherwise complete form', () => {
    fc.assert(
      fc.property(nearlyValidForm, (values) => {
        expect(browserMessages(values)).toEqual(serverMessages(values));
      }),
      { numRuns: 400 },
    );
  });

  it('follow-up questions are required exactly when the server requires them', () => {
    const safe = { ...validFormValues(), phoneSafe: 'yes', voicemail: undefined };
    const unsafe = { ...validFormValues(), phoneSafe: 'no', voicemail: undefined };
    expect(browserMessages(safe).map((error) => error.path)).toEqual(['voicemail']);
    expect(browserMessages(safe)).toEqual(serverMessages(safe));
    expect(browserMessages(unsafe)).toEqual([]);
    expect(serverMessages(unsafe)).toEqual([]);
  });
});

describe('the lighter phone check', () => {
  const rule = formCheckFor(questionById('phone')!).phone!;
  /** What a person might type as a phone number: digits, separators, codes, letters, extensions. */
  const phoneLike = fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') },
        { weight: 2, arbitrary: fc.constantFrom(' ', '-', '.', '(', ')', '\u00a0') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('+44', '+', '00', '0044', '+1', '+33', '+353', 'ext', 'x', 'a', '#', '/'),
        },
      ),
      { maxLength: 18 },
    )
    .map((parts) => parts.join(''));
  const realNumbers = fc.constantFrom(
    '0113 496 0321',
    '01134960321',
    '07700 900982',
    '+447700900982',
    '0044 7700 900982',
    '+44 (0) 113 496 0321',
    '020 7946 0321',
    '0800 123 4567',
    '028 9649 6000',
    '01534 123456',
  );

  it('never turns away a number the server accepts, and uses the server message when it turns one away', () => {
    fc.assert(
      fc.property(fc.oneof(phoneLike, realNumbers), (typed) => {
        const value = cleanSingleLine(typed);
        fc.pre(value !== '');
        const browser = ukPhoneShapeProblem(value, rule);
        if (browser !== null) expect(browser).toBe(ukPhoneProblem(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('catches the usual slips before sending', () => {
    for (const typed of ['0113', '0113 496', '12345', 'phone me', '07700 900 982 1234', '+44 113']) {
      expect(ukPhoneShapeProblem(typed, rule), typed).toBe(UK_PHONE_INVALID_MESSAGE);
      expect(ukPhoneProblem(typed), typed).toBe(UK_PHONE_INVALID_MESSAGE);
    }
  });

  it('leaves other countries to the server (which says we cannot call them)', () => {
    expect(ukPhoneShapeProblem('+33 1 23 45 67 89', rule)).toBeNull();
    expect(ukPhoneProblem('+33 1 23 45 67 89')).toMatch(/outside the UK/);
  });
});

describe('the check data', () => {
  it('is plain JSON (it travels in a data- attribute) and carries no zod or function', () => {
    for (const { check } of referralFormChecks) expect(JSON.parse(JSON.stringify(check))).toEqual(check);
  });

  it('has one entry per question, in form order', () => {
    expect(referralFormChecks.map((entry) => entry.id)).toEqual(referralQuestions.map((question) => question.id));
  });
});
