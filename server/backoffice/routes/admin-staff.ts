import { recipientWarnings } from '../../casework/recipients-health.ts';
import { handOverAll, handoverCandidates, openReferralsOf } from '../../casework/handover.ts';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../casework/statuses.ts';
import type { NotifyContext } from '../../casework/notify.ts';
import { asc } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import { enrolmentUrl } from '../../auth/enrolment.ts';
import { countSessionsFor } from '../../auth/sessions.ts';
import {
  addStaff,
  disableStaff,
  enableStaff,
  findStaff,
  listStaff,
  reissueEnrolment,
  updateStaffAccess,
} from '../../staff/accounts.ts';
import { ADMIN_ROLES } from '../../staff/roles.ts';
import {
  field,
  fieldList,
  notFound,
  redirect,
  render,
  staffRoute,
  type StaffRoute,
  type StaffRouteContext,
} from '../http.ts';
import type { OfficeOption } from '../pages.ts';

/** Admins manage staff: add (with a one-time enrolment link), change role and offices, disable, re-enable. */

const ID = { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } };

export function officeOptions(ctx: Pick<StaffRouteContext, 'services'>): OfficeOption[] {
  return ctx.services.db.select({ id: offices.id, name: offices.name }).from(offices).orderBy(asc(offices.name)).all();
}

const notifyContext = (ctx: StaffRouteContext): NotifyContext => ({
  keyring: ctx.services.keyring,
  publicBaseUrl: ctx.config.publicBaseUrl,
});

/** Hands every open referral of `id` to the person chosen in the form (field `toStaffId`). */
function handOver(ctx: StaffRouteContext, id: string) {
  const result = handOverAll(
    ctx.services.db,
    ctx.staff.id,
    { fromStaffId: id, toStaffId: field(ctx.body, 'toStaffId') },
    ctx.now,
    notifyContext(ctx),
  );
  if (result.ok && result.moved > 0) ctx.services.mail.signal.notify();
  return result;
}

function memberPath(id: string): string {
  return `/staff/admin/staff/${encodeURIComponent(id)}`;
}

