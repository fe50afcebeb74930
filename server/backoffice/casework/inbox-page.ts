import { asc, sql } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import type { Keyring } from '../../security/field-encryption.ts';
import { decryptAnswers } from '../../referrals/store.ts';
import type { ReferralAnswers } from '../../referrals/questions.ts';
import type { InboxPage, InboxRowView } from '../pages.ts';
import { assignableStaff } from '../../casework/actions.ts';
import { isCountingDown } from '../../casework/statuses.ts';
import { queryInbox, urgencyOf, type InboxFilters, type InboxQuery } from './inbox.ts';
import { safeContactFrom } from '../../casework/safe-contact.ts';
import { returningReferralIds } from '../../retention/returning.ts';
import { CHANNEL_LABELS, OUTCOME_LABELS, type ContactChannel, type ContactOutcome } from '../../casework/statuses.ts';

/**
 * The inbox screen's data. Beside each reference: the name he gave, the flags that matter for the first call,
 * the last attempt and the next appointment. His answers are decrypted only for the rows on the page (at most
 * one page, 50 rows), never for the rows the count or the sort walk past.
 */

export interface FirstCallFlags {
  /** He has had thoughts of ending his life, made a plan, or is not sure he can keep safe. */
  risk: boolean;
  /** Children live with him or he is in regular contact with children. */
  children: boolean;
  noVoicemail: boolean;
  /** Do not say who we are if someone else answers. */
  doNotSayWhoWeAre: boolean;
}

export function firstCallFlags(answers: Partial<ReferralAnswers>): FirstCallFlags {
  const safe = safeContactFrom(answers);
  return {
    risk:
      answers.thoughtsOfEndingLife === 'sometimes' ||
      answers.thoughtsOfEndingLife === 'often' ||
      answers.madePlanOrTakenSteps === 'yes' ||
      answers.ableToKeepSafe === 'no' ||
      answers.ableToKeepSafe === 'not_sure',
    children: answers.childrenInHousehold === 'yes' || answers.childrenInRegularContact === 'yes',
    noVoicemail: !safe.voicemailAllowed,
    doNotSayWhoWeAre: !safe.mayTellWhoWeAre,
  };
}

export interface RowDetails {
  name: string | null;
  flags: FirstCallFlags | null;
  lastAttempt: { at: Date; text: string } | null;
  nextAppointment: Date | null;
}

/** Name, flags, last attempt and next appointment for these referrals (the rows of one page). */
export function inboxRowDetails(db: PortalDb, keyring: Keyring, ids: string[], now: Date): Map<string, RowDetails> {
  const details = new Map<string, RowDetails>();
  if (ids.length === 0) return details;
  const idList = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  const answerRows = db.all<{ id: string; answers_enc: string }>(
    sql`SELECT "id", "answers_enc" FROM "referrals" WHERE "id" IN (${idList})`,
  );
  for (const row of answerRows) {
    try {
      const answers = decryptAnswers(keyring, row.id, row.answers_enc);
      details.set(row.id, {
        name: typeof answers.name === 'string' ? answers.name : null,
        flags: firstCallFlags(answers),
        lastAttempt: null,
        nextAppointment: null,
      });
    } catch {
      // Failed its integrity check: the record says so; the inbox shows no name rather than failing the page.
      details.set(row.id, { name: null, flags: null, lastAttempt: null, nextAppointment: null });
    }
  }
  const attempts = db.all<{ referral_id: string; attempted_at: number; channel: string; outcome: string }>(sql`
    SELECT a."referral_id", a."attempted_at", a."channel", a."outcome" FROM "contact_attempts" a
    WHERE a."referral_id" IN (${idList})
      AND a."attempted_at" = (SELECT MAX(b."attempted_at") FROM "contact_attempts" b WHERE b."referral_id" = a."referral_id")`);
  for (const row of attempts) {
    const entry = details.get(row.referral_id);
    if (!entry) continue;
    entry.lastAttempt = {
      at: new Date(row.attempted_at),
      text: `${CHANNEL_LABELS[row.channel as ContactChannel] ?? row.channel}: ${(
        OUTCOME_LABELS[row.outcome as ContactOutcome] ?? row.outcome
      ).toLowerCase()}`,
    };
  }
  const appointmentRows = db.all<{ referral_id: string; starts_at: number }>(sql`
    SELECT "referral_id", MIN("starts_at") AS "starts_at" FROM "appointments"
    WHERE "referral_id" IN (${idList}) AND "starts_at" >= ${now.getTime()} AND "status" = 'booked'
    GROUP BY "referral_id"`);
  for (const row of appointmentRows) {
    const entry = details.get(row.referral_id);
    if (entry && row.starts_at !== null) entry.nextAppointment = new Date(row.starts_at);
  }
  return details;
}

