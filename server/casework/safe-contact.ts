import type { ReferralAnswers } from '../referrals/questions.ts';
import { SAFE_TIME_MINUTES } from '../scheduling/slot.ts';
import type { SafeTime } from '../scheduling/types.ts';
import { londonWallClock } from '../scheduling/calendar.ts';
import {
  CHANNEL_LABELS,
  CHANNEL_OUTCOMES,
  OUTCOME_LABELS,
  type ContactChannel,
  type ContactOutcome,
} from './statuses.ts';

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
  /** He gave a postal address and said it is safe to write to him there. */
  letterSafe: boolean;
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
    letterSafe: !!answers.postalAddress && answers.letterSafe === 'yes',
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

/** The channels his answers allow at all (before safe times). */
export function channelAllowed(safe: SafeContact, channel: ContactChannel): boolean {
  switch (channel) {
    case 'phone':
      return safe.phoneSafe;
    case 'text':
      return safe.textsAllowed;
    case 'email':
      return safe.emailSafe;
    case 'letter':
      return safe.letterSafe;
    case 'he_contacted_us':
      return true;
  }
}

/** Whether an instant is inside his safe times (always, when he chose none). */
export function insideSafeTimes(safe: SafeContact, at: Date): boolean {
  if (safe.safeTimes.length === 0) return true;
  const { minutes } = londonWallClock(at);
  return safe.safeTimes.some((time) => minutes >= SAFE_TIME_MINUTES[time].from && minutes < SAFE_TIME_MINUTES[time].to);
}

/** Channels whose timing reaches him at once, so his safe times apply (an email or letter is read when he chooses). */
export const TIMED_CHANNELS: readonly ContactChannel[] = ['phone', 'text'];

export interface AttemptToCheck {
  channel: ContactChannel;
  outcome: ContactOutcome;
  at: Date;
  /** Phone calls: was the number withheld? Null when not said. */
  withheldNumber?: boolean | null;
  /** Did we say who we are (to whoever answered, in a voicemail, a text, an email or on a letter)? */
  saidWhoWeAre?: boolean | null;
}

/**
 * Null when the attempt respects his wishes; otherwise the explanation staff see. Every wish is checked on every
 * channel it concerns: "do not say who we are" covers calls, voicemails, texts, emails and letters alike.
 */
export function contactAttemptProblem(safe: SafeContact, attempt: AttemptToCheck): string | null {
  const { channel, outcome } = attempt;
  if (!CHANNEL_OUTCOMES[channel].includes(outcome)) {
    return channel === 'letter'
      ? 'A letter can only be recorded as sent. If he replies, record that as "He contacted us".'
      : `"${OUTCOME_LABELS[outcome]}" is not possible for ${withArticle(CHANNEL_LABELS[channel].toLowerCase())}.`;
  }
  if (channel === 'he_contacted_us') return null;
  if ((channel === 'phone' || channel === 'text') && !safe.phoneSafe) {
    return 'He said it is not safe for us to call or text his phone. Do not use it: contact him only in the ways he said are safe.';
  }
  if (channel === 'text' && !safe.textsAllowed) {
    return 'He said we must not send him text messages.';
  }
  if (channel === 'email' && !safe.emailSafe) {
    return 'He did not say it is safe to email him. Do not email him.';
  }
  if (channel === 'letter' && !safe.letterSafe) {
    return 'He did not give a postal address that he said is safe to write to. Do not write to him.';
  }
  if (outcome === 'voicemail_left' && !safe.voicemailAllowed) {
    return 'He said we must not leave a voicemail. Someone else may hear it. If one was left by mistake, record it as a broken wish and tell your manager now.';
  }
  if (channel === 'phone' && attempt.withheldNumber === true && safe.withheldNumberOk === false) {
    return 'He said we must not call from a withheld number (his phone may block it, or it may worry whoever sees it). Call from a number that shows.';
  }
  if (!safe.mayTellWhoWeAre) {
    if (attempt.saidWhoWeAre === true) {
      return 'He said we must not say who we are. If it was said by mistake, record it as a broken wish and tell your manager now.';
    }
    // A written message or a voicemail names us unless someone made sure it did not: ask them to confirm.
    const namesUsByDefault = channel !== 'phone' || outcome === 'voicemail_left';
    if (namesUsByDefault && attempt.saidWhoWeAre !== false) {
      return 'He said we must not say who we are. Confirm that you did not (no name of the service in the voicemail, text, email, letter or on the envelope).';
    }
  }
  if (TIMED_CHANNELS.includes(channel) && !insideSafeTimes(safe, attempt.at)) {
    const { minutes } = londonWallClock(attempt.at);
    const what = channel === 'phone' ? 'call' : 'text';
    return `He said it is only safe to ${what} him in the ${safeTimesText(safe.safeTimes)}. This ${what} was at ${hhmm(minutes)}. Contact him inside those times.`;
  }
  return null;
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
