import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { referralStatistics } from '../../db/schema/statistics.ts';
import type { PortalTx } from '../../db/writer.ts';
import { REACHED_OUTCOMES } from '../casework/statuses.ts';
import { calendarFor } from '../offices/calendar.ts';
import { addCalendarDays, londonDate, workingWindowsBetween, isoWeekday } from '../scheduling/calendar.ts';
import { decryptTriage } from '../referrals/store.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { PER_REFERRAL_TABLES } from './referral-tables.ts';
import { outcomeCode, type ClosedReferralFacts } from './outcomes.ts';

/**
 * Deleting one referral: everything personal goes, in the caller's transaction, and one de-identified
 * statistics row stays so evaluation still counts him. Returns the outbox ids whose .eml files must go too
 * (files are removed after the commit by `removeMailFiles`).
 */

type Row = Record<string, unknown>;
const DAY_MS = 86_400_000;

/** Outbox messages about this referral: their dedupe keys carry its id (acknowledgement, alerts, escalations). */
export function outboxIdsFor(tx: PortalTx, referralId: string): string[] {
  const sqlite = clientOf(tx);
  return (
    sqlite
      .prepare(
        "SELECT id FROM outbox_messages WHERE dedupe_key LIKE '%:' || ? || ':%' OR dedupe_key LIKE '%:' || ? OR dedupe_key = ?",
      )
      .all(referralId, referralId, referralId) as Array<{ id: string }>
  ).map((row) => row.id);
}

export function clientOf(tx: PortalTx) {
  return (tx as unknown as { session: { client: Database.Database } }).session.client;
}

/** Which of the listed per-referral tables exist in this database (some belong to features not merged yet). */
function existingPerReferralTables(tx: PortalTx): string[] {
  const sqlite = clientOf(tx);
  const tables = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
      (row) => row.name,
    ),
  );
  return PER_REFERRAL_TABLES.filter((name) => tables.has(name));
}

function isoWeek(date: string): { week: string; weekStart: string } {
  const weekday = isoWeekday(date);
  const monday = addCalendarDays(date, 1 - weekday);
  const thursday = addCalendarDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const jan4 = `${year}-01-04`;
  const firstMonday = addCalendarDays(jan4, 1 - isoWeekday(jan4));
  const week = Math.round((Date.parse(monday) - Date.parse(firstMonday)) / (7 * DAY_MS)) + 1;
  return { week: `${year}-W${String(week).padStart(2, '0')}`, weekStart: monday };
}

export interface ReferralFacts extends ClosedReferralFacts {
  closedAt: Date | null;
}

/** How the referral ended, from its status history. */
export function referralFacts(tx: PortalTx, referralId: string): ReferralFacts {
  const sqlite = clientOf(tx);
  const changes = sqlite
    .prepare(
      'SELECT from_status, to_status, closed_reason, changed_at FROM status_changes WHERE referral_id = ? ORDER BY changed_at',
    )
    .all(referralId) as Array<{
    from_status: string;
    to_status: string;
    closed_reason: string | null;
    changed_at: number;
  }>;
  const lastClose = [...changes].reverse().find((change) => change.to_status === 'closed') ?? null;
  const marker = sqlite.prepare('SELECT 1 FROM safeguarding_markers WHERE referral_id = ?').get(referralId);
  return {
    closedReason: lastClose?.closed_reason ?? null,
    closedAt: lastClose ? new Date(lastClose.changed_at) : null,
    statusesSeen: [...new Set(changes.flatMap((change) => [change.from_status, change.to_status]))],
    safeguardingConcern: !!marker,
  };
}

function workingHoursBetween(tx: PortalTx, officeId: string, from: Date, to: Date): number | null {
  try {
    const cfg = calendarFor(tx, officeId);
    let ms = 0;
    for (const window of workingWindowsBetween(londonDate(from), londonDate(to), cfg)) {
      const start = Math.max(window.start.getTime(), from.getTime());
      const end = Math.min(window.end.getTime(), to.getTime());
      if (end > start) ms += end - start;
    }
    return Math.round((ms / 3_600_000) * 10) / 10;
  } catch {
    return null;
  }
}

