/**
 * Cleaning for everything a person types. Pure and dependency-free: the browser bundle uses it too, so the
 * form shows exactly the messages the server would.
 */

// C0 controls except tab and line feed, DEL, C1 controls, and the bidirectional overrides and isolates
// that could make a staff view show text in a misleading order. Matching control characters is the point.
/* eslint-disable no-control-regex */
const CONTROL_CHARACTERS_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_CHARACTERS_MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** One line of text: control characters removed, runs of whitespace folded to one space, trimmed. */
export function cleanSingleLine(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\r\n?|\n|\t/g, ' ')
    .replace(CONTROL_CHARACTERS_SINGLE_LINE, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Free text: line breaks kept (as \n), tabs kept, other control characters removed, trimmed. */
export function cleanMultiLine(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_CHARACTERS_MULTI_LINE, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Browsers without a date picker show a text box; people in the UK then type day/month/year.
const UK_DATE = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/;

/** True only for a real calendar date written YYYY-MM-DD. */
export function isRealIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** YYYY-MM-DD as typed, or a UK day/month/year rewritten as YYYY-MM-DD; anything else is returned unchanged. */
export function normaliseDateInput(value: string): string {
  const uk = UK_DATE.exec(value);
  if (!uk) return value;
  return `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  const ms = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(to) - ms(from)) / 86_400_000);
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "4 December 2026" for a YYYY-MM-DD date; the text itself when it is not a real date. */
export function formatIsoDate(value: string): string {
  if (!isRealIsoDate(value)) return value;
  return LONG_DATE.format(new Date(`${value}T00:00:00Z`));
}
