import { recordAudit } from '../../audit/audit.ts';
import { loadReferralAnswers } from '../../referrals/store.ts';
import { referralCsvHeader, referralCsvRow, toCsvLine } from '../../referrals/display.ts';
import { londonWallTimeToInstant, isValidIsoDate } from '../../scheduling/calendar.ts';
import { CASEWORK_ROLES, MANAGER_ROLES } from '../../staff/roles.ts';
import {
  field,
  fieldList,
  notFound,
  redirect,
  render,
  staffRoute,
  type RouteResult,
  type StaffRoute,
  type StaffRouteContext,
} from '../http.ts';
import { ADMIN_START_PATH } from '../start-page.ts';
import type { InboxPage } from '../pages.ts';
import { referralForStaff } from '../casework/access.ts';
import { addNote, assignReferral, overridePriority, recordContactAttempt } from '../../casework/actions.ts';
import {
  bookAppointment,
  cancelAppointment,
  recordAppointmentOutcome,
  rescheduleAppointment,
} from '../../casework/appointments.ts';
import { changeStatus, closeReferral, reopenReferral } from '../../casework/closing.ts';
import { recordDecision } from '../../casework/decisions.ts';
import { bulkReassign } from '../../casework/handover.ts';
import { recordWishBroken } from '../../casework/incidents.ts';
import type { NotifyContext } from '../../casework/notify.ts';
import { nameMatch, parseInboxFilters, referenceMatch, type InboxFilters } from '../casework/inbox.ts';
import { buildReferralPage } from '../casework/record.ts';
import { buildInboxPage } from '../casework/inbox-page.ts';
import { PRIORITY_LABELS, STATUS_LABELS, type ReferralStatus } from '../../casework/statuses.ts';

/** The inbox, the referral record and everything staff do to a referral. */

const ID = { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } };
const ID_APPOINTMENT = {
  exampleParams: { id: '00000000-0000-4000-8000-000000000000', appointmentId: '00000000-0000-4000-8000-000000000001' },
};

const notifyContext = (ctx: StaffRouteContext): NotifyContext => ({
  keyring: ctx.services.keyring,
  publicBaseUrl: ctx.config.publicBaseUrl,
});

