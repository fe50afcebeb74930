import { calendarDaysBetween, isValidIsoDate, isoWeekday } from '../scheduling/calendar.ts';
import type { TriageContext, TriageInput, TriageRuleset, TriggerDateKind } from './types.ts';

/** Police contact this many calendar days before receipt (inclusive) still counts as recent. */
export const RECENT_POLICE_CONTACT_DAYS = 7;
/** IOPC learning: risk is highest in the first 48 hours after police contact. Calendar days, so "2 days ago" is included. */
export const HIGHEST_RISK_DAYS = 2;
/** A bail return, charge or court date this many calendar days after receipt (inclusive) needs contact first. */
export const TRIGGER_DATE_WINDOW_DAYS = 7;

/** Days since police contact, or null when there is none to count (missing, impossible, in the future, or too long ago). */
export function recentPoliceContactDays(input: TriageInput, context: TriageContext): number | null {
  const date = input.policeContactDate;
  // A future date is most likely a typo or a planned interview; it says nothing about the time since contact.
  if (date === null || !isValidIsoDate(date)) return null;
  const days = calendarDaysBetween(date, context.receivedDate);
  return days >= 0 && days <= RECENT_POLICE_CONTACT_DAYS ? days : null;
}

export interface UpcomingTriggerDate {
  kind: TriggerDateKind;
  date: string;
  daysAway: number;
}

/** Bail, charge and court dates from today to 7 days ahead, earliest first. Past and impossible dates are ignored. */
export function upcomingTriggerDates(input: TriageInput, context: TriageContext): UpcomingTriggerDate[] {
  return input.upcomingDates
    .filter((entry) => isValidIsoDate(entry.date))
    .map((entry) => ({
      kind: entry.kind,
      date: entry.date,
      daysAway: calendarDaysBetween(context.receivedDate, entry.date),
    }))
    .filter((entry) => entry.daysAway >= 0 && entry.daysAway <= TRIGGER_DATE_WINDOW_DAYS)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const WEEKDAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const MONTH_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** "Tue 8 Dec": short enough for a list, with the weekday so staff can see if it falls on a working day. */
export function shortDateLabel(date: string): string {
  const [, month, day] = date.split('-').map(Number) as [number, number, number];
  return `${WEEKDAY_SHORT[isoWeekday(date) - 1]} ${day} ${MONTH_SHORT[month - 1]}`;
}

function daysAgoText(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  return `${days} days ago`;
}

function daysAheadText(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}

const POLICE_CONTACT_VERB: Record<NonNullable<TriageInput['policeContactKind']> | 'unknown', string> = {
  arrested: 'arrested',
  voluntary_interview: 'interviewed',
  other: 'had police contact',
  unknown: 'had police contact',
};

const TRIGGER_DATE_LABEL: Record<TriggerDateKind, string> = {
  bail_return: 'bail return date',
  charge: 'charge date',
  court: 'court date',
};

/**
 * Rules are data so every result can record which version decided it, and a change of rules is a reviewable diff.
 * Order within one priority is the order reasons are shown in.
 */
export const RULESET: TriageRuleset = {
  version: '2026-11-29.1',
  rules: [
    {
      id: 'plan_or_steps_taken',
      priority: 'today',
      applies: (input) => input.madePlanOrTakenSteps === 'yes',
      reasonText: () => 'has made a plan or taken steps to end his life',
    },
    {
      id: 'not_able_to_keep_safe',
      priority: 'today',
      // 'not_sure' counts too: a man who cannot say he will keep safe is telling us he may not, and a
      // same-day call costs little while waiting until tomorrow could cost his life (NICE NG225: plan for
      // safety rather than wait for certainty).
      applies: (input) => input.ableToKeepSafe === 'no' || input.ableToKeepSafe === 'not_sure',
      reasonText: (input) =>
        input.ableToKeepSafe === 'no'
          ? 'says he is not able to keep himself safe'
          : 'is not sure he can keep himself safe',
    },
    {
      id: 'thoughts_of_ending_life',
      priority: 'next_working_day',
      applies: (input) => input.thoughtsOfEndingLife === 'sometimes' || input.thoughtsOfEndingLife === 'often',
      reasonText: (input) => {
        const base = `has had thoughts of ending his life (${input.thoughtsOfEndingLife}) since police contact`;
        // Not a priority change, but staff should ask about a plan on the first call.
        return input.madePlanOrTakenSteps === 'prefer_not_to_say'
          ? `${base}; he preferred not to say whether he has made a plan`
          : base;
      },
    },
    {
      id: 'recent_police_contact',
      priority: 'next_working_day',
      applies: (input, context) => recentPoliceContactDays(input, context) !== null,
      reasonText: (input, context) => {
        const days = recentPoliceContactDays(input, context) ?? 0;
        const verb = POLICE_CONTACT_VERB[input.policeContactKind ?? 'unknown'];
        const why =
          days <= HIGHEST_RISK_DAYS
            ? 'the first 48 hours after police contact carry the highest risk'
            : 'risk stays raised in the first week after police contact';
        return `${verb} ${daysAgoText(days)}: ${why}`;
      },
    },
    {
      id: 'upcoming_trigger_date',
      priority: 'next_working_day',
      applies: (input, context) => upcomingTriggerDates(input, context).length > 0,
      reasonText: (input, context) =>
        upcomingTriggerDates(input, context)
          .map(
            (entry) =>
              `${TRIGGER_DATE_LABEL[entry.kind]} ${daysAheadText(entry.daysAway)} (${shortDateLabel(entry.date)})`,
          )
          .join('; '),
    },
  ],
  fallback: {
    id: 'no_urgent_answers',
    priority: 'within_7_days',
    text: 'no urgent answers: first contact within 7 days',
  },
};
