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
import { ADMIN_START_PATH, MY_WORK_PATH } from '../start-page.ts';
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
import { recordReminderSent } from '../../casework/reminder-tasks.ts';
import type { ReferralHead } from '../../casework/types.ts';
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

type FormResult = { ok: true; message: string; escalated?: boolean } | { ok: false; errors: Record<string, string> };

interface RecordFormOptions<K extends string> {
  /** The form fields read from the body (and shown again with the errors). */
  fields: readonly K[];
  /** The form's id on the record: errors take you back to it. */
  anchor: string;
  /** The flash form name the errors belong to (defaults to the anchor). */
  form?: (ctx: StaffRouteContext) => string;
  act: (ctx: StaffRouteContext, referral: ReferralHead, values: Record<K, string>) => FormResult;
  /** What is put back in the form with the errors (defaults to the values read). */
  keep?: (values: Record<K, string>) => Record<string, string>;
  /** Wake the outbox after success: an email was queued (always, or only when it went to a manager). */
  wakesOutbox?: 'always' | 'escalated';
  messageKind?: (result: { escalated?: boolean }) => 'success' | 'warning';
  /** Another screen the form was sent from (My work): success and errors go back there, as messages. */
  back?: (ctx: StaffRouteContext) => string | null;
}

/**
 * Every form on the record posts the same way: read its fields, run the casework action, and send the errors
 * back to the form (with what was typed) or a message to the record.
 */
function recordForm<K extends string>(options: RecordFormOptions<K>) {
  return (ctx: StaffRouteContext): RouteResult =>
    withReferral(ctx, (referral) => {
      const values = Object.fromEntries(options.fields.map((name) => [name, field(ctx.body, name)])) as Record<
        K,
        string
      >;
      const result = options.act(ctx, referral, values);
      const back = options.back?.(ctx) ?? null;
      if (!result.ok) {
        if (back)
          return redirect(back, {
            messages: Object.values(result.errors).map((text) => ({ kind: 'warning' as const, text })),
          });
        return redirect(recordPath(referral.id, options.anchor), {
          form: options.form?.(ctx) ?? options.anchor,
          errors: result.errors,
          values: options.keep ? options.keep(values) : values,
        });
      }
      if (options.wakesOutbox === 'always' || (options.wakesOutbox === 'escalated' && result.escalated))
        ctx.services.mail.signal.notify();
      const kind = options.messageKind?.(result) ?? (result.escalated ? 'warning' : 'success');
      return redirect(back ?? recordPath(referral.id), { messages: [{ kind, text: result.message }] });
    });
}

/** A form about one of the referral's appointments: its errors show beside that appointment. */
function appointmentForm<K extends string>(
  fields: readonly K[],
  act: (ctx: StaffRouteContext, referral: ReferralHead, appointmentId: string, values: Record<K, string>) => FormResult,
  extra: Pick<RecordFormOptions<K>, 'back'> & { formPrefix?: string } = {},
) {
  return recordForm({
    fields,
    anchor: 'appointments',
    form: (ctx) => `${extra.formPrefix ?? 'appointment'}-${ctx.params.appointmentId ?? ''}`,
    act: (ctx, referral, values) => act(ctx, referral, ctx.params.appointmentId ?? '', values),
    back: extra.back,
  });
}

/** The fields closing asks for, wherever it is asked (status form, close form, a manager's decision). */
const CLOSE_FIELDS = ['closedReason', 'reason', 'whereTo', 'futureAppointments'] as const;

