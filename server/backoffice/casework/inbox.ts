import { sql, type SQL } from 'drizzle-orm';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import {
  nameSearchCandidates,
  namePartCandidates,
  namePartsForSearch,
  type Keyring,
} from '../../security/field-encryption.ts';
import { normaliseReferralReference } from '../../security/tokens.ts';
import { endOfLondonDate, londonDate } from '../../scheduling/calendar.ts';
import type { Priority } from '../../triage/types.ts';
import { CASEWORK_ROLES } from '../../staff/roles.ts';
import { isReferralStatus, NEEDS_CONTACT_STATUSES, type ReferralStatus } from './statuses.ts';

/**
 * The inbox: referrals in the signed-in person's offices, most urgent first (priority, then contact-by time).
 *
 * Speed at 100,000 referrals comes from two expression indexes (migrations 0007 and 0008, inbox indexes): the ORDER BY
 * below must stay character-for-character the expression they index, and the default view's status list must
 * stay the partial index's list, or SQLite falls back to sorting the whole table. A test checks the plan.
 */

export const PRIORITY_RANK_SQL = sql.raw(
  `(CASE r."priority" WHEN 'today' THEN 0 WHEN 'next_working_day' THEN 1 ELSE 2 END)`,
);
export const INBOX_PAGE_SIZE = 50;

/** Status filter: the default "needs contact", everything not closed, or one status. */
export type StatusFilter = 'needs_contact' | 'open' | 'all' | ReferralStatus;

export interface InboxFilters {
  status: StatusFilter;
  priority: Priority | null;
  officeId: string | null;
  /** 'me', 'unassigned', or a staff id. */
  assignee: string | null;
  overdueOnly: boolean;
  /** Only referrals waiting for a manager's decision (an open escalation). */
  withManager: boolean;
  page: number;
}

export const DEFAULT_FILTERS: InboxFilters = {
  status: 'needs_contact',
  priority: null,
  officeId: null,
  assignee: null,
  overdueOnly: false,
  withManager: false,
  page: 1,
};

const PRIORITIES: readonly Priority[] = ['today', 'next_working_day', 'within_7_days'];

