import type { CalendarConfig } from '../scheduling/calendar.ts';
import { contactBy, type ContactDeadline } from '../scheduling/deadline.ts';
import { SAFE_TIME_MINUTES } from '../scheduling/slot.ts';
import type { SafeTime } from '../scheduling/types.ts';
import { triage } from '../triage/triage.ts';
import { fitDeadlineToSafeTimes } from '../scheduling/safe-deadline.ts';
import type { TriageInput, TriageResult } from '../triage/types.ts';
import { officeIdFor } from './offices.ts';
import type { ReferralAnswers } from './questions.ts';
import { triageInputFromAnswers } from './triage-input.ts';

export interface ReferralAssessment {
  /** The office that owns it (his choice, or the default office for remote support). */
  officeId: string;
  /** The office calendar the deadline was computed in. */
  calendar: CalendarConfig;
  triageInput: TriageInput;
  triage: TriageResult;
  deadline: ContactDeadline;
}

/**
 * How soon a referral must be contacted, and in whose calendar: the one sequence the referral service
 * stores and `npm run triage:explain` prints, so the two can never disagree.
 */
export function assessReferral(
  answers: ReferralAnswers,
  receivedAt: Date,
  calendarFor: (officeId: string) => CalendarConfig,
): ReferralAssessment {
  const officeId = officeIdFor(answers.office);
  const calendar = calendarFor(officeId);
  const triageInput = triageInputFromAnswers(answers);
  const result = triage(triageInput, receivedAt);
  const computed = contactBy(result.priority, receivedAt, calendar, result.mustContactBeforeDate);
  // A deadline that can be met: fitted to his safe times for the channel we will use (phone when it is safe).
  const fit = fitDeadlineToSafeTimes(computed.contactBy, receivedAt, receivedAt, calendar, {
    phoneSafe: answers.phoneSafe === 'yes',
    emailSafe: !!answers.email && answers.emailSafe === 'yes',
    letterSafe: !!answers.postalAddress && answers.letterSafe === 'yes',
    safeTimes: safeTimesFromAnswers(answers),
  });
  const deadline: ContactDeadline =
    fit.kind === 'fits'
      ? computed
      : {
          ...computed,
          contactBy: fit.contactBy,
          notes: [
            ...computed.notes,
            {
              id: fit.kind === 'moved' ? 'moved_to_safe_time' : 'safe_times_outside_office_hours',
              text: fit.explanation,
            },
          ],
        };
  return { officeId, calendar, triageInput, triage: result, deadline };
}

/** His safe times to be called, as the slot proposal understands them (unknown values dropped). */
export function safeTimesFromAnswers(answers: ReferralAnswers): SafeTime[] {
  return (answers.safeTimes ?? []).filter((time): time is SafeTime => time in SAFE_TIME_MINUTES);
}
