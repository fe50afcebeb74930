import type { Priority } from '../triage/types.ts';

const LONDON = 'Europe/London';

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const londonDateOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "Thu 3 Dec 2026, 17:00" in London time, the way staff read it. */
export function formatLondonDateTime(instant: Date): string {
  const parts: Record<string, string> = {};
  for (const part of londonDateTime.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}

/** "Thursday 3 December 2026". */
export function formatLondonDate(instant: Date): string {
  const parts: Record<string, string> = {};
  for (const part of londonDateOnly.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

export const PRIORITY_LABEL: Record<Priority, string> = {
  today: 'Today',
  next_working_day: 'Next working day',
  within_7_days: 'Within 7 days',
};

/** Where staff open a referral. The back office serves this page; the id is random and says nothing about him. */
export function backOfficeReferralUrl(publicBaseUrl: string, referralId: string): string {
  return `${publicBaseUrl}/staff/referrals/${encodeURIComponent(referralId)}`;
}

export function backOfficeUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}/staff`;
}