export function inboxFilterQuery(filters: InboxFilters): string {
  const query = new URLSearchParams();
  if (filters.status !== 'needs_contact') query.set('status', filters.status);
  if (filters.priority) query.set('priority', filters.priority);
  if (filters.officeId) query.set('office', filters.officeId);
  if (filters.assignee) query.set('assignee', filters.assignee);
  if (filters.overdueOnly) query.set('overdue', '1');
  if (filters.withManager) query.set('manager', '1');
  return query.toString();
}

/** Everything the inbox screen shows, after the route's access checks. */
export function buildInboxPage(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  now: Date,
  filters: InboxFilters,
  search: InboxPage['search'],
  match: InboxQuery['match'] | null,
  reference = '',
): InboxPage {
  const officeRows = db.select({ id: offices.id, name: offices.name }).from(offices).orderBy(asc(offices.name)).all();
  const mine = officeRows.filter((office) => staff.officeIds.includes(office.id));
  const noMatch = search !== null && !match;
  const result = noMatch
    ? { rows: [], total: 0, page: 1, pageCount: 1 }
    : queryInbox(db, staff, { filters, ...(match ? { match } : {}) }, now);
  const details = inboxRowDetails(
    db,
    keyring,
    result.rows.map((row) => row.id),
    now,
  );
  // His phone or email matches another referral still held (server/retention/returning.ts).
  const returning = returningReferralIds(
    db,
    result.rows.map((row) => row.id),
  );
  // Everyone who can hold referrals here, and anyone disabled who still holds open ones (so they can be found).
  // Disabled holders are found from their own assignments (index on staff id), never by reading every open referral:
  // CROSS JOIN keeps SQLite's loop order (staff, then their assignments, then each referral by id).
  const people = new Map<string, string>();
  for (const office of mine) for (const person of assignableStaff(db, office.id)) people.set(person.id, person.name);
  const disabledHolders = db.all<{ id: string; name: string; open: number }>(sql`
    SELECT s."id", s."name", COUNT(*) AS "open" FROM "staff_users" s
    CROSS JOIN "referral_assignments" a ON a."staff_id" = s."id"
    CROSS JOIN "referrals" r ON r."id" = a."referral_id"
    WHERE s."status" <> 'active' AND r."status" <> 'closed'
      AND r."office_id" IN (${sql.join(
        (mine.length ? mine.map((o) => o.id) : ['-']).map((id) => sql`${id}`),
        sql`, `,
      )})
    GROUP BY s."id", s."name"`);
  for (const person of disabledHolders) people.set(person.id, `${person.name} (disabled, ${person.open} open)`);
  const assignees = [...people].map(([id, name]) => ({ id, name }));
  const rows: InboxRowView[] = result.rows.map((row) => {
    const extra = details.get(row.id);
    return {
      id: row.id,
      reference: row.reference,
      priority: row.priority,
      contactBy: row.contactBy,
      officeName: officeRows.find((o) => o.id === row.officeId)?.name ?? row.officeId,
      status: row.status,
      assigneeName: row.assigneeName,
      receivedAt: row.receivedAt,
      escalated: row.escalated,
      returning: returning.has(row.id),
      // A closed (or reached) referral has no countdown: nothing is due.
      urgency: isCountingDown(row.status) ? urgencyOf(row.contactBy, now) : null,
      open: isCountingDown(row.status),
      name: extra?.name ?? null,
      flags: extra?.flags ?? null,
      lastAttempt: extra?.lastAttempt ?? null,
      nextAppointment: extra?.nextAppointment ?? null,
    };
  });
  return {
    kind: 'inbox',
    now,
    rows,
    total: result.total,
    page: result.page,
    pageCount: result.pageCount,
    filters: {
      status: filters.status,
      priority: filters.priority ?? '',
      office: filters.officeId ?? '',
      assignee: filters.assignee ?? '',
      overdue: filters.overdueOnly,
      withManager: filters.withManager,
    },
    offices: mine,
    assignees: assignees.sort((a, b) => a.name.localeCompare(b.name)),
    search,
    reference,
    filterQuery: inboxFilterQuery(filters),
  };
}
