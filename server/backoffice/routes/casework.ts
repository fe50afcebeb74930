import { recordAudit } from '../../audit/audit.ts';
import { loadReferralAnswers } from '../../referrals/store.ts';
import { referralCsvHeader, referralCsvRow, toCsvLine } from '../../referrals/display.ts';
import { londonWallTimeToInstant, isValidIsoDate } from '../../scheduling/calendar.ts';
import { CASEWORK_ROLES, MANAGER_ROLES } from '../../staff/roles.ts';
import {
  field,
  notFound,
  redirect,
  render,
  staffRoute,
  type RouteResult,
  type StaffRoute,
  type StaffRouteContext,
} from '../http.ts';
import type { InboxPage } from '../pages.ts';
import { referralForStaff } from '../casework/access.ts';
import {
  addNote,
  assignReferral,
  bookAppointment,
  changeStatus,
  overridePriority,
  recordContactAttempt,
} from '../casework/actions.ts';
import { nameMatch, parseInboxFilters, referenceMatch, type InboxFilters } from '../casework/inbox.ts';
import { buildReferralPage } from '../casework/record.ts';
import { buildInboxPage } from '../casework/inbox-page.ts';
import { PRIORITY_LABELS, STATUS_LABELS, type ReferralStatus } from '../casework/statuses.ts';

/** The inbox, the referral record and everything staff do to a referral. */

const ID = { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } };

function recordPath(id: string, anchor?: string): string {
  return `/staff/referrals/${encodeURIComponent(id)}${anchor ? `#${anchor}` : ''}`;
}

/** "2026-03-14T10:30" from a datetime-local field, read as London time. */
export function parseLondonDateTime(value: string): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$/.exec(value.trim());
  if (!match || !isValidIsoDate(match[1]!)) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return null;
  return londonWallTimeToInstant(match[1]!, `${match[2]}:${match[3]}`);
}

function inboxPage(
  ctx: StaffRouteContext,
  filters: InboxFilters,
  search: InboxPage['search'],
  match: ReturnType<typeof referenceMatch>,
  reference = '',
): RouteResult {
  // The screen's data is built in casework/inbox-page.ts (views, issue 9b).
  return render(
    buildInboxPage(ctx.services.db, ctx.services.keyring, ctx.staff, ctx.now, filters, search, match, reference),
  );
}

/** Finds the referral for a POST, or answers "not found" (also for another office's referral). */
function withReferral(
  ctx: StaffRouteContext,
  act: (referral: NonNullable<ReturnType<typeof referralForStaff>>) => RouteResult,
): RouteResult {
  const referral = referralForStaff(ctx.services.db, ctx.staff, ctx.params.id ?? '', ctx.now);
  if (!referral) return notFound();
  return act(referral);
}

