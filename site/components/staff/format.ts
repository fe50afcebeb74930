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

/**
 * A UK phone number written the UK way: "07700 900123", "020 7946 0018", "0113 496 0000", "01632 960123".
 * +44 becomes 0. Anything that is not a UK number is shown as he typed it.
 */
export function formatUkPhone(raw: string | null | undefined): string {
  if (!raw) return '';
  const typed = raw.trim();
  let digits = typed.replace(/[\s().-]/g, '');
  if (digits.startsWith('+44')) digits = `0${digits.slice(3).replace(/^0/, '')}`;
  else if (digits.startsWith('0044')) digits = `0${digits.slice(4).replace(/^0/, '')}`;
  if (!/^0\d{9,10}$/.test(digits)) return typed;
  if (digits.length === 10) return `${digits.slice(0, 5)} ${digits.slice(5)}`; // 01xxx xxxxx
  if (digits.startsWith('07')) return `${digits.slice(0, 5)} ${digits.slice(5)}`; // 07700 900123
  if (digits.startsWith('02')) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`; // 020 7946 0018
  if (/^01\d1/.test(digits) || digits.startsWith('011'))
    return `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`; // 0113 496 0000, 0161 496 0000
  if (digits.startsWith('03') || digits.startsWith('08'))
    return `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`; // 0300 123 4567
  return `${digits.slice(0, 5)} ${digits.slice(5)}`; // 01632 960123
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One audit value in words: dates as London times, known ids as names, yes/no, lists joined. */
export function describeAuditValue(value: unknown, names: ReadonlyMap<string, string>): string {
  if (Array.isArray(value)) return value.map((v) => describeAuditValue(v, names)).join(', ') || 'none';
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${humanise(k).toLowerCase()} ${describeAuditValue(v, names)}`)
      .join(', ');
  }
  const text = String(value);
  if (ISO_INSTANT.test(text)) return formatDateTime(new Date(text));
  if (ISO_DATE.test(text)) return formatDate(new Date(`${text}T12:00:00Z`));
  if (UUID.test(text)) return names.get(text) ?? 'someone no longer listed';
  return names.get(text) ?? humanise(text);
}

/** "officeIds" -> "Offices", "contactByBefore" -> "Contact by before". */
export function auditKeyLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase()
    .replace(/ ids$/, 's')
    .replace(/ id$/, '');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An audit entry's details as a sentence: "Priority: Within 7 days → Today; Contact by: Wed 2 Dec 2026, 11:00". */
export function describeAuditDetail(detail: Record<string, unknown>, names: ReadonlyMap<string, string>): string {
  return Object.entries(detail)
    .map(([key, value]) => {
      if (value && typeof value === 'object' && !Array.isArray(value) && 'before' in value && 'after' in value) {
        const change = value as { before: unknown; after: unknown };
        return `${auditKeyLabel(key)}: ${describeAuditValue(change.before, names)} → ${describeAuditValue(change.after, names)}`;
      }
      return `${auditKeyLabel(key)}: ${describeAuditValue(value, names)}`;
    })
    .join('; ');
}

const timeOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "17:30". */
export function formatTime(date: Date | null | undefined): string {
  return valid(date) ? timeOnly.format(date) : '';
}
