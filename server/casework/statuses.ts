import type { Priority } from '../triage/types.ts';

/**
 * The referral workflow. Transitions are enforced here and nowhere else: routes and pages ask this module what
 * is allowed.
 */
export const REFERRAL_STATUSES = [
  'new',
  'contact_attempted',
  'in_contact',
  'appointment_booked',
  'engaged',
  'closed',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  new: 'New',
  contact_attempted: 'Contact attempted',
  in_contact: 'In contact',
  appointment_booked: 'Appointment booked',
  engaged: 'Engaged',
  closed: 'Closed',
};

/** Still waiting for first contact: what the inbox shows by default. */
export const NEEDS_CONTACT_STATUSES: readonly ReferralStatus[] = ['new', 'contact_attempted'];

export const CLOSED_REASONS = ['declined', 'not_suitable', 'referred_elsewhere', 'unable_to_contact'] as const;
export type ClosedReason = (typeof CLOSED_REASONS)[number];
export const CLOSED_REASON_LABELS: Record<ClosedReason, string> = {
  declined: 'Declined',
  not_suitable: 'Not suitable',
  referred_elsewhere: 'Referred elsewhere',
  unable_to_contact: 'Unable to contact',
};

const TRANSITIONS: Record<ReferralStatus, readonly ReferralStatus[]> = {
  new: ['contact_attempted', 'in_contact', 'appointment_booked', 'closed'],
  contact_attempted: ['in_contact', 'appointment_booked', 'closed'],
  in_contact: ['appointment_booked', 'engaged', 'closed'],
  appointment_booked: ['in_contact', 'engaged', 'closed'],
  engaged: ['closed'],
  // Closed is final: someone who comes back makes a new referral, so the record of this one stays as it was.
  closed: [],
};

/** Set only by recording an attempt or booking an appointment, never chosen by hand. */
const AUTOMATIC: readonly ReferralStatus[] = ['contact_attempted', 'appointment_booked'];

export function isReferralStatus(value: string): value is ReferralStatus {
  return (REFERRAL_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: string, to: ReferralStatus): boolean {
  return isReferralStatus(from) && TRANSITIONS[from].includes(to);
}

/** What the status form offers. */
export function manualTransitions(from: string): ReferralStatus[] {
  if (!isReferralStatus(from)) return [];
  return TRANSITIONS[from].filter((to) => !AUTOMATIC.includes(to));
}

/** "Unable to contact" on these is never simply closed: it goes to a manager. */
export const ESCALATE_UNABLE_TO_CONTACT: readonly Priority[] = ['today', 'next_working_day'];

export const PRIORITY_LABELS: Record<Priority, string> = {
  today: 'Today',
  next_working_day: 'Next working day',
  within_7_days: 'Within 7 days',
};

export const CONTACT_CHANNELS = ['phone', 'text', 'email', 'letter'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CHANNEL_LABELS: Record<ContactChannel, string> = {
  phone: 'Phone call',
  text: 'Text message',
  email: 'Email',
  letter: 'Letter',
};

export const CONTACT_OUTCOMES = ['spoke', 'no_answer', 'voicemail_left', 'wrong_number', 'declined'] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
export const OUTCOME_LABELS: Record<ContactOutcome, string> = {
  spoke: 'Spoke to him',
  no_answer: 'No answer',
  voicemail_left: 'Voicemail left',
  wrong_number: 'Wrong number',
  declined: 'He declined support',
};
/** Outcomes that mean we reached him. */
export const REACHED_OUTCOMES: readonly ContactOutcome[] = ['spoke', 'declined'];