export const caseworkRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff', ['caseworker', 'manager', 'admin'], (ctx) => {
    // Administrators manage the service; they do no casework and see no referrals.
    if (ctx.staff.role === 'admin') return redirect('/staff/admin/staff');
    const filters = parseInboxFilters(ctx.query);
    const ref = (ctx.query.ref ?? '').trim();
    if (ref) {
      const match = referenceMatch(ref);
      const problem = match ? null : 'References look like SL-7KQ4-M9TX. Check the reference and try again.';
      return inboxPage(
        ctx,
        { ...filters, status: 'all', page: 1 },
        { kind: 'reference', problem },
        match,
        ref.slice(0, 20),
      );
    }
    return inboxPage(ctx, filters, null, null);
  }),

  // A name is searched by POST, so it never appears in an address, a log line or the browser history.
  staffRoute('POST', '/staff/search', CASEWORK_ROLES, (ctx) => {
    const name = field(ctx.body, 'name').trim().slice(0, 200);
    if (name === '') {
      return inboxPage(
        ctx,
        { ...parseInboxFilters({}), status: 'all' },
        { kind: 'name', problem: 'Enter his full name to search.' },
        null,
      );
    }
    return inboxPage(
      ctx,
      { ...parseInboxFilters({}), status: 'all' },
      { kind: 'name', problem: null },
      nameMatch(ctx.services.keyring, name),
    );
  }),

  staffRoute(
    'GET',
    '/staff/referrals/:id',
    CASEWORK_ROLES,
    (ctx) => {
      const referral = referralForStaff(ctx.services.db, ctx.staff, ctx.params.id ?? '', ctx.now);
      if (!referral) return notFound();
      return render(buildReferralPage(ctx.services.db, ctx.services.keyring, ctx.staff, referral, ctx.now));
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/assign',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const choice = field(ctx.body, 'assignee');
        const target = choice === 'me' ? ctx.staff.id : choice === 'nobody' ? null : choice;
        const result = assignReferral(ctx.services.db, ctx.staff, referral, target, ctx.now);
        if (!result.ok) return redirect(recordPath(referral.id, 'assign'), { form: 'assign', errors: result.errors });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/priority',
    MANAGER_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const input = { priority: field(ctx.body, 'priority'), reason: field(ctx.body, 'reason') };
        const result = overridePriority(ctx.services.db, ctx.services.keyring, ctx.staff, referral, input, ctx.now);
        if (!result.ok)
          return redirect(recordPath(referral.id, 'priority'), {
            form: 'priority',
            errors: result.errors,
            values: input,
          });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/contact-attempts',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = {
          channel: field(ctx.body, 'channel'),
          outcome: field(ctx.body, 'outcome'),
          note: field(ctx.body, 'note'),
          at: field(ctx.body, 'at'),
        };
        const at = values.at.trim() === '' ? null : parseLondonDateTime(values.at);
        if (values.at.trim() !== '' && !at) {
          return redirect(recordPath(referral.id, 'contact'), {
            form: 'contact',
            errors: { at: 'Enter the time like 14/03/2026 10:30, or leave it empty for now.' },
            values,
          });
        }
        const result = recordContactAttempt(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          { ...values, at },
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'contact'), { form: 'contact', errors: result.errors, values });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = {
          startsAt: field(ctx.body, 'startsAt'),
          mode: field(ctx.body, 'mode'),
          officeId: field(ctx.body, 'officeId'),
          lateReason: field(ctx.body, 'lateReason'),
        };
        const result = bookAppointment(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          { ...values, startsAt: parseLondonDateTime(values.startsAt) },
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'appointment'), {
            form: 'appointment',
            errors: result.errors,
            values,
          });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/notes',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const note = field(ctx.body, 'note');
        const result = addNote(ctx.services.db, ctx.services.keyring, ctx.staff, referral, note, ctx.now);
        if (!result.ok)
          return redirect(recordPath(referral.id, 'notes'), { form: 'notes', errors: result.errors, values: { note } });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/status',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = { status: field(ctx.body, 'status'), closedReason: field(ctx.body, 'closedReason') };
        const result = changeStatus(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          { publicBaseUrl: ctx.config.publicBaseUrl },
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'status'), { form: 'status', errors: result.errors, values });
        // The managers' email was queued in the same transaction; wake the outbox so it goes now.
        if (result.escalated) ctx.services.mail.signal.notify();
        return redirect(recordPath(referral.id), {
          messages: [{ kind: result.escalated ? 'warning' : 'success', text: result.message }],
        });
      }),
    ID,
  ),

  staffRoute(
    'GET',
    '/staff/referrals/:id/export.csv',
    MANAGER_ROLES,
    (ctx) => {
      const referral = referralForStaff(ctx.services.db, ctx.staff, ctx.params.id ?? '', ctx.now);
      if (!referral) return notFound();
      const loaded = loadReferralAnswers(ctx.services.db, ctx.services.keyring, referral.id);
      if (!loaded) return notFound();
      const header = ['Reference', 'Status', 'Priority', 'Received', 'Contact by', ...referralCsvHeader()];
      const row = [
        referral.reference,
        STATUS_LABELS[referral.status as ReferralStatus] ?? referral.status,
        PRIORITY_LABELS[referral.priority],
        referral.receivedAt.toISOString(),
        referral.contactBy.toISOString(),
        ...referralCsvRow(loaded.answers),
      ];
      recordAudit(
        ctx.services.db,
        {
          actorId: ctx.staff.id,
          action: 'referral_exported',
          referralId: referral.id,
          officeId: referral.officeId,
          detail: { format: 'csv' },
        },
        ctx.now,
      );
      return {
        kind: 'download',
        filename: `${referral.reference}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: `${toCsvLine(header)}\r\n${toCsvLine(row)}\r\n`,
      };
    },
    ID,
  ),
];
