import { SAFE_TIMES_OUTSIDE_OFFICE_HOURS } from '../scheduling/safe-deadline.ts';
import type { SlotFallbackReasonId } from '../scheduling/types.ts';
import type { Priority } from '../triage/types.ts';
import { PRIORITY_LABEL, backOfficeUrl, formatLondonDate, formatLondonDateTime } from './format.ts';

/**
 * Staff alert emails. They travel through ordinary mail systems, so they carry only what staff need to act:
 * the reference, the priority, the contact-by time and a link. Never his name, contact details, answers,
 * reasons or anything about offences: those are behind the back-office sign-in.
 */
export interface AlertEmail {
  subject: string;
  text: string;
}

const FOOTER = [
  '',
  '--',
  'This alert holds no personal details on purpose. Sign in to the back office to see the referral.',
  'Sent by the Safer Lives portal. Alert recipients are set by admins in the back office.',
].join('\n');

export interface ReferralAlertFacts {
  reference: string;
  priority: Priority;
  contactBy: Date;
  /** Link to the referral in the back office. */
  link: string;
  officeName: string;
}

/** The lines every referral alert shares: what staff need to find and prioritise it, nothing about him. */
function referralFactLines(facts: ReferralAlertFacts, receivedAt?: Date): string[] {
  return [
    `Reference:  ${facts.reference}`,
    `Office:     ${facts.officeName}`,
    `Priority:   ${PRIORITY_LABEL[facts.priority]}`,
    ...(receivedAt ? [`Received:   ${formatLondonDateTime(receivedAt)}`] : []),
    `Contact by: ${formatLondonDateTime(facts.contactBy)}`,
  ];
}

export function newReferralAlert(
  facts: ReferralAlertFacts & { receivedAt: Date; outOfHours: boolean; proposedSlotStart: Date | null },
): AlertEmail {
  const urgent = facts.priority === 'today';
  const tag = urgent ? (facts.outOfHours ? 'TODAY, received out of hours' : 'TODAY') : PRIORITY_LABEL[facts.priority];
  const lines = [
    urgent
      ? 'A new referral needs contact today. He may be at risk: please act on this now.'
      : 'A new referral has arrived.',
    '',
    ...referralFactLines(facts, facts.receivedAt),
  ];
  if (facts.proposedSlotStart) lines.push(`Proposed first contact: ${formatLondonDateTime(facts.proposedSlotStart)}`);
  if (urgent && facts.outOfHours) {
    lines.push('', 'It arrived outside office hours, so it has gone to the duty list as well as triage.');
  }
  lines.push('', `Open it: ${facts.link}`, FOOTER);
  return {
    subject: `[${tag}] New referral ${facts.reference}: contact by ${formatLondonDateTime(facts.contactBy)}`,
    text: lines.join('\n'),
  };
}

export type EscalationStage = 'half' | 'ninety' | 'breach';

const STAGE_TEXT: Record<EscalationStage, { tag: string; lead: string }> = {
  half: {
    tag: 'Half its time used',
    lead: 'This referral has used half of its time to first contact and is not yet contacted.',
  },
  ninety: {
    tag: '90% of its time used',
    lead: 'This referral has used 90% of its time to first contact and is still not contacted.',
  },
  breach: { tag: 'OVERDUE', lead: 'This referral has passed its contact-by time without first contact.' },
};

export function escalationAlert(facts: ReferralAlertFacts & { stage: EscalationStage }): AlertEmail {
  const stage = STAGE_TEXT[facts.stage];
  const text = [
    stage.lead,
    '',
    ...referralFactLines(facts),
    '',
    'Please make sure someone contacts him, or record the contact if it has happened.',
    `Open it: ${facts.link}`,
    FOOTER,
  ].join('\n');
  return {
    subject: `[${stage.tag}] Referral ${facts.reference}: contact by ${formatLondonDateTime(facts.contactBy)}`,
    text,
  };
}

/** Why no slot fitted, in words about the office, never about him (his reasons stay in the back office). */
const CAPACITY_REASON_TEXT: Record<Exclude<SlotFallbackReasonId, 'no_safe_channel'>, string> = {
  no_time_before_deadline: 'There is not enough time left before the contact-by time for a first contact.',
  no_office_time: 'The office has no working time between now and the contact-by time.',
  no_caseworker_rostered: 'No caseworker is rostered for first contacts before the contact-by time.',
  caseworkers_fully_booked:
    'Every rostered caseworker is fully booked, or at their daily limit, before the contact-by time.',
  outside_safe_times: 'No caseworker is free at a suitable time before the contact-by time (the back office says why).',
};

/** Why no slot fits when it is his safe times, not our capacity (server/scheduling/safe-deadline.ts). */
export const SAFE_TIMES_OUTSIDE_OFFICE_HOURS_TEXT = `Why: ${SAFE_TIMES_OUTSIDE_OFFICE_HOURS}.`;

export function capacityShortAlert(
  facts: ReferralAlertFacts & { reasonId: Exclude<SlotFallbackReasonId, 'no_safe_channel'>; reasonText?: string },
): AlertEmail {
  const text = [
    'No first-contact slot fits before the contact-by time, so it is booked at the deadline itself.',
    facts.reasonText ?? CAPACITY_REASON_TEXT[facts.reasonId],
    '',
    ...referralFactLines(facts),
    '',
    'Please make room: contact must still happen by then.',
    `Open it: ${facts.link}`,
    FOOTER,
  ].join('\n');
  return {
    subject: `[Capacity short] Referral ${facts.reference}: contact by ${formatLondonDateTime(facts.contactBy)}`,
    text,
  };
}

export interface DigestEntry {
  reference: string;
  priority: Priority;
  contactBy: Date;
  link: string;
}

export function dailyDigest(facts: {
  officeName: string;
  day: Date;
  overdue: DigestEntry[];
  dueToday: DigestEntry[];
  laterCount: number;
  publicBaseUrl: string;
}): AlertEmail {
  const entry = (e: DigestEntry) =>
    `  ${e.reference}  ${PRIORITY_LABEL[e.priority].padEnd(16)}  contact by ${formatLondonDateTime(e.contactBy)}\n    ${e.link}`;
  const section = (title: string, entries: DigestEntry[]) =>
    entries.length === 0 ? [`${title}: none`] : [`${title} (${entries.length}):`, ...entries.map(entry)];
  const text = [
    `First contacts for ${facts.officeName}, ${formatLondonDate(facts.day)}.`,
    '',
    ...section('OVERDUE, not yet contacted', facts.overdue),
    '',
    ...section('Due today', facts.dueToday),
    '',
    `Due later: ${facts.laterCount}`,
    '',
    `Back office: ${backOfficeUrl(facts.publicBaseUrl)}`,
    FOOTER,
  ].join('\n');
  const counts = `${facts.overdue.length} overdue, ${facts.dueToday.length} due today`;
  return { subject: `[Daily digest] ${facts.officeName}, ${formatLondonDate(facts.day)}: ${counts}`, text };
}