/** An optional "when" field: empty means now; anything else must be a London date and time. */
function withOptionalTime(value: string, act: (at: Date | null) => FormResult): FormResult {
  const at = value.trim() === '' ? null : parseLondonDateTime(value);
  if (value.trim() !== '' && !at)
    return { ok: false, errors: { at: 'Enter the time like 14/03/2026 10:30, or leave it empty for now.' } };
  return act(at);
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
    recordForm({
      fields: ['assignee'],
      anchor: 'assign',
      wakesOutbox: 'always',
      act: (ctx, referral, { assignee }) => {
        const target = assignee === 'me' ? ctx.staff.id : assignee === 'nobody' ? null : assignee;
        return assignReferral(ctx.services.db, ctx.staff, referral, target, ctx.now, notifyContext(ctx));
      },
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/priority',
    MANAGER_ROLES,
    recordForm({
      fields: ['priority', 'reason'],
      anchor: 'priority',
      wakesOutbox: 'always',
      act: (ctx, referral, values) =>
        overridePriority(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          ctx.now,
          notifyContext(ctx),
        ),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/contact-attempts',
    CASEWORK_ROLES,
    recordForm({
      fields: ['channel', 'outcome', 'note', 'at', 'withheldNumber', 'saidWhoWeAre'],
      anchor: 'contact',
      act: (ctx, referral, values) =>
        withOptionalTime(values.at, (at) =>
          recordContactAttempt(
            ctx.services.db,
            ctx.services.keyring,
            ctx.staff,
            referral,
            { ...values, at, withheldNumber: yesNo(values.withheldNumber), saidWhoWeAre: yesNo(values.saidWhoWeAre) },
            ctx.now,
          ),
        ),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments',
    CASEWORK_ROLES,
    recordForm({
      fields: ['startsAt', 'mode', 'officeId', 'lateReason', 'durationMinutes', 'staffId', 'outOfHoursReason'],
      anchor: 'appointment',
      act: (ctx, referral, values) =>
        bookAppointment(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          { ...values, startsAt: parseLondonDateTime(values.startsAt) },
          ctx.now,
        ),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/notes',
    CASEWORK_ROLES,
    recordForm({
      fields: ['note'],
      anchor: 'notes',
      act: (ctx, referral, { note }) =>
        addNote(ctx.services.db, ctx.services.keyring, ctx.staff, referral, note, ctx.now),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/status',
    CASEWORK_ROLES,
    recordForm({
      fields: ['status', ...CLOSE_FIELDS],
      anchor: 'status',
      // The managers' email was queued in the same transaction; wake the outbox so it goes now.
      wakesOutbox: 'escalated',
      act: (ctx, referral, values) =>
        changeStatus(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          { publicBaseUrl: ctx.config.publicBaseUrl },
          ctx.now,
        ),
    }),
    ID,
  ),

  // Closing is a decision: its own form, with the reason, where to, and what to do with future appointments.
  staffRoute(
    'POST',
    '/staff/referrals/:id/close',
    CASEWORK_ROLES,
    recordForm({
      fields: CLOSE_FIELDS,
      // Errors show on the record's status form, which is where closing is asked.
      anchor: 'status',
      keep: (values) => ({ status: 'closed', ...values }),
      wakesOutbox: 'escalated',
      act: (ctx, referral, values) =>
        closeReferral(
          ctx.services.db,
          ctx.services.keyring,
          ctx.staff,
          referral,
          values,
          { publicBaseUrl: ctx.config.publicBaseUrl },
          ctx.now,
        ),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/reopen',
    MANAGER_ROLES,
    recordForm({
      fields: ['reason'],
      anchor: 'reopen',
      wakesOutbox: 'always',
      act: (ctx, referral, values) =>
        reopenReferral(ctx.services.db, ctx.services.keyring, ctx.staff, referral, values, ctx.now, notifyContext(ctx)),
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
    recordForm({
      fields: ['option', 'reason', ...CLOSE_FIELDS],
      anchor: 'decision',
      wakesOutbox: 'always',
      act: (ctx, referral, values) =>
        recordDecision(ctx.services.db, ctx.services.keyring, ctx.staff, referral, values, notifyContext(ctx), ctx.now),
    }),
    ID,
  ),

  // A wish broken by mistake: recorded, audited, shown to managers.
  staffRoute(
    'POST',
    '/staff/referrals/:id/incidents',
    CASEWORK_ROLES,
    recordForm({
      fields: ['wish', 'note', 'at'],
      anchor: 'incident',
      messageKind: () => 'warning',
      act: (ctx, referral, values) =>
        withOptionalTime(values.at, (at) =>
          recordWishBroken(ctx.services.db, ctx.services.keyring, ctx.staff, referral, { ...values, at }, ctx.now),
        ),
    }),
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/reschedule',
    CASEWORK_ROLES,
    appointmentForm(['startsAt', 'reason', 'outOfHoursReason'], (ctx, referral, id, values) =>
      rescheduleAppointment(
        ctx.services.db,
        ctx.services.keyring,
        ctx.staff,
        referral,
        id,
        { ...values, startsAt: parseLondonDateTime(values.startsAt) },
        ctx.now,
      ),
    ),
    ID_APPOINTMENT,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/cancel',
    CASEWORK_ROLES,
    appointmentForm(
      ['reason'],
      (ctx, referral, id, values) =>
        cancelAppointment(ctx.services.db, ctx.services.keyring, ctx.staff, referral, id, values, ctx.now),
      { formPrefix: 'cancel' },
    ),
    ID_APPOINTMENT,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/outcome',
    CASEWORK_ROLES,
    appointmentForm(['outcome'], (ctx, referral, id, values) =>
      recordAppointmentOutcome(ctx.services.db, ctx.staff, referral, id, values, ctx.now),
    ),
    ID_APPOINTMENT,
  ),

  // An appointment reminder sent by hand (text, call or letter), from the task on My work.
  staffRoute(
    'POST',
    '/staff/referrals/:id/appointments/:appointmentId/reminder',
    CASEWORK_ROLES,
    appointmentForm(
      ['outcome'],
      (ctx, referral, id, values) =>
        recordReminderSent(ctx.services.db, ctx.services.keyring, ctx.staff, referral, id, values, ctx.now),
      { back: (ctx) => (field(ctx.body, 'back') === 'my-work' ? MY_WORK_PATH : null) },
    ),
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