export const adminStaffRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/admin/staff', ADMIN_ROLES, (ctx) =>
    render({
      kind: 'staff_list',
      staff: listStaff(ctx.services.db),
      offices: officeOptions(ctx),
      recipientWarnings: recipientWarnings(ctx.services.db, ctx.services.keyring, ctx.now).map((w) => w.text),
    }),
  ),

  staffRoute('POST', '/staff/admin/staff', ADMIN_ROLES, (ctx) => {
    const input = {
      email: field(ctx.body, 'email'),
      name: field(ctx.body, 'name'),
      role: field(ctx.body, 'role'),
      officeIds: fieldList(ctx.body, 'officeIds'),
    };
    const result = addStaff(ctx.services.db, input as Parameters<typeof addStaff>[1], ctx.staff.id, ctx.now);
    if (result.kind === 'invalid') {
      return redirect('/staff/admin/staff', {
        form: 'add-staff',
        errors: result.errors,
        values: { email: input.email, name: input.name, role: input.role, officeIds: input.officeIds.join(',') },
      });
    }
    // The link is a secret shown once, in this response: it is never stored, so there is no page to redirect to.
    return render({
      kind: 'enrolment_link',
      member: { id: result.staffId, name: input.name.trim(), email: input.email.trim().toLowerCase() },
      link: enrolmentUrl(ctx.config.publicBaseUrl, result.enrolmentToken),
      expiresAt: result.expiresAt,
    });
  }),

  staffRoute(
    'GET',
    '/staff/admin/staff/:id',
    ADMIN_ROLES,
    (ctx) => {
      const member = findStaff(ctx.services.db, ctx.params.id ?? '');
      if (!member) return notFound();
      return render({
        kind: 'staff_detail',
        member,
        offices: officeOptions(ctx),
        activeSessions: countSessionsFor(ctx.services.db, member.id),
        isSelf: member.id === ctx.staff.id,
        openReferrals: openReferralsOf(ctx.services.db, member.id).map((r) => ({
          id: r.id,
          reference: r.reference,
          priority: PRIORITY_LABELS[r.priority],
          status: STATUS_LABELS[r.status as keyof typeof STATUS_LABELS] ?? r.status,
          contactBy: r.contactBy,
        })),
        handoverTo: handoverCandidates(ctx.services.db, member.id),
      });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/admin/staff/:id/access',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      const result = updateStaffAccess(
        ctx.services.db,
        id,
        { role: field(ctx.body, 'role'), officeIds: fieldList(ctx.body, 'officeIds') },
        ctx.staff.id,
        ctx.now,
      );
      if (result.kind === 'not_found') return notFound();
      if (result.kind === 'invalid') return redirect(memberPath(id), { form: 'access', errors: result.errors });
      return redirect(memberPath(id), {
        messages: [
          {
            kind: 'success',
            text: 'Role and offices saved. Their sessions have ended, so the change applies at once.',
          },
        ],
      });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/admin/staff/:id/disable',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (id === ctx.staff.id) {
        return redirect(memberPath(id), {
          form: 'disable',
          errors: { disable: 'You cannot disable your own account. Ask another administrator.' },
        });
      }
      if (!findStaff(ctx.services.db, id)) return notFound();
      // Nobody is disabled while holding open referrals: they are handed over first, or nothing happens.
      const handed = handOver(ctx, id);
      if (!handed.ok) {
        const open = openReferralsOf(ctx.services.db, id).length;
        const text = `They hold ${open} open referral${open === 1 ? '' : 's'}. Choose who takes them before disabling the account.`;
        return redirect(`${memberPath(id)}#field-toStaffId`, {
          form: 'disable',
          errors: {
            toStaffId:
              handed.errors.toStaffId === 'Choose who takes their open referrals.'
                ? text
                : (handed.errors.toStaffId ?? text),
          },
        });
      }
      const result = disableStaff(ctx.services.db, id, ctx.staff.id, ctx.now);
      if (!result) return notFound();
      const sessions = result.endedSessions === 1 ? '1 session' : `${result.endedSessions} sessions`;
      const moved = handed.moved === 0 ? '' : ` ${handed.message.replace('reassigned', 'handed over')}`;
      return redirect(memberPath(id), {
        messages: [{ kind: 'success', text: `Account disabled. ${sessions} ended.${moved}` }],
      });
    },
    ID,
  ),

  // Someone disabled before this rule existed (or who holds referrals again) hands them over from the same screen.
  staffRoute(
    'POST',
    '/staff/admin/staff/:id/handover',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (!findStaff(ctx.services.db, id)) return notFound();
      const handed = handOver(ctx, id);
      if (!handed.ok) return redirect(`${memberPath(id)}#field-toStaffId`, { form: 'handover', errors: handed.errors });
      return redirect(memberPath(id), { messages: [{ kind: 'success', text: handed.message }] });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/admin/staff/:id/enable',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      const result = enableStaff(ctx.services.db, id, ctx.staff.id, ctx.now);
      if (!result) return notFound();
      const text =
        result.status === 'active'
          ? 'Account enabled. They can sign in again.'
          : 'Account enabled. They never finished setting up, so send them a new enrolment link.';
      return redirect(memberPath(id), { messages: [{ kind: 'success', text }] });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/admin/staff/:id/enrolment',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (id === ctx.staff.id) {
        return redirect(memberPath(id), {
          form: 'enrolment',
          errors: { enrolment: 'You cannot reset your own sign-in. Ask another administrator.' },
        });
      }
      const member = findStaff(ctx.services.db, id);
      if (!member) return notFound();
      const issued = reissueEnrolment(ctx.services.db, id, ctx.staff.id, ctx.now);
      if (!issued)
        return redirect(memberPath(id), {
          form: 'enrolment',
          errors: { enrolment: 'Enable the account before sending a new link.' },
        });
      return render({
        kind: 'enrolment_link',
        member: { id: member.id, name: member.name, email: member.email },
        link: enrolmentUrl(ctx.config.publicBaseUrl, issued.token),
        expiresAt: issued.expiresAt,
      });
    },
    ID,
  ),
];
