/**
 * What evaluation counts, defined once. Everything that depends on the casework model (what "first contact"
 * is, how a referral's story ends, why a deadline was missed) is here, so a change to casework changes only
 * this file. The dashboard, the research export, the aggregate export and the data dictionary all read it.
 */

// Evaluation never imports the back office (HTTP side); tests check these codes still match casework's and the
// referral form's own lists (tests/unit/evaluation/definitions.test.ts).
import { REACHED_OUTCOMES } from '../casework/statuses.ts';

/** Contact attempt outcomes that count as first contact: we reached him (not merely tried). Casework decides. */
export const FIRST_CONTACT_OUTCOMES: readonly string[] = REACHED_OUTCOMES;
/** The same as SQL, for queries. */
export const FIRST_CONTACT_OUTCOMES_SQL = FIRST_CONTACT_OUTCOMES.map((o) => `'${o}'`).join(', ');

export interface Code {
  code: string;
  label: string;
}

/**
 * How a referral ended, or where it is now. A closed referral's outcome is its closing reason; 'engaged' also
 * covers a referral that is still open and engaged. Closing reasons casework adds later (e.g. support_completed)
 * are listed here with their label; an unknown code shows as "Other".
 */
export const OUTCOMES: readonly Code[] = [
  { code: 'engaged', label: 'Engaged' },
  { code: 'support_completed', label: 'Support completed' },
  { code: 'declined', label: 'Declined' },
  { code: 'unable_to_contact', label: 'Unable to contact' },
  { code: 'referred_elsewhere', label: 'Referred elsewhere' },
  { code: 'not_suitable', label: 'Not suitable' },
  { code: 'in_progress', label: 'Still open' },
  { code: 'other', label: 'Other' },
];

/** SQL (over `r`, a row of referrals) for a live referral's outcome code, as the table above defines it. */
export const LIVE_OUTCOME_SQL = `CASE
  WHEN r."status" = 'closed' THEN COALESCE((SELECT s."closed_reason" FROM "status_changes" s
    WHERE s."referral_id" = r."id" AND s."closed_reason" IS NOT NULL ORDER BY s."changed_at" DESC LIMIT 1), 'other')
  WHEN r."status" = 'engaged' THEN 'engaged'
  ELSE 'in_progress' END`;

/**
 * The same outcome over `e`, a row of referral_evaluation (db/schema/evaluation.ts), whose `closed_reason` is the
 * latest closing reason that the subquery above looks up.
 */
export const SUMMARY_OUTCOME_SQL = `CASE
  WHEN e."status" = 'closed' THEN COALESCE(e."closed_reason", 'other')
  WHEN e."status" = 'engaged' THEN 'engaged'
  ELSE 'in_progress' END`;

/** Coded reasons a first-contact deadline was missed (derived from the contact log, never typed). */
export const MISSED_DEADLINE_REASONS: readonly Code[] = [
  { code: 'no_attempt_in_time', label: 'No contact attempt before the deadline' },
  { code: 'attempts_did_not_reach', label: 'Tried before the deadline but did not reach him' },
  { code: 'other', label: 'Other' },
];

export const PRIORITIES: readonly Code[] = [
  { code: 'today', label: 'Today' },
  { code: 'next_working_day', label: 'Next working day' },
  { code: 'within_7_days', label: 'Within 7 days' },
];

export const MEET_PREFERENCES: readonly Code[] = [
  { code: 'asap', label: 'As soon as possible' },
  { code: 'later', label: 'Later' },
];

export const FLAGS: readonly Code[] = [
  { code: 'children_in_household', label: 'Children in his household' },
  { code: 'children_in_regular_contact', label: 'Children he sees regularly' },
  { code: 'social_care_involved', label: "Children's social care involved" },
  { code: 'no_gp', label: 'No GP' },
  { code: 'no_voicemail', label: 'No voicemail' },
  { code: 'no_safe_phone', label: 'No safe phone' },
];

/** Codes are the referral form's own answer values (server/referrals/questions.ts); labels are for managers. */
export const NATIONS: readonly Code[] = [
  { code: 'england', label: 'England' },
  { code: 'wales', label: 'Wales' },
  { code: 'scotland', label: 'Scotland' },
  { code: 'northern_ireland', label: 'Northern Ireland' },
];

export const STAGES: readonly Code[] = [
  { code: 'no_police_contact', label: 'No police contact yet' },
  { code: 'police_will_contact', label: 'Police said they will be in touch' },
  { code: 'arrested', label: 'Arrested' },
  { code: 'voluntary_interview', label: 'Voluntary interview' },
  { code: 'released_under_investigation', label: 'Released under investigation' },
  { code: 'on_bail', label: 'On bail' },
  { code: 'charged', label: 'Charged' },
  { code: 'awaiting_court', label: 'Waiting for court' },
  { code: 'sentenced', label: 'Sentenced' },
];

export const SOURCES: readonly Code[] = [
  { code: 'police', label: 'Police' },
  { code: 'social_care', label: "Children's social care" },
  { code: 'solicitor', label: 'Solicitor' },
  { code: 'gp', label: 'GP or health worker' },
  { code: 'search_engine', label: 'Searching online' },
  { code: 'friend_or_family', label: 'Friend or family' },
  { code: 'other', label: 'Somewhere else' },
  { code: 'not_said', label: 'He did not say' },
];

export function labelFor(codes: readonly Code[], code: string | null | undefined): string {
  return codes.find((c) => c.code === code)?.label ?? 'Other';
}

/** Calendar days the service promises first contact in (and a first meeting, if he wants one that soon). */
export const SEVEN_DAYS_MS = 7 * 24 * 60 * 60_000;
