import { describe, expect, it } from 'vitest';
import { triageInputFromAnswers } from '../../../server/referrals/triage-input.ts';
import { validateReferralAnswers, type ReferralAnswers } from '../../../server/referrals/questions.ts';
import { triage } from '../../../server/triage/triage.ts';
import { TODAY, TUESDAY_MORNING, validAnswers } from './fixtures.ts';

function answers(overrides: Record<string, unknown> = {}): ReferralAnswers {
  const result = validateReferralAnswers(validAnswers(overrides), { today: TODAY });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.answers;
}

describe('mapping answers to triage', () => {
  it('maps every field triage reads', () => {
    expect(triageInputFromAnswers(answers())).toEqual({
      thoughtsOfEndingLife: 'no',
      madePlanOrTakenSteps: null,
      ableToKeepSafe: null,
      policeContactDate: '2026-09-14',
      policeContactKind: 'other',
      upcomingDates: [],
      childrenInHousehold: false,
      childrenInRegularContact: true,
      socialCareInvolved: 'not_sure',
      gpGiven: true,
      voicemailAllowed: false,
      phoneSafe: true,
      emailSafe: true,
    });
  });

  it('takes the kind of police contact from the stage, and the trigger dates from bail and court', () => {
    const input = triageInputFromAnswers(
      answers({
        stage: 'arrested',
        policeContactDate: '2026-11-30',
        bailReturnDate: '2026-12-04',
        courtDate: '2027-02-01',
      }),
    );
    expect(input.policeContactKind).toBe('arrested');
    expect(input.upcomingDates).toEqual([
      { kind: 'bail_return', date: '2026-12-04' },
      { kind: 'court', date: '2027-02-01' },
    ]);
    expect(triageInputFromAnswers(answers({ stage: 'voluntary_interview' })).policeContactKind).toBe(
      'voluntary_interview',
    );
    expect(
      triageInputFromAnswers(answers({ stage: 'no_police_contact', policeContactDate: '' })).policeContactKind,
    ).toBeNull();
  });

  it('never counts a channel as safe unless he said so, and voicemail only on a safe phone', () => {
    const input = triageInputFromAnswers(answers({ phoneSafe: 'no', voicemail: 'yes', emailSafe: 'no' }));
    expect(input).toMatchObject({ phoneSafe: false, voicemailAllowed: false, emailSafe: false });
    expect(triageInputFromAnswers(answers({ email: '', emailSafe: undefined })).emailSafe).toBe(false);
  });

  it('gives the urgent priorities for risk answers', () => {
    const now = new Date(TUESDAY_MORNING);
    const plan = triageInputFromAnswers(
      answers({ thoughtsOfEndingLife: 'often', madePlanOrTakenSteps: 'yes', ableToKeepSafe: 'yes' }),
    );
    expect(triage(plan, now).priority).toBe('today');
    const notSure = triageInputFromAnswers(
      answers({ thoughtsOfEndingLife: 'sometimes', madePlanOrTakenSteps: 'no', ableToKeepSafe: 'not_sure' }),
    );
    expect(triage(notSure, now).priority).toBe('today');
    expect(triage(triageInputFromAnswers(answers()), now).priority).toBe('within_7_days');
  });
});
