import { CLOSED_REASONS } from '../casework/statuses.ts';

/**
 * The one mapping from how a referral ended to the retention rule that applies (and the outcome code kept in
 * referral_statistics). New closing reasons (e.g. 'support_completed') are added here and nowhere else; an
 * unknown reason falls back to the engaged rule, the longer period, so nothing is deleted early by mistake.
 */
export type RetentionRuleId = 'not_reached' | 'declined' | 'engaged' | 'safeguarding';

export const RULE_FOR_CLOSED_REASON: Readonly<Record<string, RetentionRuleId>> = {
  unable_to_contact: 'not_reached',
  withdrawn: 'not_reached',
  declined: 'declined',
  not_suitable: 'declined',
  referred_elsewhere: 'declined',
  support_completed: 'engaged',
};

/** Closing reasons the casework module knows but this mapping does not (a test requires none). */
export function unmappedClosedReasons(): string[] {
  return CLOSED_REASONS.filter((reason) => !(reason in RULE_FOR_CLOSED_REASON));
}

/** Statuses that mean he engaged with support at some point: his record is a client record from then on. */
export const ENGAGED_STATUSES: readonly string[] = ['engaged'];

export interface ClosedReferralFacts {
  closedReason: string | null;
  /** Every status the referral has been in. */
  statusesSeen: readonly string[];
  safeguardingConcern: boolean;
}

/** Which rule decides when this closed referral is deleted. */
export function retentionRuleFor(facts: ClosedReferralFacts): RetentionRuleId {
  if (facts.safeguardingConcern) return 'safeguarding';
  if (facts.statusesSeen.some((status) => ENGAGED_STATUSES.includes(status))) return 'engaged';
  if (facts.closedReason === null) return 'engaged';
  return RULE_FOR_CLOSED_REASON[facts.closedReason] ?? 'engaged';
}

/** The coded outcome kept in the statistics row. */
export function outcomeCode(facts: ClosedReferralFacts): string {
  if (facts.closedReason) return facts.closedReason;
  return facts.statusesSeen.some((status) => ENGAGED_STATUSES.includes(status)) ? 'engaged' : 'closed';
}