/** Reads the filters from the query string; anything unrecognised falls back to the default rather than erroring. */
export function parseInboxFilters(query: Record<string, string>): InboxFilters {
  const status = query.status ?? '';
  const page = Number.parseInt(query.page ?? '', 10);
  return {
    status:
      status === 'open' || status === 'all' || isReferralStatus(status) ? (status as StatusFilter) : 'needs_contact',
    priority: (PRIORITIES as readonly string[]).includes(query.priority ?? '') ? (query.priority as Priority) : null,
    officeId: /^[a-z0-9-]{1,40}$/.test(query.office ?? '') ? query.office! : null,
    assignee:
      query.assignee === 'me' || query.assignee === 'unassigned' || /^[0-9a-f-]{36}$/.test(query.assignee ?? '')
        ? query.assignee!
        : null,
    overdueOnly: query.overdue === '1',
    withManager: query.manager === '1',
    page: Number.isSafeInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

export interface InboxRow {
  id: string;
  reference: string;
  priority: Priority;
  contactBy: Date;
  officeId: string;
  status: string;
  receivedAt: Date;
  assigneeId: string | null;
  assigneeName: string | null;
  escalated: boolean;
}

export interface InboxResult {
  rows: InboxRow[];
  total: number;
  page: number;
  pageCount: number;
}

interface RawRow {
  id: string;
  reference: string;
  priority: Priority;
  contact_by: number;
  office_id: string;
  status: string;
  received_at: number;
  assignee_id: string | null;
  assignee_name: string | null;
  escalated: number;
}

function inList(values: readonly string[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

function statusCondition(status: StatusFilter): SQL | null {
  // Literal, not bound, so SQLite can see that it matches the partial index's WHERE clause.
  if (status === 'needs_contact')
    return sql.raw(`r."status" IN (${NEEDS_CONTACT_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  if (status === 'open') return sql`r."status" <> 'closed'`;
  if (status === 'all') return null;
  return sql`r."status" = ${status}`;
}

export interface InboxQuery {
  filters: InboxFilters;
  /** Extra condition (reference or name search). */
  match?: SQL;
}

const PRIORITY_RANK: Record<Priority, number> = { today: 0, next_working_day: 1, within_7_days: 2 };

/**
 * Which index the page walks. Without table statistics SQLite prefers the office index and then sorts every
 * matching row, which is slow when thousands wait; walking an index already in inbox order stops after one
 * page; filters (office, assignee as a set of ids) are checked from the index entries alone. A reference or
 * name search has its own, far more selective index, and a single status may be rare, so those are left to
 * the planner.
 */
export function inboxIndexFor(query: InboxQuery): string | null {
  if (query.match || assigneeDriven(query)) return null;
  if (query.filters.status === 'needs_contact') return 'referrals_inbox_open_idx';
  if (query.filters.status === 'all' || query.filters.status === 'open') return 'referrals_inbox_rank_idx';
  return null;
}

/**
 * "Assigned to someone" outside the default view: start from that person's assignments, then sort them. In the
 * default view the open-referrals index is smaller than a long-serving caseworker's assignments, so it stays the
 * driver and the assignments are a set it checks each entry against (measured with npm run bench).
 */
function assigneeDriven(query: InboxQuery): boolean {
  return (
    !query.match &&
    !!query.filters.assignee &&
    query.filters.assignee !== 'unassigned' &&
    query.filters.status !== 'needs_contact'
  );
}

function fromReferrals(query: InboxQuery): SQL {
  // CROSS JOIN fixes the loop order in SQLite: the assignments index first, then each referral by id.
  if (assigneeDriven(query))
    return sql.raw(`"referral_assignments" mine CROSS JOIN "referrals" r ON r."id" = mine."referral_id"`);
  const index = inboxIndexFor(query);
  return index ? sql.raw(`"referrals" r INDEXED BY "${index}"`) : sql.raw(`"referrals" r`);
}

export function whereClause(
  staff: Pick<SessionStaff, 'id' | 'officeIds'>,
  query: InboxQuery,
  now: Date,
): { where: SQL } {
  const { filters } = query;
  const offices = filters.officeId ? staff.officeIds.filter((id) => id === filters.officeId) : staff.officeIds;
  const conditions: SQL[] = [sql`r."office_id" IN (${inList(offices.length ? offices : ['-'])})`];
  const status = statusCondition(filters.status);
  if (status) conditions.unshift(status);
  // As the rank (the indexed expression), so the index jumps straight to that priority without reading rows.
  if (filters.priority) conditions.push(sql`${PRIORITY_RANK_SQL} = ${PRIORITY_RANK[filters.priority]}`);
  if (filters.overdueOnly) conditions.push(sql`r."contact_by" < ${now.getTime()}`);
  if (filters.withManager)
    conditions.push(
      sql`EXISTS (SELECT 1 FROM "escalations" e WHERE e."referral_id" = r."id" AND e."resolved_at" IS NULL)`,
    );
  if (filters.assignee === 'unassigned') {
    conditions.push(sql`NOT EXISTS (SELECT 1 FROM "referral_assignments" ra WHERE ra."referral_id" = r."id")`);
  } else if (filters.assignee) {
    const staffId = filters.assignee === 'me' ? staff.id : filters.assignee;
    if (assigneeDriven(query))
      conditions.push(sql`mine."staff_id" = ${staffId}`); // joined in fromReferrals
    else
      conditions.push(
        sql`r."id" IN (SELECT ra."referral_id" FROM "referral_assignments" ra WHERE ra."staff_id" = ${staffId})`,
      );
  }
  if (query.match) conditions.push(query.match);
  return { where: sql.join(conditions, sql` AND `) };
}

/** How many match, for "page 2 of 9". Answered from the index alone (it holds office, status and id). */
export function inboxCountSql(query: InboxQuery, where: SQL): SQL {
  return sql`SELECT COUNT(*) AS n FROM ${fromReferrals(query)} WHERE ${where}`;
}

/** The page query on its own, so a test can check SQLite's plan for it. */
export function inboxPageSql(query: InboxQuery, where: SQL, page: number): SQL {
  return sql`
    SELECT r."id", r."reference", r."priority", r."contact_by", r."office_id", r."status", r."received_at",
           a."staff_id" AS "assignee_id", s."name" AS "assignee_name",
           EXISTS (SELECT 1 FROM "escalations" e WHERE e."referral_id" = r."id" AND e."resolved_at" IS NULL) AS "escalated"
    FROM ${fromReferrals(query)}
    LEFT JOIN "referral_assignments" a ON a."referral_id" = r."id"
    LEFT JOIN "staff_users" s ON s."id" = a."staff_id"
    WHERE ${where}
    -- With one priority the rank is fixed, so the deadline alone keeps the index order.
    ORDER BY ${query.filters.priority ? sql.raw('r."contact_by"') : sql`${PRIORITY_RANK_SQL}, r."contact_by"`}
    LIMIT ${INBOX_PAGE_SIZE} OFFSET ${(page - 1) * INBOX_PAGE_SIZE}`;
}

/** One page of the inbox. Only caseworkers and managers have an inbox; everyone else gets an empty one. */
export function queryInbox(
  db: PortalDb,
  staff: Pick<SessionStaff, 'id' | 'role' | 'officeIds'>,
  query: InboxQuery,
  now: Date,
): InboxResult {
  if (!CASEWORK_ROLES.includes(staff.role) || staff.officeIds.length === 0)
    return { rows: [], total: 0, page: 1, pageCount: 1 };
  const { where } = whereClause(staff, query, now);
  const total = db.get<{ n: number }>(inboxCountSql(query, where))?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE));
  const page = Math.min(query.filters.page, pageCount);
  const rows = db.all<RawRow>(inboxPageSql(query, where, page));
  return {
    rows: rows.map((row) => ({
      id: row.id,
      reference: row.reference,
      priority: row.priority,
      contactBy: new Date(row.contact_by),
      officeId: row.office_id,
      status: row.status,
      receivedAt: new Date(row.received_at),
      assigneeId: row.assignee_id,
      assigneeName: row.assignee_name,
      escalated: row.escalated === 1,
    })),
    total,
    page,
    pageCount,
  };
}

/** A reference typed however (lower case, no dashes), matched exactly; any status. */
export function referenceMatch(input: string): SQL | null {
  const reference = normaliseReferralReference(input);
  return reference ? sql`r."reference" = ${reference}` : null;
}

/**
 * By name, without names in the database: the typed name is normalised and keyed-hashed exactly as the stored
 * values were (under every key in DATA_KEY, so search keeps working through a key rotation), and compared.
 * Matches the whole name, or every typed word among the words of his name ("John" or "Smith" finds John Smith).
 */
export function nameMatch(keyring: Keyring, name: string): SQL {
  const list = (values: string[]) =>
    sql.join(
      values.map((value) => sql`${value}`),
      sql`, `,
    );
  const words = namePartsForSearch(name).map(
    (part) =>
      sql`SELECT "referral_id" FROM "referral_name_parts" WHERE "part_hash" IN (${list(namePartCandidates(keyring, part))})`,
  );
  const whole = sql`r."name_search_hash" IN (${list(nameSearchCandidates(keyring, name))})`;
  if (words.length === 0) return whole;
  return sql`(${whole} OR r."id" IN (${sql.join(words, sql` INTERSECT `)}))`;
}

/** Overdue, due today (London), or neither: the inbox makes the first two stand out. */
export function urgencyOf(contactBy: Date, now: Date): 'overdue' | 'due-today' | null {
  if (contactBy.getTime() < now.getTime()) return 'overdue';
  if (contactBy.getTime() <= endOfLondonDate(londonDate(now)).getTime()) return 'due-today';
  return null;
}