/** A yes/no radio: true, false, or null when not answered. */
function yesNo(value: string): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

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
    if (ctx.staff.role === 'admin') return redirect(ADMIN_START_PATH);
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
        const result = assignReferral(ctx.services.db, ctx.staff, referral, target, ctx.now, notifyContext(ctx));
        if (result.ok) ctx.services.mail.signal.notify();
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
        const result = overridePriority(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          input,
          ctx.now,
          notifyContext(ctx),
        );
        if (result.ok) ctx.services.mail.signal.notify();
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
          withheldNumber: field(ctx.body, 'withheldNumber'),
          saidWhoWeAre: field(ctx.body, 'saidWhoWeAre'),
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
          {
            ...values,
            at,
            withheldNumber: yesNo(values.withheldNumber),
            saidWhoWeAre: yesNo(values.saidWhoWeAre),
          },
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
          durationMinutes: field(ctx.body, 'durationMinutes'),
          staffId: field(ctx.body, 'staffId'),
          outOfHoursReason: field(ctx.body, 'outOfHoursReason'),
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
        const values = {
          status: field(ctx.body, 'status'),
          closedReason: field(ctx.body, 'closedReason'),
          reason: field(ctx.body, 'reason'),
          whereTo: field(ctx.body, 'whereTo'),
          futureAppointments: field(ctx.body, 'futureAppointments'),
        };
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

  // Closing is a decision: its own form, with the reason, where to, and what to do with future appointments.
  staffRoute(
    'POST',
    '/staff/referrals/:id/close',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = {
          closedReason: field(ctx.body, 'closedReason'),
          reason: field(ctx.body, 'reason'),
          whereTo: field(ctx.body, 'whereTo'),
          futureAppointments: field(ctx.body, 'futureAppointments'),
        };
        const result = closeReferral(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          { publicBaseUrl: ctx.config.publicBaseUrl },
          ctx.now,
        );
        if (!result.ok)
          // Errors show on the record's status form, which is where closing is asked.
          return redirect(recordPath(referral.id, 'status'), {
            form: 'status',
            errors: result.errors,
            values: { status: 'closed', ...values },
          });
        if (result.escalated) ctx.services.mail.signal.notify();
        return redirect(recordPath(referral.id), {
          messages: [{ kind: result.escalated ? 'warning' : 'success', text: result.message }],
        });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/reopen',
    MANAGER_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = { reason: field(ctx.body, 'reason') };
        const result = reopenReferral(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          ctx.now,
          notifyContext(ctx),
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'reopen'), { form: 'reopen', errors: result.errors, values });
        ctx.services.mail.signal.notify();
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  // The manager's decision screen is the record's decision panel (attempts, flags, plan and options).
  staffRoute(
    'GET',
    '/staff/referrals/:id/decision',
    MANAGER_ROLES,
    (ctx) => withReferral(ctx, (referral) => redirect(recordPath(referral.id, 'decision'))),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/decision',
    MANAGER_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = {
          option: field(ctx.body, 'option'),
          reason: field(ctx.body, 'reason'),
          closedReason: field(ctx.body, 'closedReason'),
          whereTo: field(ctx.body, 'whereTo'),
          futureAppointments: field(ctx.body, 'futureAppointments'),
        };
        const result = recordDecision(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          notifyContext(ctx),
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'decision'), { form: 'decision', errors: result.errors, values });
        ctx.services.mail.signal.notify();
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID,
  ),

  // A wish broken by mistake: recorded, audited, shown to managers.
  staffRoute(
    'POST',
    '/staff/referrals/:id/incidents',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = { wish: field(ctx.body, 'wish'), note: field(ctx.body, 'note'), at: field(ctx.body, 'at') };
        const at = values.at.trim() === '' ? null : parseLondonDateTime(values.at);
        if (values.at.trim() !== '' && !at)
          return redirect(recordPath(referral.id, 'incident'), {
            form: 'incident',
            errors: { at: 'Enter the time like 14/03/2026 10:30, or leave it empty for now.' },
            values,
          });
        const result = recordWishBroken(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          { ...values, at },
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'incident'), { form: 'incident', errors: result.errors, values });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'warning', text: result.message }] });
      }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/reschedule',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = {
          startsAt: field(ctx.body, 'startsAt'),
          reason: field(ctx.body, 'reason'),
          outOfHoursReason: field(ctx.body, 'outOfHoursReason'),
        };
        const result = rescheduleAppointment(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          ctx.params.appointmentId ?? '',
          { ...values, startsAt: parseLondonDateTime(values.startsAt) },
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'appointments'), {
            form: `appointment-${ctx.params.appointmentId ?? ''}`,
            errors: result.errors,
            values,
          });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID_APPOINTMENT,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/cancel',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = { reason: field(ctx.body, 'reason') };
        const result = cancelAppointment(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          ctx.params.appointmentId ?? '',
          values,
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'appointments'), {
            form: `appointment-${ctx.params.appointmentId ?? ''}`,
            errors: result.errors,
            values,
          });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID_APPOINTMENT,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/outcome',
    CASEWORK_ROLES,
    (ctx) =>
      withReferral(ctx, (referral) => {
        const values = { outcome: field(ctx.body, 'outcome') };
        const result = recordAppointmentOutcome(
          ctx.services.db,
          ctx.staff,
          referral,
          ctx.params.appointmentId ?? '',
          values,
          ctx.now,
        );
        if (!result.ok)
          return redirect(recordPath(referral.id, 'appointments'), {
            form: `appointment-${ctx.params.appointmentId ?? ''}`,
            errors: result.errors,
            values,
          });
        return redirect(recordPath(referral.id), { messages: [{ kind: 'success', text: result.message }] });
      }),
    ID_APPOINTMENT,
  ),

  // Managers move someone's open referrals in one go (when they leave or are away).
  staffRoute('POST', '/staff/reassign', MANAGER_ROLES, (ctx) => {
    const fromStaffId = field(ctx.body, 'fromStaffId');
    const back = `/staff?assignee=${encodeURIComponent(/^[0-9a-f-]{36}$/.test(fromStaffId) ? fromStaffId : '')}&status=open`;
    const result = bulkReassign(
      ctx.services.db,
      ctx.staff,
      { fromStaffId, toStaffId: field(ctx.body, 'toStaffId'), referralIds: fieldList(ctx.body, 'referralIds') },
      ctx.now,
      notifyContext(ctx),
    );
    if (!result.ok) return redirect(back, { form: 'reassign', errors: result.errors });
    ctx.services.mail.signal.notify();
    return redirect(back, { messages: [{ kind: 'success', text: result.message }] });
  }),

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
