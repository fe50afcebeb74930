import { eq } from 'drizzle-orm';
import { retentionRules } from '../../db/schema/lifecycle.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { RetentionRuleId } from './outcomes.ts';

/**
 * The retention policy: the one list of rules, what each deletes and when, with the defaults we propose
 * (README "Retention"). Admins change the periods in the back office; the table `retention_rules` holds them.
 */

export type RetentionUnit = 'days' | 'months' | 'years';
export type PolicyRuleId = RetentionRuleId | 'sent_mail';

export interface RuleDefinition {
  id: PolicyRuleId;
  label: string;
  /** Which records the rule applies to. */
  appliesTo: string;
  /** What is deleted when the period ends. */
  deletes: string;
  /** What the period counts from. */
  countsFrom: string;
  defaultValue: number;
  defaultUnit: RetentionUnit;
  /** Why we propose the default (brief §6). */
  why: string;
  /** Bounds an admin may set, in days. */
  minDays: number;
  maxDays: number;
}

const WHOLE_REFERRAL =
  'everything personal about him: answers, triage reasons, notes, contact attempts, appointments, status history, holds and markers, emails to him and their .eml files, name and contact hashes. A de-identified statistics row is kept.';

export const RULE_DEFINITIONS: readonly RuleDefinition[] = [
  {
    id: 'not_reached',
    label: 'Never reached or withdrawn',
    appliesTo: 'Closed referrals where we never reached him (unable to contact) or he withdrew.',
    deletes: WHOLE_REFERRAL,
    countsFrom: 'the date the referral was closed',
    defaultValue: 6,
    defaultUnit: 'months',
    why: 'An enquiry that never became support is purged soon (brief §6: unconverted enquiries purged soon); six months covers a late reply or complaint.',
    minDays: 30,
    maxDays: 366 * 3,
  },
  {
    id: 'declined',
    label: 'Declined, not suitable or referred elsewhere',
    appliesTo: 'Closed referrals where he was reached but did not take up support here.',
    deletes: WHOLE_REFERRAL,
    countsFrom: 'the date the referral was closed',
    defaultValue: 12,
    defaultUnit: 'months',
    why: 'Short: no client record was created. A year lets staff see a recent contact if he comes back.',
    minDays: 30,
    maxDays: 366 * 6,
  },
  {
    id: 'engaged',
    label: 'Engaged clients',
    appliesTo: 'Closed referrals where he engaged with support (a client record).',
    deletes: WHOLE_REFERRAL,
    countsFrom: 'the date the referral was closed (the end of support)',
    defaultValue: 20,
    defaultUnit: 'years',
    why: 'Benchmark: the NHS Records Management Code of Practice 2021 keeps mental health records 20 years after treatment ends (8 years for general adult records). It binds the NHS, not a charity, but is defensible.',
    minDays: 366,
    maxDays: 366 * 100,
  },
  {
    id: 'safeguarding',
    label: 'Safeguarding concerns',
    appliesTo: 'Closed referrals where staff recorded a safeguarding concern.',
    deletes: WHOLE_REFERRAL,
    countsFrom: 'the date the referral was closed',
    defaultValue: 45,
    defaultUnit: 'years',
    why: 'Longest: records of safeguarding concerns matter to survivors and later proceedings (IICSA 2022). The Australian Royal Commission recommended at least 45 years; a longer IICSA figure (about 75 years) is unverified.',
    minDays: 366,
    maxDays: 366 * 100,
  },
  {
    id: 'sent_mail',
    label: 'Bodies of sent emails',
    appliesTo: 'Every email the portal has sent (acknowledgements to him, alerts to staff).',
    deletes: 'the recipients and body of the message, and its .eml file; the subject, kind and delivery history stay.',
    countsFrom: 'the time it was sent',
    defaultValue: 30,
    defaultUnit: 'days',
    why: 'Delivery problems show within days; a copy of what was sent to his address is not needed after that.',
    minDays: 1,
    maxDays: 366,
  },
];

export interface PolicyRule extends RuleDefinition {
  value: number;
  unit: RetentionUnit;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export function ruleDefinition(id: string): RuleDefinition | undefined {
  return RULE_DEFINITIONS.find((rule) => rule.id === id);
}

/** Reads the policy, writing any missing rule's default first (so the table always holds the whole policy). */
export function readPolicy(db: DbWriter, now: Date): PolicyRule[] {
  for (const rule of RULE_DEFINITIONS) {
    db.insert(retentionRules)
      .values({ id: rule.id, keepValue: rule.defaultValue, keepUnit: rule.defaultUnit, updatedAt: now })
      .onConflictDoNothing()
      .run();
  }
  const rows = new Map(
    db
      .select()
      .from(retentionRules)
      .all()
      .map((row) => [row.id, row]),
  );
  return RULE_DEFINITIONS.map((rule) => {
    const row = rows.get(rule.id)!;
    return {
      ...rule,
      value: row.keepValue,
      unit: row.keepUnit,
      updatedAt: row.updatedBy ? row.updatedAt : null,
      updatedBy: row.updatedBy,
    };
  });
}

/** The moment a period of `value unit` after `from` ends (calendar months and years, in UTC). */
export function addPeriod(from: Date, value: number, unit: RetentionUnit): Date {
  const d = new Date(from.getTime());
  if (unit === 'days') d.setUTCDate(d.getUTCDate() + value);
  else if (unit === 'months') d.setUTCMonth(d.getUTCMonth() + value);
  else d.setUTCFullYear(d.getUTCFullYear() + value);
  return d;
}

/** Roughly how many days a period is, for the bounds check. */
export function periodDays(value: number, unit: RetentionUnit): number {
  return unit === 'days' ? value : unit === 'months' ? value * 30.44 : value * 365.25;
}

export type PolicyChange = { ok: true; before: string; after: string } | { ok: false; error: string };

export function validatePolicyChange(id: string, valueText: string, unitText: string): PolicyChange | null {
  const rule = ruleDefinition(id);
  if (!rule) return { ok: false, error: 'There is no such retention rule.' };
  if (!/^\d{1,4}$/.test(valueText.trim())) return { ok: false, error: 'Enter the period as a whole number, like 12.' };
  if (!['days', 'months', 'years'].includes(unitText)) return { ok: false, error: 'Choose days, months or years.' };
  const days = periodDays(Number(valueText), unitText as RetentionUnit);
  if (days < rule.minDays || days > rule.maxDays) {
    return {
      ok: false,
      error: `For "${rule.label}" choose a period from ${rule.minDays} days to ${Math.round(rule.maxDays / 365.25)} years.`,
    };
  }
  return null;
}

export function updateRule(
  db: DbWriter,
  id: PolicyRuleId,
  value: number,
  unit: RetentionUnit,
  staffId: string,
  now: Date,
): { before: string; after: string } {
  readPolicy(db, now);
  const row = db.select().from(retentionRules).where(eq(retentionRules.id, id)).get()!;
  db.update(retentionRules)
    .set({ keepValue: value, keepUnit: unit, updatedAt: now, updatedBy: staffId })
    .where(eq(retentionRules.id, id))
    .run();
  return { before: `${row.keepValue} ${row.keepUnit}`, after: `${value} ${unit}` };
}
