import { londonDate } from '../scheduling/calendar.ts';
import { RULESET, upcomingTriggerDates } from './rules.ts';
import { PRIORITIES_BY_URGENCY } from './types.ts';
import type { Priority, TriageFlag, TriageInput, TriageReason, TriageResult, TriageRuleset } from './types.ts';

function urgencyRank(priority: Priority): number {
  return PRIORITIES_BY_URGENCY.indexOf(priority);
}

/**
 * Decides how soon staff make first contact. Every referral gets a priority; nothing here declines,
 * closes or scores anyone (NICE NG225 advises against risk stratification to decide who gets help).
 */
export function triage(input: TriageInput, receivedAt: Date, ruleset: TriageRuleset = RULESET): TriageResult {
  const context = { receivedDate: londonDate(receivedAt) };

  const matched: TriageReason[] = ruleset.rules
    .filter((rule) => rule.applies(input, context))
    .map((rule) => ({ ruleId: rule.id, priority: rule.priority, text: rule.reasonText(input, context) }));
  const reasons: TriageReason[] =
    matched.length > 0
      ? // Array.prototype.sort is stable, so rule order is kept within one priority.
        [...matched].sort((a, b) => urgencyRank(a.priority) - urgencyRank(b.priority))
      : [{ ruleId: ruleset.fallback.id, priority: ruleset.fallback.priority, text: ruleset.fallback.text }];

  const mostUrgent = reasons[0]?.priority ?? ruleset.fallback.priority;
  const triggerDateRuleMatched = matched.some((reason) => reason.ruleId === 'upcoming_trigger_date');

  return {
    priority: mostUrgent,
    reasons,
    flags: safeguardingAndContactFlags(input),
    ruleVersion: ruleset.version,
    mustContactBeforeDate: triggerDateRuleMatched ? (upcomingTriggerDates(input, context)[0]?.date ?? null) : null,
  };
}

/** Facts staff must see before the first call. They never change the priority. */
export function safeguardingAndContactFlags(input: TriageInput): TriageFlag[] {
  const flags: TriageFlag[] = [];
  if (input.childrenInHousehold) flags.push({ id: 'children_in_household', text: 'children live in his household' });
  if (input.childrenInRegularContact) {
    flags.push({ id: 'children_in_regular_contact', text: 'he is in regular contact with children' });
  }
  if (input.socialCareInvolved === 'yes') {
    flags.push({ id: 'social_care_involved', text: "children's social care is already involved" });
  }
  if (!input.gpGiven) flags.push({ id: 'no_gp', text: 'no GP details given' });
  if (!input.voicemailAllowed) flags.push({ id: 'no_voicemail', text: 'do not leave a voicemail' });
  if (!input.phoneSafe) {
    flags.push({
      id: 'no_safe_phone',
      text: input.emailSafe
        ? 'no phone that is safe to call: contact by email only'
        : 'no phone or email that is safe to use: agree a safe way to reach him before contact',
    });
  }
  return flags;
}