/** The de-identified row for one referral (coded values and the ISO week only). */
export function statisticsRowFor(
  tx: PortalTx,
  keyring: Keyring,
  referralId: string,
  deletionRule: string,
  now: Date,
): typeof referralStatistics.$inferInsert {
  const sqlite = clientOf(tx);
  const referral = sqlite.prepare('SELECT * FROM referrals WHERE id = ?').get(referralId) as Row;
  const receivedAt = new Date(referral.received_at as number);
  const contactBy = new Date(referral.contact_by as number);
  const facts = referralFacts(tx, referralId);
  const attempts = sqlite
    .prepare('SELECT attempted_at, outcome FROM contact_attempts WHERE referral_id = ? ORDER BY attempted_at')
    .all(referralId) as Array<{ attempted_at: number; outcome: string }>;
  const reached = attempts.find((a) => (REACHED_OUTCOMES as readonly string[]).includes(a.outcome));
  const appointments = sqlite
    .prepare('SELECT created_at FROM appointments WHERE referral_id = ?')
    .all(referralId) as Array<{ created_at: number }>;
  const overrides = sqlite
    .prepare('SELECT COUNT(*) AS n FROM priority_overrides WHERE referral_id = ?')
    .get(referralId) as {
    n: number;
  };
  let flags = '';
  try {
    const triage = decryptTriage(keyring, referralId, referral.triage_enc as string);
    const codes = new Set<string>();
    if (triage.result.reasons.some((reason) => reason.priority === 'today')) codes.add('risk');
    for (const flag of triage.result.flags) {
      if (flag.id === 'children_in_household' || flag.id === 'children_in_regular_contact') codes.add('children');
      if (flag.id === 'social_care_involved') codes.add('social_care');
      if (flag.id === 'no_gp') codes.add('no_gp');
    }
    flags = ['risk', 'children', 'social_care', 'no_gp'].filter((code) => codes.has(code)).join(',');
  } catch {
    flags = '';
  }
  const { week, weekStart } = isoWeek(londonDate(receivedAt));
  const sevenDays = receivedAt.getTime() + 7 * DAY_MS;
  const reachedAt = reached ? new Date(reached.attempted_at) : null;
  return {
    id: randomUUID(),
    officeId: referral.office_id as string,
    isoWeekReceived: week,
    weekStart,
    nation: referral.nation as string,
    stage: referral.stage as string,
    source: (referral.source as string | null) ?? null,
    priority: referral.priority as string,
    priorityChanged: overrides.n > 0,
    meetPreference: referral.meet_preference as string,
    flags,
    outcome: facts.closedAt ? outcomeCode(facts) : `open_${String(referral.status)}`,
    workingHoursToFirstContact: reachedAt
      ? workingHoursBetween(tx, referral.office_id as string, receivedAt, reachedAt)
      : null,
    contactedWithin7Days: reachedAt ? reachedAt.getTime() <= sevenDays : null,
    metContactBy: reachedAt ? reachedAt.getTime() <= contactBy.getTime() : null,
    missedDeadlineReason: !reachedAt ? 'never_reached' : reachedAt > contactBy ? 'reached_late' : null,
    appointmentWithin7Days: appointments.some((a) => a.created_at <= sevenDays),
    contactAttempts: attempts.length,
    appointments: appointments.length,
    deletedMonth: now.toISOString().slice(0, 7),
    deletionRule,
  };
}

/**
 * Deletes everything about one referral inside `tx` and writes its statistics row. The caller has checked
 * holds and written the audit entry in the same transaction.
 */
export function deleteReferralData(
  tx: PortalTx,
  keyring: Keyring,
  referralId: string,
  deletionRule: string,
  now: Date,
): { outboxIds: string[] } {
  const sqlite = clientOf(tx);
  const stats = statisticsRowFor(tx, keyring, referralId, deletionRule, now);
  const outboxIds = outboxIdsFor(tx, referralId);
  for (const table of existingPerReferralTables(tx)) {
    sqlite.prepare(`DELETE FROM "${table}" WHERE referral_id = ?`).run(referralId);
  }
  const deleteMessage = sqlite.prepare('DELETE FROM outbox_messages WHERE id = ?');
  for (const id of outboxIds) deleteMessage.run(id);
  sqlite.prepare('DELETE FROM referrals WHERE id = ?').run(referralId);
  tx.insert(referralStatistics).values(stats).run();
  return { outboxIds };
}

/** Removes the .eml files of these outbox messages (named `<time>-<outbox id>.eml`). Returns how many went. */
export function removeMailFiles(mailDir: string | null, outboxIds: readonly string[]): number {
  if (!mailDir || outboxIds.length === 0 || !existsSync(mailDir)) return 0;
  const ids = new Set(outboxIds);
  let removed = 0;
  for (const name of readdirSync(mailDir)) {
    const match = /-([0-9a-f-]{36})\.eml$/.exec(name);
    if (match && ids.has(match[1]!)) {
      rmSync(join(mailDir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}
