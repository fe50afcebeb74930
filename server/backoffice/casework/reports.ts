import { sql } from 'drizzle-orm';
import type { PortalDb } from '../../../db/client.ts';
import { sevenDayLimit } from '../../scheduling/deadline.ts';
import type { Priority } from '../../triage/types.ts';
import {
  CLOSED_REASON_LABELS,
  NEEDS_CONTACT_STATUSES,
  PRIORITY_LABELS,
  REFERRAL_STATUSES,
  STATUS_LABELS,
  type ClosedReason,
} from '../../casework/statuses.ts';

/**
 * The service promise in numbers, for managers' own offices: what is waiting, what is overdue, and how many
 * people were first contacted within 7 days (NHS Talking Therapies style: share within target and median wait).
 * "First contacted" means we reached him (he spoke to us or declined), not merely tried.
 */

export interface ServiceReport {
  byPriority: Array<{ priority: Priority; label: string; count: number }>;
  byStatus: Array<{ label: string; count: number }>;
  overdueNow: number;
  firstContact: { eligible: number; within7Days: number; percent: number | null; medianDays: number | null };
  closedByReason: Array<{ label: string; count: number }>;
  escalationsOpen: number;
}

const DAY_MS = 24 * 60 * 60_000;

function officeList(officeIds: readonly string[]) {
  return sql.join(
    (officeIds.length ? officeIds : ['-']).map((id) => sql`${id}`),
    sql`, `,
  );
}

export function serviceReport(
  db: PortalDb,
  officeIds: readonly string[],
  periodDays: number,
  now: Date,
): ServiceReport {
  const offices = officeList(officeIds);
  const since = now.getTime() - periodDays * DAY_MS;
  const open = sql.raw(NEEDS_CONTACT_STATUSES.map((s) => `'${s}'`).join(', '));

  const priorityRows = db.all<{ priority: Priority; n: number }>(
    sql`SELECT "priority", COUNT(*) AS n FROM "referrals" WHERE "office_id" IN (${offices}) AND "status" IN (${open}) GROUP BY "priority"`,
  );
  const statusRows = db.all<{ status: string; n: number }>(
    sql`SELECT "status", COUNT(*) AS n FROM "referrals" WHERE "office_id" IN (${offices}) AND "received_at" >= ${since} GROUP BY "status"`,
  );
  const overdueNow =
    db.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM "referrals" WHERE "office_id" IN (${offices}) AND "status" IN (${open}) AND "contact_by" < ${now.getTime()}`,
    )?.n ?? 0;

  // Only referrals whose 7 days are over (or who were reached sooner) can be judged.
  const firstContacts = db.all<{ received_at: number; reached_at: number | null }>(sql`
    SELECT r."received_at", MIN(c."attempted_at") AS reached_at
    FROM "referrals" r
    LEFT JOIN "contact_attempts" c ON c."referral_id" = r."id" AND c."outcome" IN ('spoke', 'declined')
    WHERE r."office_id" IN (${offices}) AND r."received_at" >= ${since}
    GROUP BY r."id"`);
  let eligible = 0;
  let within = 0;
  const waits: number[] = [];
  for (const row of firstContacts) {
    const limit = sevenDayLimit(new Date(row.received_at)).getTime();
    const reachedInTime = row.reached_at !== null && row.reached_at <= limit;
    if (row.reached_at !== null) waits.push((row.reached_at - row.received_at) / DAY_MS);
    if (reachedInTime || now.getTime() > limit) {
      eligible += 1;
      if (reachedInTime) within += 1;
    }
  }
  waits.sort((a, b) => a - b);
  const median =
    waits.length === 0
      ? null
      : waits.length % 2
        ? waits[(waits.length - 1) / 2]!
        : (waits[waits.length / 2 - 1]! + waits[waits.length / 2]!) / 2;

  const closedRows = db.all<{ closed_reason: ClosedReason; n: number }>(sql`
    SELECT s."closed_reason", COUNT(*) AS n FROM "status_changes" s JOIN "referrals" r ON r."id" = s."referral_id"
    WHERE r."office_id" IN (${offices}) AND s."closed_reason" IS NOT NULL AND s."changed_at" >= ${since}
    GROUP BY s."closed_reason"`);
  const escalationsOpen =
    db.get<{ n: number }>(sql`
      SELECT COUNT(*) AS n FROM "escalations" e JOIN "referrals" r ON r."id" = e."referral_id"
      WHERE r."office_id" IN (${offices}) AND e."resolved_at" IS NULL`)?.n ?? 0;

  return {
    byPriority: (['today', 'next_working_day', 'within_7_days'] as const).map((priority) => ({
      priority,
      label: PRIORITY_LABELS[priority],
      count: priorityRows.find((row) => row.priority === priority)?.n ?? 0,
    })),
    byStatus: REFERRAL_STATUSES.map((status) => ({
      label: STATUS_LABELS[status],
      count: statusRows.find((row) => row.status === status)?.n ?? 0,
    })),
    overdueNow,
    firstContact: {
      eligible,
      within7Days: within,
      percent: eligible === 0 ? null : Math.round((within / eligible) * 1000) / 10,
      medianDays: median === null ? null : Math.round(median * 10) / 10,
    },
    closedByReason: (Object.keys(CLOSED_REASON_LABELS) as ClosedReason[]).map((reason) => ({
      label: CLOSED_REASON_LABELS[reason],
      count: closedRows.find((row) => row.closed_reason === reason)?.n ?? 0,
    })),
    escalationsOpen,
  };
}
