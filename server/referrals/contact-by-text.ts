/**
 * How the contact-by deadline is written for him (confirmation page and acknowledgement email), in London
 * time. Pure and dependency-free so the page and the email say exactly the same thing.
 */
const LONDON = 'Europe/London';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "5pm", "9:30am", "12 noon". */
function clockText(instant: Date): string | null {
  const parts = Object.fromEntries(timeParts.formatToParts(instant).map((part) => [part.type, part.value]));
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  if (hour === 23 && minute === 59) return null; // the end of the day
  if (hour === 12 && minute === 0) return '12 noon';
  const suffix = hour < 12 ? 'am' : 'pm';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? `${twelve}${suffix}` : `${twelve}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** "Friday 4 December 2026" (built from parts: ICU versions differ on a comma after the weekday). */
export function contactByDate(contactBy: Date): string {
  const parts = Object.fromEntries(dateFormat.formatToParts(contactBy).map((part) => [part.type, part.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/** "by 5pm on Friday 4 December 2026", or "by the end of Friday 4 December 2026" for a whole-day deadline. */
export function contactByText(contactBy: Date): string {
  const time = clockText(contactBy);
  return time ? `by ${time} on ${contactByDate(contactBy)}` : `by the end of ${contactByDate(contactBy)}`;
}

/**
 * What we promise him about how we will contact him. When his safe times to call are all outside office hours
 * we cannot promise a call by the deadline, so we say so, and say what we will do instead.
 */
export function contactPromiseText(contactBy: Date, safeTimesOutsideOfficeHours: boolean, emailSafe: boolean): string {
  if (!safeTimesOutsideOfficeHours)
    return `We will contact you ${contactByText(contactBy)}, in the way you told us is safe.`;
  return [
    `The times you told us are safe to call are outside our office hours, so we cannot promise to call you ${contactByText(contactBy)}.`,
    emailSafe
      ? 'We will email you by then to agree a safe time to talk.'
      : 'We will only contact you in the ways and at the times you told us are safe.',
  ].join(' ');
}
