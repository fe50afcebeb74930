import { and, eq, isNull, lte } from 'drizzle-orm';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { outboxMessages } from '../../db/schema/outbox.ts';
import type { PortalDb } from '../../db/client.ts';
import { recordAudit } from '../audit/audit.ts';
import { bodyAad, recipientsAad } from '../mail/outbox.ts';
import { encryptField, encryptJson, type Keyring } from '../security/field-encryption.ts';
import { deleteReferralData, referralFacts, removeMailFiles } from './delete.ts';
import { activeHold } from './holds.ts';
import { retentionRuleFor, type RetentionRuleId } from './outcomes.ts';
import { addPeriod, readPolicy, type PolicyRule } from './policy.ts';

/** The daily retention run (and `npm run retention`): counts only, never personal data. */

export interface RetentionReport {
  dryRun: boolean;
  /** Closed referrals whose period has ended, by rule. */
  due: Record<RetentionRuleId, number>;
  /** Of those, how many a legal hold keeps. */
  held: number;
  deleted: number;
  mailBodiesCleared: number;
  mailFilesRemoved: number;
}

export interface DueReferral {
  id: string;
  officeId: string;
  rule: RetentionRuleId;
  closedAt: Date;
  deleteAfter: Date;
  held: boolean;
}

/** Closed referrals whose retention period has ended at `now`. */
export function dueReferrals(db: PortalDb, policy: PolicyRule[], now: Date): DueReferral[] {
  const rules = new Map(policy.map((rule) => [rule.id, rule]));
  const closed = db.$client.prepare("SELECT id, office_id FROM referrals WHERE status = 'closed'").all() as Array<{
    id: string;
    office_id: string;
  }>;
  const due: DueReferral[] = [];
  db.transaction((tx) => {
    for (const row of closed) {
      const facts = referralFacts(tx, row.id);
      if (!facts.closedAt) continue;
      const ruleId = retentionRuleFor(facts);
      const rule = rules.get(ruleId)!;
      const deleteAfter = addPeriod(facts.closedAt, rule.value, rule.unit);
      if (deleteAfter.getTime() > now.getTime()) continue;
      due.push({
        id: row.id,
        officeId: row.office_id,
        rule: ruleId,
        closedAt: facts.closedAt,
        deleteAfter,
        held: !!activeHold(db, row.id),
      });
    }
  });
  return due;
}

export interface RunRetentionOptions {
  keyring: Keyring;
  now: Date;
  dryRun: boolean;
  /** Where .eml files are written (config.mailDir). */
  mailDir: string | null;
}

export function runRetention(db: PortalDb, options: RunRetentionOptions): RetentionReport {
  const { now, keyring } = options;
  const policy = options.dryRun ? readPolicyReadOnly(db, now) : readPolicy(db, now);
  const due = dueReferrals(db, policy, now);
  const report: RetentionReport = {
    dryRun: options.dryRun,
    due: { not_reached: 0, declined: 0, engaged: 0, safeguarding: 0 },
    held: 0,
    deleted: 0,
    mailBodiesCleared: 0,
    mailFilesRemoved: 0,
  };
  for (const item of due) {
    report.due[item.rule] += 1;
    if (item.held) report.held += 1;
  }
  const mailRule = policy.find((rule) => rule.id === 'sent_mail')!;
  const mailCutoff = addPeriod(now, -mailRule.value, mailRule.unit);
  const toClear = db
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.status, 'sent'),
        lte(outboxMessages.sentAt, mailCutoff),
        isNull(outboxMessages.bodyClearedAt),
      ),
    )
    .all();
  if (options.dryRun) {
    report.mailBodiesCleared = toClear.length;
    report.mailFilesRemoved = oldMailFiles(options.mailDir, mailCutoff).length;
    return report;
  }

  for (const item of due) {
    if (item.held) continue;
    // One transaction per referral: all of it goes, with its audit entry and statistics row, or none of it.
    const outboxIds = db.transaction((tx) => {
      if (activeHold(db, item.id)) return null; // placed since the list was made
      const result = deleteReferralData(tx, keyring, item.id, item.rule, now);
      recordAudit(
        tx,
        {
          actorId: null,
          action: 'referral_deleted',
          referralId: item.id,
          officeId: item.officeId,
          detail: { rule: item.rule, closedMonth: item.closedAt.toISOString().slice(0, 7) },
        },
        now,
      );
      return result.outboxIds;
    });
    if (outboxIds) {
      report.deleted += 1;
      report.mailFilesRemoved += removeMailFiles(options.mailDir, outboxIds);
    }
  }

  db.transaction((tx) => {
    for (const { id } of toClear) {
      tx.update(outboxMessages)
        .set({
          recipientsEnc: encryptJson(keyring, [], recipientsAad(id)),
          bodyEnc: encryptField(keyring, '', bodyAad(id)),
          bodyClearedAt: now,
        })
        .where(eq(outboxMessages.id, id))
        .run();
    }
  });
  report.mailBodiesCleared = toClear.length;
  report.mailFilesRemoved += removeMailFiles(
    options.mailDir,
    toClear.map((row) => row.id),
  );
  for (const path of oldMailFiles(options.mailDir, mailCutoff)) {
    rmSync(path, { force: true });
    report.mailFilesRemoved += 1;
  }
  recordAudit(
    db,
    {
      actorId: null,
      action: 'retention_run',
      detail: {
        deleted: report.deleted,
        held: report.held,
        mailBodiesCleared: report.mailBodiesCleared,
        mailFilesRemoved: report.mailFilesRemoved,
      },
    },
    now,
  );
  return report;
}

/** The policy without writing defaults (a dry run changes nothing). */
function readPolicyReadOnly(db: PortalDb, now: Date): PolicyRule[] {
  let policy: PolicyRule[] = [];
  try {
    db.transaction((tx) => {
      policy = readPolicy(tx, now);
      tx.rollback();
    });
  } catch {
    // rollback() throws to end the transaction; the policy was read first.
  }
  return policy;
}

function oldMailFiles(mailDir: string | null, cutoff: Date): string[] {
  if (!mailDir || !existsSync(mailDir)) return [];
  return readdirSync(mailDir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => join(mailDir, name))
    .filter((path) => statSync(path).mtimeMs <= cutoff.getTime());
}
