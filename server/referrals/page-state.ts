import type { FieldError, FormValues } from './questions.ts';

/**
 * What the /refer page is asked to show. Fastify decides (it has validated, stored or refused the post) and
 * Astro only renders; the state reaches the page as `Astro.locals.referral`. Nothing here goes in a URL.
 */
export type ReferralPageState =
  ReferralFormState | ReferralConfirmationState | ReferralUnder18State | ReferralProblemState;

/** Why the form came back without being sent, besides problems with particular answers. */
export type ReferralFormNotice =
  /** A bot check failed; people are told only to check and send again. */
  | 'not_accepted'
  /** The form was shown more than a day ago: check the answers kept in it and send again (it has a new token). */
  | 'expired'
  /** Too many sends from this connection in an hour. */
  | 'rate_limited'
  /** The database could not be written: nothing was saved. */
  | 'unavailable';

export interface ReferralFormState {
  view: 'form';
  status: 200 | 422 | 429 | 503;
  /** Signed token for this form: idempotency key and start time. */
  formToken: string;
  /** What he typed, put back exactly as he typed it. Never the honeypot. */
  values: FormValues;
  errors: FieldError[];
  notice: ReferralFormNotice | null;
  /** The London date, so date fields can offer a sensible range. */
  today: string;
}

export interface ReferralConfirmationState {
  view: 'confirmation';
  status: 200;
  reference: string;
  /** ISO instant. */
  contactBy: string;
  /** "by 5pm on Friday 4 December 2026". */
  contactByText: string;
  /** The whole promise about contact (never a call we cannot make: see contactPromiseText). */
  contactPromise?: string;
  /** His safe times to call are all outside office hours. */
  safeTimesOutsideOfficeHours?: boolean;
  /** Crisis help comes first. */
  showsRisk: boolean;
  acknowledgementQueued: boolean;
}

export interface ReferralUnder18State {
  view: 'under_18';
  status: 200;
}

export interface ReferralProblemState {
  view: 'problem';
  status: 400 | 403 | 413 | 415;
  problem: 'cross_site' | 'too_large' | 'wrong_type' | 'bad_request';
}
