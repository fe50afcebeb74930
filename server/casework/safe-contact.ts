import type { ReferralAnswers } from '../referrals/questions.ts';
import { SAFE_TIME_MINUTES } from '../scheduling/slot.ts';
import type { SafeTime } from '../scheduling/types.ts';
import { londonWallClock } from '../scheduling/calendar.ts';
import type { ContactChannel, ContactOutcome } from './statuses.ts';

/**
 * How he said we may contact him, read from his answers, and the check that refuses a contact attempt that
 * would have broken those wishes. A breach can put him in danger (a partner hears a voicemail), so the back
 * office refuses to record it as normal and says why.
 */

export interface SafeContact {
  phoneSafe: boolean;
  voicemailAllowed: boolean;
  textsAllowed: boolean;
  withheldNumberOk: boolean | null;
  mayTellWhoWeAre: boolean;
  safeTimes: SafeTime[];
  emailSafe: boolean;
  gpWelfareCheck: boolean;
}

const SAFE_TIME_ORDER: SafeTime[] = ['morning', 'afternoon', 'evening'];
export const SAFE_TIME_LABELS: Record<SafeTime, string> = {
  morning: 'mornings (9am to 12 noon)',
  afternoon: 'afternoons (12 noon to 5pm)',
  evening: 'evenings (5pm to 8pm)',
};

/** Anything not clearly "yes" counts as "no": an unanswered question never permits a risky contact. */
export function safeContactFrom(answers: Partial<ReferralAnswers>): SafeContact {
  const phoneSafe = answers.phoneSafe === 'yes';
  const times = Array.isArray(answers.safeTimes) ? (answers.safeTimes as string[]) : [];
  return {
    phoneSafe,
    voicemailAllowed: phoneSafe && answers.voicemail === 'yes',
    textsAllowed: phoneSafe && answers.textMessages === 'yes',
    withheldNumberOk: answers.withheldNumber === undefined ? null : answers.withheldNumber === 'yes',
    mayTellWhoWeAre: phoneSafe && answers.sayWhoWeAre === 'yes',
    safeTimes: SAFE_TIME_ORDER.filter((time) => times.includes(time)),
    emailSafe: !!answers.email && answers.emailSafe === 'yes',
    gpWelfareCheck: answers.gpWelfareCheck === 'yes',
  };
}

export function safeTimesText(times: readonly SafeTime[]): string {
  if (times.length === 0) return 'office hours (he did not choose times)';
  const labels = times.map((time) => SAFE_TIME_LABELS[time]);
  return labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Null when the attempt respects his wishes; otherwise the explanation staff see. */
export function contactAttemptProblem(
  safe: SafeContact,
  attempt: { channel: ContactChannel; outcome: ContactOutcome; at: Date },
): string | null {
  if ((attempt.channel === 'phone' || attempt.channel === 'text') && !safe.phoneSafe) {
    return 'He said it is not safe for us to call or text his phone. Do not use it: contact him only in the ways he said are safe.';
  }
  if (attempt.channel === 'text' && !safe.textsAllowed) {
    return 'He said we must not send him text messages.';
  }
  if (attempt.channel === 'email' && !safe.emailSafe) {
    return 'He did not say it is safe to email him. Do not email him.';
  }
  if (attempt.outcome === 'voicemail_left' && !safe.voicemailAllowed) {
    return 'He said we must not leave a voicemail. Someone else may hear it. If one was left by mistake, tell your manager now.';
  }
  if (attempt.outcome === 'voicemail_left' && attempt.channel !== 'phone') {
    return 'A voicemail can only be left on a phone call. Choose "Phone call" as the way you contacted him.';
  }
  if (attempt.channel === 'phone' && safe.safeTimes.length > 0) {
    const { minutes } = londonWallClock(attempt.at);
    const inside = safe.safeTimes.some(
      (time) => minutes >= SAFE_TIME_MINUTES[time].from && minutes < SAFE_TIME_MINUTES[time].to,
    );
    if (!inside) {
      return `He said it is only safe to call him in the ${safeTimesText(safe.safeTimes)}. This call was at ${hhmm(minutes)}. Call him inside those times.`;
    }
  }
  return null;
}
