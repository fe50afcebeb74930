import { describe, expect, it } from 'vitest';
import {
  answersShowRisk,
  questionById,
  readPostedForm,
  referralQuestions,
  referralSections,
  validateReferralAnswers,
  type QuestionId,
} from '../../../server/referrals/questions.ts';
import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';
import { TODAY, validAnswers } from './fixtures.ts';

const ctx = { today: TODAY };

function errorsFor(overrides: Record<string, unknown>) {
  const result = validateReferralAnswers(validAnswers(overrides), ctx);
  return result.ok ? [] : result.errors;
}

function storedValue(id: string, value: unknown, alongside: Record<string, unknown> = {}): unknown {
  const result = validateReferralAnswers(validAnswers({ ...alongside, [id]: value }), ctx);
  if (!result.ok)
    throw new Error(`expected ${id}=${JSON.stringify(value)} to be valid: ${JSON.stringify(result.errors)}`);
  return (result.answers as Record<string, unknown>)[id];
}

function messageFor(id: string, value: unknown): string | undefined {
  return errorsFor({ [id]: value }).find((error) => error.path === id)?.message;
}

interface QuestionCase {
  /** Accepted values and what is stored for each (undefined: not stored). */
  valid: Array<[input: unknown, stored: unknown]>;
  /** Refused values and the message he sees. */
  invalid: Array<[input: unknown, message: string | RegExp]>;
  /** Other answers that must come with this one (for example follow-up questions it makes required). */
  alongside?: Record<string, unknown>;
  /** Conditional questions: answers that make it required, and answers that make it optional. */
  requiredWhen?: { required: Record<string, unknown>; optional: Record<string, unknown> };
}

const long = (n: number) => 'a'.repeat(n);

