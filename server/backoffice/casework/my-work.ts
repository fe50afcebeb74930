import { sql } from 'drizzle-orm';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import type { Keyring } from '../../security/field-encryption.ts';
import { addCalendarDays, endOfLondonDate, londonDate, startOfLondonDate } from '../../scheduling/calendar.ts';
import type { Priority } from '../../triage/types.ts';
import type { MyWorkPage } from '../pages.ts';
import { inboxRowDetails } from './inbox-page.ts';
import { urgencyOf } from './inbox.ts';
import { NEEDS_CONTACT_STATUSES } from '../../casework/statuses.ts';
import { reminderTasksFor } from '../../casework/reminder-tasks.ts';

/**
 * A caseworker's start page: my open referrals by deadline, my proposed first contacts today (time and
 * channel), my appointments this week, reminders to send him by hand, and what is waiting for a manager. Names are decrypted only for the
 * referrals listed (at most MY_WORK_LIMIT of them).
 */

export const MY_WORK_LIMIT = 100;

interface ReferralRowRaw {
  id: string;
  reference: string;
  priority: Priority;
  status: string;
  contact_by: number;
  escalated: number;
}

function inList(values: readonly string[]) {
  return sql.join(
    (values.length ? values : ['-']).map((value) => sql`${value}`),
    sql`, `,
  );
}

export function buildMyWorkPage(db: PortalDb, keyring: Keyring, staff: SessionStaff, now: Date): MyWorkPage {
  const today = londonDate(now);
  const dayStart = startOfLondonDate(today).getTime();
  const dayEnd = endOfLondonDate(today).getTime();
  const weekEnd = endOfLondonDate(addCalendarDays(today, 6)).getTime();
  const needsContact = sql.raw(NEEDS_CONTACT_STATUSES.map((s) => `'${s}'`).join(', '));
  const offices = inList(staff.officeIds);

  const mine = db.all<ReferralRowRaw>(sql`
    SELECT r."id", r."reference", r."priority", r."status", r."contact_by",
           EXISTS (SELECT 1 FROM "escalations" e WHERE e."referral_id" = r."id" AND e."resolved_at" IS NULL) AS "escalated"
    FROM "referral_assignments" a JOIN "referrals" r ON r."id" = a."referral_id"
    WHERE a."staff_id" = ${staff.id} AND r."status" <> 'closed' AND r."office_id" IN (${offices})
    ORDER BY r."contact_by"
    LIMIT ${MY_WORK_LIMIT}`);

  const slots = db.all<{
    referral_id: string;
    reference: string;
    starts_at: number;
    ends_at: number;
    channel: string | null;
    kind: string;
  }>(sql`
    SELECT f."referral_id", r."reference", f."starts_at", f."ends_at", f."channel", f."kind"
    FROM "first_contact_slots" f JOIN "referrals" r ON r."id" = f."referral_id"
    WHERE f."staff_id" = ${staff.id} AND f."starts_at" >= ${dayStart} AND f."starts_at" <= ${dayEnd}
      AND r."status" IN (${needsContact}) AND r."office_id" IN (${offices})
    ORDER BY f."starts_at"`);

  const appointmentRows = db.all<{
    id: string;
    referral_id: string;
    reference: string;
    starts_at: number;
    duration_minutes: number;
    mode: string;
    office_name: string | null;
  }>(sql`
    SELECT p."id", p."referral_id", r."reference", p."starts_at", p."duration_minutes", p."mode", o."name" AS "office_name"
    FROM "appointments" p
    JOIN "referrals" r ON r."id" = p."referral_id"
    LEFT JOIN "offices" o ON o."id" = p."office_id"
    WHERE COALESCE(p."staff_id", p."booked_by") = ${staff.id} AND p."status" = 'booked'
      AND p."starts_at" >= ${dayStart} AND p."starts_at" <= ${weekEnd} AND r."office_id" IN (${offices})
    ORDER BY p."starts_at"`);

  // Caseworkers: their own referrals waiting for a manager. Managers: every one in their offices (their queue).
  const withManagerRows = db.all<ReferralRowRaw & { raised_at: number }>(sql`
    SELECT r."id", r."reference", r."priority", r."status", r."contact_by", 1 AS "escalated", e."raised_at"
    FROM "escalations" e JOIN "referrals" r ON r."id" = e."referral_id"
    WHERE e."resolved_at" IS NULL AND r."office_id" IN (${offices})
      ${staff.role === 'manager' ? sql`` : sql`AND EXISTS (SELECT 1 FROM "referral_assignments" a WHERE a."referral_id" = r."id" AND a."staff_id" = ${staff.id})`}
    ORDER BY e."raised_at"
    LIMIT ${MY_WORK_LIMIT}`);

  const reminders = reminderTasksFor(db, keyring, staff, now);

  const ids = [
    ...new Set([
      ...reminders.map((r) => r.referralId),
      ...mine.map((r) => r.id),
      ...slots.map((s) => s.referral_id),
      ...appointmentRows.map((a) => a.referral_id),
      ...withManagerRows.map((r) => r.id),
    ]),
  ];
  const details = inboxRowDetails(db, keyring, ids, now);
  const nameOf = (id: string) => details.get(id)?.name ?? null;
  const needs = new Set<string>(NEEDS_CONTACT_STATUSES);

  return {
    kind: 'my_work',
    now,
    isManager: staff.role === 'manager',
    referrals: mine.map((row) => ({
      id: row.id,
      reference: row.reference,
      name: nameOf(row.id),
      priority: row.priority,
      status: row.status,
      contactBy: new Date(row.contact_by),
      needsContact: needs.has(row.status),
      urgency: needs.has(row.status) ? urgencyOf(new Date(row.contact_by), now) : null,
      escalated: row.escalated === 1,
      flags: details.get(row.id)?.flags ?? null,
      lastAttempt: details.get(row.id)?.lastAttempt ?? null,
    })),
    firstContactsToday: slots.map((slot) => ({
      referralId: slot.referral_id,
      reference: slot.reference,
      name: nameOf(slot.referral_id),
      startsAt: new Date(slot.starts_at),
      endsAt: new Date(slot.ends_at),
      channel: slot.channel,
      missed: slot.ends_at < now.getTime(),
      flags: details.get(slot.referral_id)?.flags ?? null,
    })),
    appointmentsThisWeek: appointmentRows.map((row) => ({
      id: row.id,
      referralId: row.referral_id,
      reference: row.reference,
      name: nameOf(row.referral_id),
      startsAt: new Date(row.starts_at),
      durationMinutes: row.duration_minutes,
      mode: row.mode === 'office' ? 'At the office' : 'Remote (phone or video)',
      officeName: row.office_name,
    })),
    withManager: withManagerRows.map((row) => ({
      id: row.id,
      reference: row.reference,
      name: nameOf(row.id),
      priority: row.priority,
      raisedAt: new Date(row.raised_at),
    })),
    remindersToSend: reminders.map((task) => ({ ...task, name: nameOf(task.referralId) })),
  };
}
