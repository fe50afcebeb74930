/**
 * The checks the browser makes before the form is sent, as plain data plus the small pure functions that
 * apply them. Dependency-free on purpose (only ./text.ts): site/scripts/referral-form.ts bundles this file,
 * and must not pull zod or libphonenumber-js into the page.
 *
 * The data is never written by hand: server/referrals/form-check-data.ts derives one `FormCheck` per
 * question from its definition in ./questions.ts (messages, limits, conditions), and the form carries it
 * in a `data-check` attribute. The server stays authoritative: zod in ./questions.ts validates every post,
 * and uses `conditionHolds`, `dateProblem` and the e-mail pattern from here, so both sides agree by
 * construction. Phone numbers are the one lighter check (see `ukPhoneShapeProblem`).
 */
import { cleanMultiLine, cleanSingleLine, daysBetween, isRealIsoDate, normaliseDateInput } from './text.ts';

/** When a question is required only because of an earlier answer (with JavaScript it is shown only then). */
export type Condition = { question: string; is: readonly string[] } | { question: string; answered: true };

export interface DateRule {
  /** 'past': on or before today; 'future': on or after today. */
  direction: 'past' | 'future';
  /** How many days from today an answer may be. */
  rangeDays: number;
  invalid: string;
  outOfRange: string;
}

export interface PhoneRule {
  /** The message the server gives for a number that is not a UK number. */
  invalid: string;
}

/** What the browser checks for one question. Absent keys mean "nothing to check". */
export interface FormCheck {
  /** The message when it is not answered: always, or (with `when`) only when the condition holds. */
  required?: string;
  /** Required only when this holds; the question is also shown only then (always shown without JS). */
  when?: Condition;
  /** Typed text: how it is cleaned before it is measured ('s' single line, 'm' several lines). */
  text?: 's' | 'm';
  max?: number;
  tooLong?: string;
  /** A regular expression (source) the cleaned answer must match, and the message when it does not. */
  pattern?: string;
  invalid?: string;
  phone?: PhoneRule;
  date?: DateRule;
}

export interface QuestionCheck {
  id: string;
  check: FormCheck;
}

export interface FieldError {
  /** The question id, e.g. "phone"; empty for a problem with the submission as a whole. */
  path: string;
  message: string;
}

/** What a posted form looks like: every value a string, repeated names an array. */
export type FormValues = Record<string, string | string[] | undefined>;

export function conditionHolds(condition: Condition, answers: Readonly<Record<string, unknown>>): boolean {
  const value = answers[condition.question];
  if ('answered' in condition)
    return typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
  return typeof value === 'string' && condition.is.includes(value);
}

/** A date answer (already cleaned): null when it is empty or acceptable, else the message. */
export function dateProblem(value: string, rule: DateRule, today: string): string | null {
  if (value === '') return null;
  if (!isRealIsoDate(value)) return rule.invalid;
  const days = daysBetween(today, value);
  const inRange =
    rule.direction === 'past' ? days <= 0 && days >= -rule.rangeDays : days >= 0 && days <= rule.rangeDays;
  return inRange ? null : rule.outOfRange;
}

const SEPARATORS = /[\s\u00a0\-.()]/g;

/**
 * A lighter check than the server's (libphonenumber-js stays on the server): it only turns away what can
 * never be a UK number (too few or too many digits for the UK plan, or a wrong start), with the server's
 * own message. Anything it cannot judge (another country's code, an extension, letters) is left to the
 * server, which then answers with its message on the page it sends back. It never turns away a number the
 * server accepts (tests/unit/referrals/form-checks.test.ts checks both).
 */
export function ukPhoneShapeProblem(value: string, rule: PhoneRule): string | null {
  const compact = value.replace(SEPARATORS, '');
  if (!/^\+?\d+$/.test(compact)) return (value.match(/\d/g) ?? []).length < 7 ? rule.invalid : null;
  const uk = /^(?:\+44|0044)0?(\d*)$/.exec(compact);
  if (!uk && /^(?:\+|00)/.test(compact)) return null; // another country: the server says which message
  const national = uk ? uk[1]! : compact.replace(/^0/, '');
  return /^[1-9]\d{6,9}$/.test(national) ? null : rule.invalid;
}

function isMissing(value: string | string[] | undefined): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * The messages the server would give for these form values, one per question, in form order (the order
 * of `checks`). `today` is the London date, YYYY-MM-DD.
 */
export function checkFormValues(checks: readonly QuestionCheck[], values: FormValues, today: string): FieldError[] {
  // Typed answers are judged (and conditions read) after the same cleaning the server does.
  const cleaned: FormValues = { ...values };
  for (const { id, check } of checks) {
    const raw = values[id];
    if (check.text && typeof raw === 'string') {
      cleaned[id] = check.text === 'm' ? cleanMultiLine(raw) : cleanSingleLine(raw);
      if (check.date) cleaned[id] = normaliseDateInput(cleaned[id]);
    }
  }
  const errors: FieldError[] = [];
  for (const { id, check } of checks) {
    const message = problemWith(check, cleaned[id], cleaned, today);
    if (message) errors.push({ path: id, message });
  }
  return errors;
}

function problemWith(check: FormCheck, value: FormValues[string], all: FormValues, today: string): string | null {
  const text = typeof value === 'string' ? value : '';
  if (check.max !== undefined && text.length > check.max) return check.tooLong ?? null;
  if (isMissing(value)) {
    const required = check.required !== undefined && (!check.when || conditionHolds(check.when, all));
    return required ? check.required! : null;
  }
  if (check.pattern && !new RegExp(check.pattern).test(text)) return check.invalid ?? null;
  if (check.phone) return ukPhoneShapeProblem(text, check.phone);
  if (check.date) return dateProblem(text, check.date, today);
  return null;
}