/** Every question must have an entry here: adding a question without tests fails the first test below. */
const cases: Record<QuestionId, QuestionCase> = {
  confidentialityAgreedVersion: {
    valid: [[confidentialityStatement.version, confidentialityStatement.version]],
    invalid: [
      [undefined, 'Tick the box to say you have read what we keep private, and when we cannot'],
      ['2001-01-01.1', /has changed since you opened this form/],
      [true, 'Tick the box to say you have read what we keep private, and when we cannot'],
    ],
  },
  over18: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [
      [undefined, 'Select yes if you are 18 or over'],
      ['maybe', 'Select yes if you are 18 or over'],
    ],
  },
  name: {
    valid: [
      ['Sam', 'Sam'],
      ['  Sam \u0000 Smith\t ', 'Sam Smith'],
      ['Zoë O’Brien-Łukasz', 'Zoë O’Brien-Łukasz'],
      [long(100), long(100)],
    ],
    invalid: [
      [undefined, 'Enter the name you would like us to use'],
      ['', 'Enter the name you would like us to use'],
      ['   \u0007 ', 'Enter the name you would like us to use'],
      [long(101), 'The name must be 100 characters or fewer'],
      [42, 'Enter text'],
    ],
  },
  nation: {
    valid: [
      ['england', 'england'],
      ['wales', 'wales'],
      ['scotland', 'scotland'],
      ['northern_ireland', 'northern_ireland'],
    ],
    invalid: [
      [undefined, 'Select which part of the UK you live in'],
      ['france', 'Select which part of the UK you live in'],
    ],
  },
  area: {
    valid: [
      ['LS6', 'LS6'],
      ['', undefined],
      [undefined, undefined],
      ['  Leeds\u202e ', 'Leeds'],
    ],
    invalid: [[long(61), 'Your town or postcode must be 60 characters or fewer']],
  },
  office: {
    valid: [
      ['leeds', 'leeds'],
      ['manchester', 'manchester'],
      ['remote', 'remote'],
    ],
    invalid: [
      [undefined, 'Select where you would like to meet us'],
      ['london', 'Select where you would like to meet us'],
    ],
  },
  phone: {
    valid: [
      ['0113 496 0321', '+441134960321'],
      ['(0161) 496-0000', '+441614960000'],
      ['+44 113 496 0321', '+441134960321'],
      ['07123 456789', '+447123456789'],
    ],
    invalid: [
      [undefined, 'Enter a phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000'],
      ['', 'Enter a phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000'],
      ['01234', 'Enter a UK phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000'],
      [
        'not a number',
        'Enter a UK phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000',
      ],
      ['+33 1 23 45 67 89', 'Enter a UK phone number. We cannot call numbers outside the UK'],
      [long(31), 'The phone number must be 30 characters or fewer'],
    ],
  },
  phoneSafe: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if it is safe for us to use this number']],
  },
  voicemail: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [
      [undefined, 'Select yes if we can leave a voicemail'],
      ['sometimes', 'Select yes if we can leave a voicemail'],
    ],
    requiredWhen: { required: { phoneSafe: 'yes' }, optional: { phoneSafe: 'no' } },
  },
  textMessages: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if we can send you text messages']],
    requiredWhen: { required: { phoneSafe: 'yes' }, optional: { phoneSafe: 'no' } },
  },
  withheldNumber: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if we can call you from a withheld number']],
    requiredWhen: { required: { phoneSafe: 'yes' }, optional: { phoneSafe: 'no' } },
  },
  sayWhoWeAre: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if we can say who we are when someone else answers']],
    requiredWhen: { required: { phoneSafe: 'yes' }, optional: { phoneSafe: 'no' } },
  },
  safeTimes: {
    valid: [
      [
        ['evening', 'morning', 'evening'],
        ['morning', 'evening'],
      ],
      [[], []],
      [undefined, []],
    ],
    invalid: [
      [['midnight'], 'Select the times that are safe to call you'],
      ['morning', 'Select the times that are safe to call you'],
    ],
  },
  email: {
    valid: [
      ['  sam@example.org ', 'sam@example.org'],
      ['', undefined],
    ],
    invalid: [
      ['sam@', 'Enter an email address in the correct format, like name@example.com'],
      ['sam example.org', 'Enter an email address in the correct format, like name@example.com'],
      ['<sam@example.org>', 'Enter an email address in the correct format, like name@example.com'],
      [`${long(250)}@example.org`, 'The email address must be 254 characters or fewer'],
    ],
  },
  emailSafe: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if it is safe for us to email you']],
    requiredWhen: { required: { email: 'sam@example.org' }, optional: { email: '' } },
  },
  postalAddress: {
    valid: [
      ['1 Example Street\r\nLeeds LS1 1AA', '1 Example Street\nLeeds LS1 1AA'],
      ['', undefined],
    ],
    invalid: [[long(301), 'The address must be 300 characters or fewer']],
    alongside: { letterSafe: 'yes' },
  },
  letterSafe: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if it is safe for us to write to you']],
    requiredWhen: { required: { postalAddress: '1 Example Street' }, optional: { postalAddress: '' } },
  },
  gpWelfareCheck: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if we can ask your GP to check on you']],
  },
  stage: {
    valid: [
      ['arrested', 'arrested'],
      ['no_police_contact', 'no_police_contact'],
      ['sentenced', 'sentenced'],
    ],
    invalid: [
      [undefined, 'Select what has happened with the police so far'],
      ['caution', 'Select what has happened with the police so far'],
    ],
  },
  policeContactDate: {
    valid: [
      ['2026-11-30', '2026-11-30'],
      [TODAY, TODAY],
      ['30/11/2026', '2026-11-30'],
      ['3.9.2025', '2025-09-03'],
      ['', undefined],
    ],
    invalid: [
      ['2026-02-30', 'Enter a real date for your arrest or interview, like 27/03/2026'],
      ['last Tuesday', 'Enter a real date for your arrest or interview, like 27/03/2026'],
      ['2026-12-02', 'The date of your arrest or interview must be today or in the past (within 10 years)'],
      ['1990-01-01', 'The date of your arrest or interview must be today or in the past (within 10 years)'],
    ],
  },
  bailReturnDate: {
    valid: [
      ['2027-01-15', '2027-01-15'],
      [TODAY, TODAY],
      ['', undefined],
    ],
    invalid: [
      ['2026-11-30', 'The bail return date must be today or in the future. Leave it empty if it has passed'],
      ['2031-01-01', 'The bail return date must be today or in the future. Leave it empty if it has passed'],
      ['15/13/2027', 'Enter a real date for your bail return, like 27/03/2027'],
    ],
  },
  courtDate: {
    valid: [
      ['2027-03-02', '2027-03-02'],
      ['', undefined],
    ],
    invalid: [
      ['2020-01-01', 'The court date must be today or in the future. Leave it empty if it has passed'],
      ['soon', 'Enter a real date for your court date, like 27/03/2027'],
    ],
  },
  solicitor: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if you have a solicitor']],
  },
  childrenInHousehold: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if any children under 18 live with you']],
  },
  childrenInRegularContact: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
    ],
    invalid: [[undefined, 'Select yes if you are in regular contact with any other children under 18']],
  },
  socialCareInvolved: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
      ['not_sure', 'not_sure'],
    ],
    invalid: [[undefined, "Select yes if children's social care are involved with your family"]],
  },
  localAuthority: {
    valid: [
      ['Leeds City Council', 'Leeds City Council'],
      ['', undefined],
    ],
    invalid: [[long(101), 'The council name must be 100 characters or fewer']],
  },
  bailAffectsChildren: {
    valid: [
      ['yes', 'yes'],
      ['not_on_bail', 'not_on_bail'],
      ['not_sure', 'not_sure'],
    ],
    invalid: [[undefined, 'Select yes if your bail conditions stop or limit your contact with children']],
  },
  thoughtsOfEndingLife: {
    alongside: { madePlanOrTakenSteps: 'no', ableToKeepSafe: 'yes' },
    valid: [
      ['no', 'no'],
      ['sometimes', 'sometimes'],
      ['often', 'often'],
    ],
    invalid: [
      [undefined, 'Select whether you have had thoughts of ending your life'],
      ['never', 'Select whether you have had thoughts of ending your life'],
    ],
  },
  madePlanOrTakenSteps: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
      ['prefer_not_to_say', 'prefer_not_to_say'],
    ],
    invalid: [[undefined, 'Select whether you have made a plan or done anything to prepare']],
    requiredWhen: {
      required: { thoughtsOfEndingLife: 'sometimes', ableToKeepSafe: 'yes' },
      optional: { thoughtsOfEndingLife: 'no' },
    },
  },
  ableToKeepSafe: {
    valid: [
      ['yes', 'yes'],
      ['no', 'no'],
      ['not_sure', 'not_sure'],
    ],
    invalid: [[undefined, 'Select whether you feel able to keep yourself safe until we speak to you']],
    requiredWhen: {
      required: { thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'no' },
      optional: { thoughtsOfEndingLife: 'no' },
    },
  },
  gpPractice: {
    valid: [
      ['Park Road Surgery, Leeds', 'Park Road Surgery, Leeds'],
      ['', undefined],
    ],
    invalid: [[long(201), 'The GP practice must be 200 characters or fewer']],
  },
  anythingElse: {
    valid: [
      ['line one\r\nline two', 'line one\nline two'],
      ['a\n\n\n\n\nb', 'a\n\nb'],
      ['tab\there\u0000', 'tab\there'],
      [long(2000), long(2000)],
      ['', undefined],
    ],
    invalid: [[long(2001), 'Your message must be 2,000 characters or fewer']],
  },
  heardFrom: {
    valid: [
      ['police', 'police'],
      ['friend_or_family', 'friend_or_family'],
      [undefined, undefined],
    ],
    invalid: [['tv', 'Select how you heard about us']],
  },
  meetPreference: {
    valid: [
      ['asap', 'asap'],
      ['later', 'later'],
    ],
    invalid: [[undefined, 'Select when you would like to start']],
  },
};

