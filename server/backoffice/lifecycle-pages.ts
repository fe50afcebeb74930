import type { PolicyRule } from '../retention/policy.ts';
import type { HoldView } from '../retention/holds.ts';
import type { FreeTextItem } from '../retention/subject-access.ts';

/** The data lifecycle screens (server/backoffice/routes/lifecycle.ts), rendered by DataLifecycle.astro. */

export interface RetentionPolicyView {
  view: 'policy';
  rules: Array<PolicyRule & { updatedByName: string | null }>;
  dryRun: { due: Record<string, number>; held: number; mailBodies: number; mailFiles: number };
  errors: Record<string, string>;
}

export interface HoldsView {
  view: 'holds';
  holds: Array<Omit<HoldView, 'reason'> & { reason: string; reviewOverdue: boolean }>;
}

export interface DeletionReportView {
  view: 'deletions';
  /** Deleted per month and rule (from the statistics rows). */
  months: Array<{ month: string; byRule: Record<string, number>; total: number }>;
  rules: string[];
  /** Referrals past their period that are still here: held, or waiting for the next run. */
  overdue: Array<{ id: string; reference: string; rule: string; deleteAfter: Date; held: boolean }>;
  holdsStanding: number;
}

export interface ReferralDataView {
  view: 'referral_data';
  referral: { id: string; reference: string; status: string; officeName: string };
  retention: { rule: string; ruleLabel: string; deleteAfter: Date | null };
  hold: (Omit<HoldView, 'reason'> & { reason: string }) | null;
  safeguarding: boolean;
  linked: Array<{ id: string; reference: string; receivedAt: Date; matchedOn: string[] }>;
  canExport: boolean;
  holdKinds: Record<string, string>;
  erasureReasons: Record<string, string>;
  errors: Record<string, string>;
  values: Record<string, string>;
}

export interface SubjectAccessReviewView {
  view: 'subject_access_review';
  referral: { id: string; reference: string };
  items: FreeTextItem[];
  sectionTitles: string[];
}

export interface DataLifecyclePage {
  kind: 'data_lifecycle';
  status?: number;
  title: string;
  content: RetentionPolicyView | HoldsView | DeletionReportView | ReferralDataView | SubjectAccessReviewView;
}
