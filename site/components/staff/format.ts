/** Date and label formatting for back-office screens. Every time is shown in London time, as staff work to it. */

const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "Sun 29 Nov 2026, 09:30". */
const valid = (date: Date | null | undefined): date is Date => !!date && !Number.isNaN(date.getTime());

export function formatDateTime(date: Date | null | undefined): string {
  return valid(date) ? dateTime.format(date) : '';
}

export function formatDate(date: Date | null | undefined): string {
  return valid(date) ? dateOnly.format(date) : '';
}

/** For the datetime attribute of <time>. */
export function isoInstant(date: Date | null | undefined): string {
  return valid(date) ? date.toISOString() : '';
}

/** "in 3 hours", "2 days overdue": the countdown staff scan the inbox by. */
export function countdown(to: Date, now: Date): string {
  const ms = to.getTime() - now.getTime();
  const overdue = ms < 0;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  let amount: string;
  if (minutes < 60) amount = `${minutes} min`;
  else if (minutes < 48 * 60) {
    const hours = Math.floor(minutes / 60);
    amount = `${hours} hour${hours === 1 ? '' : 's'}`;
  } else {
    const days = Math.floor(minutes / (24 * 60));
    amount = `${days} day${days === 1 ? '' : 's'}`;
  }
  return overdue ? `${amount} overdue` : `in ${amount}`;
}

export function humanise(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