describe('the question definition', () => {
  it('has a test case for every question, and no case for a question that does not exist', () => {
    expect(Object.keys(cases).sort()).toEqual(referralQuestions.map((question) => question.id).sort());
  });

  it('the fixture is a valid referral', () => {
    expect(validateReferralAnswers(validAnswers(), ctx)).toMatchObject({ ok: true });
  });

  it('has unique ids, and every condition refers to an earlier question', () => {
    const ids = referralQuestions.map((question) => question.id);
    expect(new Set(ids).size).toBe(ids.length);
    referralQuestions.forEach((question, index) => {
      if (!question.requiredWhen) return;
      const target = ids.indexOf(question.requiredWhen.question);
      expect(target, `${question.id} depends on ${question.requiredWhen.question}`).toBeGreaterThanOrEqual(0);
      expect(target).toBeLessThan(index);
    });
  });

  it('gives every required or conditional question its own message, and every choice unique values', () => {
    for (const question of referralQuestions) {
      if (question.required || question.requiredWhen) expect(question.requiredMessage, question.id).toBeTruthy();
      if (question.kind === 'radios' || question.kind === 'checkboxes') {
        const values = question.options.map((option) => option.value);
        expect(new Set(values).size, question.id).toBe(values.length);
      }
    }
  });

  it('keeps the seven sections of the brief in order', () => {
    expect(referralSections.map((section) => section.title)).toEqual([
      'Before you start',
      'About you',
      'Contacting you safely',
      'Where you are in the process',
      'Children and family',
      'How you are feeling',
      'Anything else',
    ]);
  });
});

