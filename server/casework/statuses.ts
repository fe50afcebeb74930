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

/** The deadline counts down only while he waits for first contact; closed or reached referrals never do. */
export function isCountingDown(status: string): boolean {
  return (NEEDS_CONTACT_STATUSES as readonly string[]).includes(status);
}

export const CLOSED_REASONS = [
  'support_completed',
  'declined',
  'not_suitable',
  'referred_elsewhere',
  'unable_to_contact',
] as const;
export type ClosedReason = (typeof CLOSED_REASONS)[number];
export const CLOSED_REASON_LABELS: Record<ClosedReason, string> = {
  support_completed: 'Support completed',
  declined: 'Declined',
  not_suitable: 'Not suitable',
  referred_elsewhere: 'Referred elsewhere',
  unable_to_contact: 'Unable to contact',
};
/** These always need the staff member's reason in words ("referred elsewhere" also says where). */
export const CLOSED_REASONS_NEEDING_TEXT: readonly ClosedReason[] = [
  'not_suitable',
  'referred_elsewhere',
  'unable_to_contact',
];

/**
 * Booking is not contact: "new" and "contact attempted" leave only when an attempt reached him (or he contacted
 * us), so a man never spoken to stays in the needs-contact queue and the escalations whatever is booked.
 */
const TRANSITIONS: Record<ReferralStatus, readonly ReferralStatus[]> = {
  new: ['contact_attempted', 'in_contact', 'closed'],
  contact_attempted: ['in_contact', 'closed'],
  in_contact: ['appointment_booked', 'engaged', 'closed'],
  appointment_booked: ['in_contact', 'engaged', 'closed'],
  engaged: ['closed'],
  // Closed leaves only by a manager's reopening with a reason (closing.ts), never by a status change.
  closed: [],
};

/** Set only by recording an attempt or booking an appointment, never chosen by hand. */
const AUTOMATIC: readonly ReferralStatus[] = ['contact_attempted', 'appointment_booked', 'in_contact'];
/** "In contact" is chosen by hand only after he was reached (an appointment that is still to come). */
const MANUAL_FROM_REACHED: readonly ReferralStatus[] = ['in_contact'];

export function isReferralStatus(value: string): value is ReferralStatus {
  return (REFERRAL_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: string, to: ReferralStatus): boolean {
  return isReferralStatus(from) && TRANSITIONS[from].includes(to);
}

/** What the status form offers. */
export function manualTransitions(from: string): ReferralStatus[] {
  if (!isReferralStatus(from)) return [];
  const reached = !(NEEDS_CONTACT_STATUSES as readonly string[]).includes(from);
  return TRANSITIONS[from].filter((to) => !AUTOMATIC.includes(to) || (reached && MANUAL_FROM_REACHED.includes(to)));
}

/** "Unable to contact" on these is never simply closed: it goes to a manager. */
export const ESCALATE_UNABLE_TO_CONTACT: readonly Priority[] = ['today', 'next_working_day'];

export const PRIORITY_LABELS: Record<Priority, string> = {
  today: 'Today',
  next_working_day: 'Next working day',
  within_7_days: 'Within 7 days',
};

export const CONTACT_CHANNELS = ['phone', 'text', 'email', 'letter', 'he_contacted_us'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CHANNEL_LABELS: Record<ContactChannel, string> = {
  phone: 'Phone call',
  text: 'Text message',
  email: 'Email',
  letter: 'Letter',
  he_contacted_us: 'He contacted us',
};
/** The ways we reach out to him (the contact plan spreads attempts across these). */
export const OUTGOING_CHANNELS: readonly ContactChannel[] = ['phone', 'text', 'email', 'letter'];

export const CONTACT_OUTCOMES = ['spoke', 'no_answer', 'voicemail_left', 'wrong_number', 'declined', 'sent'] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
export const OUTCOME_LABELS: Record<ContactOutcome, string> = {
  spoke: 'Spoke to him',
  no_answer: 'No answer',
  voicemail_left: 'Voicemail left',
  wrong_number: 'Wrong number',
  declined: 'He declined support',
  sent: 'Sent, no reply yet',
};
/**
 * Which outcomes each channel can have. A letter is only ever sent: nobody "spoke to him" by letter, and his
 * reply is recorded as "He contacted us".
 */
export const CHANNEL_OUTCOMES: Record<ContactChannel, readonly ContactOutcome[]> = {
  phone: ['spoke', 'no_answer', 'voicemail_left', 'wrong_number', 'declined'],
  text: ['sent', 'spoke', 'wrong_number', 'declined'],
  email: ['sent', 'spoke', 'declined'],
  letter: ['sent'],
  he_contacted_us: ['spoke', 'declined'],
};
/** Outcomes that mean we reached him. */
export const REACHED_OUTCOMES: readonly ContactOutcome[] = ['spoke', 'declined'];
