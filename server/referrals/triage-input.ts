import type { TriageInput } from '../triage/types.ts';
import type { ReferralAnswers } from './questions.ts';

/**
 * What triage sees of a referral. Triage decides how soon we make contact, never whether we help, so
 * every referral gets here; an unanswered optional question is "not known", never "no risk".
 */
export function triageInputFromAnswers(answers: ReferralAnswers): TriageInput {
  const policeContactKind: TriageInput['policeContactKind'] =
    answers.stage === 'arrested'
      ? 'arrested'
      : answers.stage === 'voluntary_interview'
        ? 'voluntary_interview'
        : answers.policeContactDate
          ? 'other'
          : null;
  const upcomingDates: TriageInput['upcomingDates'] = [];
  if (answers.bailReturnDate) upcomingDates.push({ kind: 'bail_return', date: answers.bailReturnDate });
  if (answers.courtDate) upcomingDates.push({ kind: 'court', date: answers.courtDate });
  const phoneSafe = answers.phoneSafe === 'yes';
  return {
    thoughtsOfEndingLife: answers.thoughtsOfEndingLife,
    madePlanOrTakenSteps: answers.madePlanOrTakenSteps ?? null,
    ableToKeepSafe: answers.ableToKeepSafe ?? null,
    policeContactDate: answers.policeContactDate ?? null,
    policeContactKind,
    upcomingDates,
    childrenInHousehold: answers.childrenInHousehold === 'yes',
    childrenInRegularContact: answers.childrenInRegularContact === 'yes',
    socialCareInvolved: answers.socialCareInvolved,
    gpGiven: Boolean(answers.gpPractice),
    voicemailAllowed: phoneSafe && answers.voicemail === 'yes',
    phoneSafe,
    emailSafe: Boolean(answers.email) && answers.emailSafe === 'yes',
  };
}