describe.each(referralQuestions.map((question) => [question.id, question] as const))('question %s', (id) => {
  const testCase = cases[id as QuestionId];

  it('accepts valid answers and stores them cleaned', () => {
    for (const [input, stored] of testCase.valid) {
      expect(storedValue(id, input, testCase.alongside), `${id} = ${JSON.stringify(input)}`).toEqual(stored);
    }
  });

  it('refuses invalid answers with a specific message', () => {
    for (const [input, message] of testCase.invalid) {
      const base = testCase.requiredWhen?.required ?? {};
      const actual = errorsFor({ ...base, [id]: input }).find((error) => error.path === id)?.message;
      if (typeof message === 'string') expect(actual, `${id} = ${JSON.stringify(input)}`).toBe(message);
      else expect(actual, `${id} = ${JSON.stringify(input)}`).toMatch(message);
    }
  });

  it('is required exactly when the definition says so', () => {
    const question = questionById(id)!;
    if (testCase.requiredWhen) {
      expect(errorsFor({ ...testCase.requiredWhen.required, [id]: undefined }).map((e) => e.path)).toContain(id);
      expect(errorsFor({ ...testCase.requiredWhen.optional, [id]: undefined })).toEqual([]);
    } else if (question.required) {
      expect(messageFor(id, undefined)).toBe(question.requiredMessage);
    } else {
      expect(errorsFor({ [id]: undefined })).toEqual([]);
    }
  });
});

describe('validating a whole referral', () => {
  it('reports every problem at once, one per question, in form order, including conditional ones', () => {
    const result = validateReferralAnswers(
      { phone: 'nope', email: 'x@', thoughtsOfEndingLife: 'often', phoneSafe: 'yes' },
      ctx,
    );
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((error) => error.path);
    const order = referralQuestions.map((question) => question.id);
    expect(paths).toEqual([...paths].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(new Set(paths).size).toBe(paths.length);
    for (const id of [
      'name',
      'phone',
      'email',
      'emailSafe',
      'voicemail',
      'madePlanOrTakenSteps',
      'ableToKeepSafe',
      'meetPreference',
    ]) {
      expect(paths).toContain(id);
    }
  });

  it('refuses fields that are not questions', () => {
    const result = validateReferralAnswers(validAnswers({ isAdmin: true, priority: 'today' }), ctx);
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: 'isAdmin', message: 'This is not one of the questions on the form' },
        { path: 'priority', message: 'This is not one of the questions on the form' },
      ],
    });
  });

  it('refuses something that is not an object', () => {
    for (const input of [null, 'text', 42, ['a']]) expect(validateReferralAnswers(input, ctx).ok).toBe(false);
  });
});

describe('reading a posted form', () => {
  it('turns form fields into the API shape: tick boxes become lists, unanswered radios are left out', () => {
    const reading = readPostedForm({
      name: 'Sam',
      safeTimes: 'morning',
      over18: '',
      formToken: 'abc',
      website: '',
      extra: 'x',
      phone: ['0113 496 0321', 'second'],
    });
    expect(reading.answers).toEqual({ name: 'Sam', safeTimes: ['morning'], phone: '0113 496 0321' });
    expect(reading.formToken).toBe('abc');
    expect(reading.honeypot).toBe('');
    expect(reading.unknownFields).toEqual(['extra']);
  });

  it('keeps several ticked boxes as a list', () => {
    expect(readPostedForm({ safeTimes: ['morning', 'evening'] }).answers.safeTimes).toEqual(['morning', 'evening']);
  });
});

describe('answers that show risk', () => {
  it('are thoughts "often", a plan or steps taken, or not able (or not sure) to keep safe', () => {
    expect(answersShowRisk({ thoughtsOfEndingLife: 'often' })).toBe(true);
    expect(answersShowRisk({ thoughtsOfEndingLife: 'sometimes', madePlanOrTakenSteps: 'yes' })).toBe(true);
    expect(answersShowRisk({ thoughtsOfEndingLife: 'sometimes', ableToKeepSafe: 'no' })).toBe(true);
    expect(answersShowRisk({ thoughtsOfEndingLife: 'sometimes', ableToKeepSafe: 'not_sure' })).toBe(true);
  });

  it('are not "sometimes" with a safety plan, nor "no"', () => {
    expect(
      answersShowRisk({ thoughtsOfEndingLife: 'sometimes', madePlanOrTakenSteps: 'no', ableToKeepSafe: 'yes' }),
    ).toBe(false);
    expect(answersShowRisk({ thoughtsOfEndingLife: 'no' })).toBe(false);
    expect(answersShowRisk({})).toBe(false);
  });
});
