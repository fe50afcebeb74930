import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULESET, shortDateLabel } from '../../../server/triage/rules.ts';
import { triage } from '../../../server/triage/triage.ts';
import type { Priority, TriageFlagId, TriageInput, TriageRuleset } from '../../../server/triage/types.ts';

// Thursday 3 December 2026, 10:00 London (GMT).
const RECEIVED_AT = new Date('2026-12-03T10:00:00Z');

/** Answers that match no rule and raise no flag. */
const calmAnswers: TriageInput = {
  thoughtsOfEndingLife: 'no',
  madePlanOrTakenSteps: null,
  ableToKeepSafe: null,
  policeContactDate: null,
  policeContactKind: null,
  upcomingDates: [],
  childrenInHousehold: false,
  childrenInRegularContact: false,
  socialCareInvolved: 'no',
  gpGiven: true,
  voicemailAllowed: true,
  phoneSafe: true,
  emailSafe: true,
};
const answers = (overrides: Partial<TriageInput>): TriageInput => ({ ...calmAnswers, ...overrides });

describe('triage rules', () => {
  it.each<[string, Partial<TriageInput>, Priority, Array<[string, string]>, string | null]>([
    [
      'no urgent answers',
      {},
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],

    [
      'a plan or steps taken',
      { madePlanOrTakenSteps: 'yes' },
      'today',
      [['plan_or_steps_taken', 'has made a plan or taken steps to end his life']],
      null,
    ],
    [
      'no plan',
      { madePlanOrTakenSteps: 'no' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'prefers not to say about a plan (alone)',
      { madePlanOrTakenSteps: 'prefer_not_to_say' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],

    [
      'not able to keep safe',
      { ableToKeepSafe: 'no' },
      'today',
      [['not_able_to_keep_safe', 'says he is not able to keep himself safe']],
      null,
    ],
    [
      'not sure he can keep safe',
      { ableToKeepSafe: 'not_sure' },
      'today',
      [['not_able_to_keep_safe', 'is not sure he can keep himself safe']],
      null,
    ],
    [
      'able to keep safe',
      { ableToKeepSafe: 'yes' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],

    [
      'thoughts sometimes',
      { thoughtsOfEndingLife: 'sometimes' },
      'next_working_day',
      [['thoughts_of_ending_life', 'has had thoughts of ending his life (sometimes) since police contact']],
      null,
    ],
    [
      'thoughts often',
      { thoughtsOfEndingLife: 'often' },
      'next_working_day',
      [['thoughts_of_ending_life', 'has had thoughts of ending his life (often) since police contact']],
      null,
    ],
    [
      'thoughts often, prefers not to say about a plan',
      { thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'prefer_not_to_say' },
      'next_working_day',
      [
        [
          'thoughts_of_ending_life',
          'has had thoughts of ending his life (often) since police contact; he preferred not to say whether he has made a plan',
        ],
      ],
      null,
    ],

    [
      'arrested today',
      { policeContactDate: '2026-12-03', policeContactKind: 'arrested' },
      'next_working_day',
      [['recent_police_contact', 'arrested today: the first 48 hours after police contact carry the highest risk']],
      null,
    ],
    [
      'arrested yesterday',
      { policeContactDate: '2026-12-02', policeContactKind: 'arrested' },
      'next_working_day',
      [['recent_police_contact', 'arrested yesterday: the first 48 hours after police contact carry the highest risk']],
      null,
    ],
    [
      'arrested 2 days ago',
      { policeContactDate: '2026-12-01', policeContactKind: 'arrested' },
      'next_working_day',
      [
        [
          'recent_police_contact',
          'arrested 2 days ago: the first 48 hours after police contact carry the highest risk',
        ],
      ],
      null,
    ],
    [
      'interviewed 3 days ago',
      { policeContactDate: '2026-11-30', policeContactKind: 'voluntary_interview' },
      'next_working_day',
      [['recent_police_contact', 'interviewed 3 days ago: risk stays raised in the first week after police contact']],
      null,
    ],
    [
      'interviewed 5 days ago',
      { policeContactDate: '2026-11-28', policeContactKind: 'voluntary_interview' },
      'next_working_day',
      [['recent_police_contact', 'interviewed 5 days ago: risk stays raised in the first week after police contact']],
      null,
    ],
    [
      'other police contact 7 days ago',
      { policeContactDate: '2026-11-26', policeContactKind: 'other' },
      'next_working_day',
      [
        [
          'recent_police_contact',
          'had police contact 7 days ago: risk stays raised in the first week after police contact',
        ],
      ],
      null,
    ],
    [
      'police contact of unknown kind',
      { policeContactDate: '2026-12-01', policeContactKind: null },
      'next_working_day',
      [
        [
          'recent_police_contact',
          'had police contact 2 days ago: the first 48 hours after police contact carry the highest risk',
        ],
      ],
      null,
    ],
    [
      'arrested 8 days ago',
      { policeContactDate: '2026-11-25', policeContactKind: 'arrested' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'police contact date in the future (ignored)',
      { policeContactDate: '2026-12-04', policeContactKind: 'arrested' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'impossible police contact date (ignored)',
      { policeContactDate: '2026-11-31', policeContactKind: 'arrested' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'garbage police contact date (ignored)',
      { policeContactDate: 'last Tuesday', policeContactKind: 'arrested' },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],

    [
      'court date in 5 days',
      { upcomingDates: [{ kind: 'court', date: '2026-12-08' }] },
      'next_working_day',
      [['upcoming_trigger_date', 'court date in 5 days (Tue 8 Dec)']],
      '2026-12-08',
    ],
    [
      'bail return today',
      { upcomingDates: [{ kind: 'bail_return', date: '2026-12-03' }] },
      'next_working_day',
      [['upcoming_trigger_date', 'bail return date today (Thu 3 Dec)']],
      '2026-12-03',
    ],
    [
      'charge date tomorrow',
      { upcomingDates: [{ kind: 'charge', date: '2026-12-04' }] },
      'next_working_day',
      [['upcoming_trigger_date', 'charge date tomorrow (Fri 4 Dec)']],
      '2026-12-04',
    ],
    [
      'court date in 7 days',
      { upcomingDates: [{ kind: 'court', date: '2026-12-10' }] },
      'next_working_day',
      [['upcoming_trigger_date', 'court date in 7 days (Thu 10 Dec)']],
      '2026-12-10',
    ],
    [
      'court date in 8 days',
      { upcomingDates: [{ kind: 'court', date: '2026-12-11' }] },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'bail date already past (ignored)',
      { upcomingDates: [{ kind: 'bail_return', date: '2026-12-02' }] },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'impossible court date (ignored)',
      { upcomingDates: [{ kind: 'court', date: '2026-12-32' }] },
      'within_7_days',
      [['no_urgent_answers', 'no urgent answers: first contact within 7 days']],
      null,
    ],
    [
      'several dates: earliest first, only those within 7 days',
      {
        upcomingDates: [
          { kind: 'bail_return', date: '2026-12-09' },
          { kind: 'court', date: '2027-01-15' },
          { kind: 'charge', date: '2026-12-05' },
        ],
      },
      'next_working_day',
      [['upcoming_trigger_date', 'charge date in 2 days (Sat 5 Dec); bail return date in 6 days (Wed 9 Dec)']],
      '2026-12-05',
    ],
  ])('%s', (_label, overrides, priority, reasons, mustContactBeforeDate) => {
    const result = triage(answers(overrides), RECEIVED_AT);
    expect(result.priority).toBe(priority);
    expect(result.reasons.map((reason) => [reason.ruleId, reason.text])).toEqual(reasons);
    expect(result.mustContactBeforeDate).toBe(mustContactBeforeDate);
    expect(result.ruleVersion).toBe(RULESET.version);
  });

  it('returns every matched reason, most urgent first, and the most urgent priority', () => {
    const result = triage(
      answers({
        thoughtsOfEndingLife: 'often',
        madePlanOrTakenSteps: 'yes',
        ableToKeepSafe: 'not_sure',
        policeContactDate: '2026-12-02',
        policeContactKind: 'arrested',
        upcomingDates: [{ kind: 'court', date: '2026-12-08' }],
      }),
      RECEIVED_AT,
    );
    expect(result.priority).toBe('today');
    expect(result.reasons.map((reason) => [reason.ruleId, reason.priority])).toEqual([
      ['plan_or_steps_taken', 'today'],
      ['not_able_to_keep_safe', 'today'],
      ['thoughts_of_ending_life', 'next_working_day'],
      ['recent_police_contact', 'next_working_day'],
      ['upcoming_trigger_date', 'next_working_day'],
    ]);
    expect(result.mustContactBeforeDate).toBe('2026-12-08');
  });

  it('counts days on London dates, not UTC dates', () => {
    // 23:30Z on 30 June is 00:30 on 1 July in London (BST): contact on 29 June was 2 days ago, not 1.
    const result = triage(
      answers({ policeContactDate: '2027-06-29', policeContactKind: 'arrested' }),
      new Date('2027-06-30T23:30:00Z'),
    );
    expect(result.reasons[0]?.text).toBe(
      'arrested 2 days ago: the first 48 hours after police contact carry the highest risk',
    );
    const court = triage(
      answers({ upcomingDates: [{ kind: 'court', date: '2027-07-08' }] }),
      new Date('2027-06-30T23:30:00Z'),
    );
    expect(court.reasons[0]?.text).toBe('court date in 7 days (Thu 8 Jul)');
  });

  it('records the version of whichever ruleset decided', () => {
    const trial: TriageRuleset = { ...RULESET, version: 'trial-1' };
    expect(triage(calmAnswers, RECEIVED_AT, trial).ruleVersion).toBe('trial-1');
  });

  it('labels dates briefly with the weekday', () => {
    expect(shortDateLabel('2026-12-08')).toBe('Tue 8 Dec');
    expect(shortDateLabel('2027-01-01')).toBe('Fri 1 Jan');
  });
});

describe('triage flags', () => {
  it.each<[Partial<TriageInput>, TriageFlagId, string]>([
    [{ childrenInHousehold: true }, 'children_in_household', 'children live in his household'],
    [{ childrenInRegularContact: true }, 'children_in_regular_contact', 'he is in regular contact with children'],
    [{ socialCareInvolved: 'yes' }, 'social_care_involved', "children's social care is already involved"],
    [{ gpGiven: false }, 'no_gp', 'no GP details given'],
    [{ voicemailAllowed: false }, 'no_voicemail', 'do not leave a voicemail'],
    [{ phoneSafe: false }, 'no_safe_phone', 'no phone that is safe to call: contact by email only'],
    [
      { phoneSafe: false, emailSafe: false },
      'no_safe_phone',
      'no phone or email that is safe to use: agree a safe way to reach him before contact',
    ],
  ])('%j raises %s', (overrides, id, text) => {
    expect(triage(answers(overrides), RECEIVED_AT).flags).toEqual([{ id, text }]);
  });

  it.each<[Partial<TriageInput>]>([[{ socialCareInvolved: 'not_sure' }], [{ emailSafe: false }], [{}]])(
    '%j raises no flag',
    (overrides) => {
      expect(triage(answers(overrides), RECEIVED_AT).flags).toEqual([]);
    },
  );

  it('shows every flag but never lets flags change the priority', () => {
    const result = triage(
      answers({
        childrenInHousehold: true,
        childrenInRegularContact: true,
        socialCareInvolved: 'yes',
        gpGiven: false,
        voicemailAllowed: false,
        phoneSafe: false,
        emailSafe: false,
      }),
      RECEIVED_AT,
    );
    expect(result.priority).toBe('within_7_days');
    expect(result.flags.map((flag) => flag.id)).toEqual([
      'children_in_household',
      'children_in_regular_contact',
      'social_care_involved',
      'no_gp',
      'no_voicemail',
      'no_safe_phone',
    ]);
  });
});

describe('triage properties (fast-check)', () => {
  const isoDateNear = fc
    .integer({ min: -40, max: 40 })
    .map((offset) => new Date(Date.UTC(2026, 11, 3 + offset)).toISOString().slice(0, 10));
  const anyDateText = fc.oneof(isoDateNear, fc.string(), fc.constantFrom('2026-02-30', '2026-13-01', '0000-00-00', ''));
  const anyInput: fc.Arbitrary<TriageInput> = fc.record({
    thoughtsOfEndingLife: fc.constantFrom('no', 'sometimes', 'often'),
    madePlanOrTakenSteps: fc.constantFrom('yes', 'no', 'prefer_not_to_say', null),
    ableToKeepSafe: fc.constantFrom('yes', 'no', 'not_sure', null),
    policeContactDate: fc.option(anyDateText),
    policeContactKind: fc.constantFrom('arrested', 'voluntary_interview', 'other', null),
    upcomingDates: fc.array(fc.record({ kind: fc.constantFrom('bail_return', 'charge', 'court'), date: anyDateText }), {
      maxLength: 4,
    }),
    childrenInHousehold: fc.boolean(),
    childrenInRegularContact: fc.boolean(),
    socialCareInvolved: fc.constantFrom('yes', 'no', 'not_sure'),
    gpGiven: fc.boolean(),
    voicemailAllowed: fc.boolean(),
    phoneSafe: fc.boolean(),
    emailSafe: fc.boolean(),
  });
  const anyReceipt = fc.date({
    min: new Date('2026-10-01T00:00:00Z'),
    max: new Date('2027-02-28T00:00:00Z'),
    noInvalidDate: true,
  });
  const urgency: Record<Priority, number> = { today: 0, next_working_day: 1, within_7_days: 2 };

  it('always gives a priority with reasons, never a score, a risk label or a refusal, and never crashes on odd dates', () => {
    fc.assert(
      fc.property(anyInput, anyReceipt, (input, receivedAt) => {
        const result = triage(input, receivedAt);
        expect(Object.keys(result).sort()).toEqual([
          'flags',
          'mustContactBeforeDate',
          'priority',
          'reasons',
          'ruleVersion',
        ]);
        expect(result.reasons.length).toBeGreaterThan(0);
        expect(result.priority).toBe(result.reasons[0]?.priority);
        const ranks = result.reasons.map((reason) => urgency[reason.priority]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        for (const text of [...result.reasons, ...result.flags].map((item) => item.text)) {
          expect(text).not.toMatch(
            /score|\b(high|medium|moderate|low) risk\b|declin|reject|refus|clos|not suitable|ineligible/i,
          );
        }
        if (result.mustContactBeforeDate !== null) {
          expect(result.reasons.some((reason) => reason.ruleId === 'upcoming_trigger_date')).toBe(true);
          expect(input.upcomingDates.some((entry) => entry.date === result.mustContactBeforeDate)).toBe(true);
        }
        // Flags are independent of the answers that set urgency.
        expect(triage({ ...input, ...pickFlagFields(calmAnswers) }, receivedAt).priority).toBe(result.priority);
      }),
      { numRuns: 1000 },
    );
  });
});

function pickFlagFields(input: TriageInput): Partial<TriageInput> {
  const {
    childrenInHousehold,
    childrenInRegularContact,
    socialCareInvolved,
    gpGiven,
    voicemailAllowed,
    phoneSafe,
    emailSafe,
  } = input;
  return {
    childrenInHousehold,
    childrenInRegularContact,
    socialCareInvolved,
    gpGiven,
    voicemailAllowed,
    phoneSafe,
    emailSafe,
  };
}
