/** How soon staff make first contact. Triage never decides whether someone is helped. */
export type Priority = 'today' | 'next_working_day' | 'within_7_days';

/** Most urgent first. */
export const PRIORITIES_BY_URGENCY: readonly Priority[] = ['today', 'next_working_day', 'within_7_days'];

export type TriggerDateKind = 'bail_return' | 'charge' | 'court';

export interface TriageInput {
  thoughtsOfEndingLife: 'no' | 'sometimes' | 'often';
  /** null = not asked or not answered. */
  madePlanOrTakenSteps: 'yes' | 'no' | 'prefer_not_to_say' | null;
  ableToKeepSafe: 'yes' | 'no' | 'not_sure' | null;
  /** YYYY-MM-DD, date of arrest or interview. */
  policeContactDate: string | null;
  policeContactKind: 'arrested' | 'voluntary_interview' | 'other' | null;
  /** YYYY-MM-DD dates. */
  upcomingDates: Array<{ kind: TriggerDateKind; date: string }>;
  childrenInHousehold: boolean;
  childrenInRegularContact: boolean;
  socialCareInvolved: 'yes' | 'no' | 'not_sure';
  gpGiven: boolean;
  voicemailAllowed: boolean;
  /** He gave a phone AND said it is safe to use. */
  phoneSafe: boolean;
  emailSafe: boolean;
}

/** Why the priority is what it is, in words staff can read. */
export interface TriageReason {
  ruleId: string;
  priority: Priority;
  text: string;
}

export type TriageFlagId =
  | 'children_in_household'
  | 'children_in_regular_contact'
  | 'social_care_involved'
  | 'no_gp'
  | 'no_voicemail'
  | 'no_safe_phone';

/** Shown to staff, never scored and never used to set the priority. */
export interface TriageFlag {
  id: TriageFlagId;
  text: string;
}

export interface TriageResult {
  priority: Priority;
  /** Every matched reason, most urgent first. */
  reasons: TriageReason[];
  flags: TriageFlag[];
  ruleVersion: string;
  /** Earliest bail/charge/court date within 7 days: first contact must happen before this date. */
  mustContactBeforeDate: string | null;
}

/** What a rule sees besides the answers: the London date the referral arrived. */
export interface TriageContext {
  receivedDate: string;
}

export interface TriageRule {
  id: string;
  priority: Priority;
  applies(input: TriageInput, context: TriageContext): boolean;
  reasonText(input: TriageInput, context: TriageContext): string;
}

export interface TriageRuleset {
  version: string;
  rules: readonly TriageRule[];
  /** Used only when no rule matched, so every result carries at least one reason. */
  fallback: { id: string; priority: Priority; text: string };
}
