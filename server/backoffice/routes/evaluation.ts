import { asc, count, eq } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import { appointments, referrals } from '../../../db/schema/index.ts';
import { recordAudit } from '../../audit/audit.ts';
import { CASEWORK_ROLES, MANAGER_ROLES, type StaffRole } from '../../staff/roles.ts';
import { field, redirect, render, staffRoute, notFound, type StaffRoute, type StaffRouteContext } from '../http.ts';
import { choosePeriod, PERIOD_PRESETS, type Period } from '../../evaluation/period.ts';
import { evaluationDashboard } from '../../evaluation/dashboard.ts';
import { presentDashboard } from '../../evaluation/present.ts';
import { aggregateCsv } from '../../evaluation/aggregate-export.ts';
import { researchCsv, researchFacts } from '../../evaluation/research-export.ts';
import {
  createFeedbackInvitation,
  emailFeedbackInvitation,
  feedbackLink,
  hideFeedbackComment,
  listFeedbackComments,
  mayOfferFeedback,
  removeExpiredInvitations,
} from '../../feedback/feedback.ts';
import { FEEDBACK_AFTER_SESSIONS, FEEDBACK_CODE_DAYS } from '../../feedback/questions.ts';
import { referralForStaff } from '../casework/access.ts';
import { safeContactFrom } from '../../casework/safe-contact.ts';
import { STATUS_LABELS, isReferralStatus } from '../../casework/statuses.ts';
import { decryptAnswers } from '../../referrals/store.ts';
import { totpQrSvg } from '../../security/totp.ts';

/**
 * Evaluation: the managers' dashboard (managers for their offices, admins for all offices, aggregates only), its
 * aggregate export, the audited research export, and offering the anonymous feedback form on a referral.
 */

/** Managers and admins see the dashboard; caseworkers do not. */
export const EVALUATION_ROLES: readonly StaffRole[] = ['manager', 'admin'];

const ID = { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } };
const RESEARCH_PURPOSES = ['funder_report', 'research_study', 'service_review', 'other'] as const;

interface Scope {
  /** Offices the person may see. */
  allowed: Array<{ id: string; name: string }>;
  /** The offices counted (all allowed, or the one chosen). */
  officeIds: string[];
  officeFilter: string;
  period: Period;
  problem: string | null;
}

function scopeFor(ctx: StaffRouteContext, source: Record<string, string | string[] | undefined>): Scope {
  const all = ctx.services.db
    .select({ id: offices.id, name: offices.name })
    .from(offices)
    .orderBy(asc(offices.name))
    .all();
  const allowed = ctx.staff.role === 'admin' ? all : all.filter((o) => ctx.staff.officeIds.includes(o.id));
  const wanted = field(source, 'office');
  const chosen = allowed.find((o) => o.id === wanted);
  const { period, problem } = choosePeriod(
    { period: field(source, 'period') || undefined, from: field(source, 'from'), to: field(source, 'to') },
    ctx.now,
  );
  return {
    allowed,
    officeIds: chosen ? [chosen.id] : allowed.map((o) => o.id),
    officeFilter: chosen ? chosen.id : '',
    period,
    problem,
  };
}

function filterQuery(scope: Scope): string {
  const params = new URLSearchParams({ period: scope.period.preset });
  if (scope.period.preset === 'dates') {
    params.set('from', scope.period.from);
    params.set('to', scope.period.to);
  }
  if (scope.officeFilter) params.set('office', scope.officeFilter);
  return params.toString();
}

function auditDetail(scope: Scope) {
  return { from: scope.period.from, to: scope.period.to, officeIds: scope.officeIds };
}

export const evaluationRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/evaluation', EVALUATION_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const scope = scopeFor(ctx, ctx.query);
    const view = presentDashboard(evaluationDashboard(db, scope.officeIds, scope.period, ctx.now));
    const names = new Map(scope.allowed.map((o) => [o.id, o.name]));
    const comments = ctx.staff.role === 'manager' ? listFeedbackComments(db, keyring, scope.officeIds) : null;
    recordAudit(db, { actorId: ctx.staff.id, action: 'evaluation_viewed', detail: auditDetail(scope) }, ctx.now);
    return render({
      kind: 'evaluation',
      scopeLabel:
        scope.officeFilter !== ''
          ? (names.get(scope.officeFilter) ?? '')
          : ctx.staff.role === 'admin'
            ? 'All offices'
            : scope.allowed.map((o) => o.name).join(' and ') || 'Your offices',
      period: scope.period,
      presets: PERIOD_PRESETS.map((p) => ({ id: p.id, label: p.label })),
      problem: scope.problem,
      offices: scope.allowed,
      officeFilter: scope.officeFilter,
      filterQuery: filterQuery(scope),
      view,
      comments: comments && {
        items: comments.comments.map((c) => ({
          id: c.id,
          weekStart: c.weekStart,
          officeName: names.get(c.officeId) ?? c.officeId,
          text: c.text,
        })),
        hidden: comments.hidden,
      },
      canResearchExport: ctx.staff.role === 'manager',
    });
  }),

  staffRoute('GET', '/staff/evaluation/aggregate.csv', EVALUATION_ROLES, (ctx) => {
    const scope = scopeFor(ctx, ctx.query);
    const view = presentDashboard(evaluationDashboard(ctx.services.db, scope.officeIds, scope.period, ctx.now));
    recordAudit(
      ctx.services.db,
      { actorId: ctx.staff.id, action: 'aggregate_exported', detail: auditDetail(scope) },
      ctx.now,
    );
    return {
      kind: 'download',
      filename: `evaluation-aggregate-${scope.period.from}-to-${scope.period.to}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: aggregateCsv(view, scope.period, scope.officeIds),
    };
  }),

  staffRoute('POST', '/staff/evaluation/research-export', MANAGER_ROLES, (ctx) => {
    const scope = scopeFor(ctx, ctx.body);
    const purpose = field(ctx.body, 'purpose');
    const reason = field(ctx.body, 'reason').trim();
    const errors: Record<string, string> = {};
    if (!(RESEARCH_PURPOSES as readonly string[]).includes(purpose)) errors.purpose = 'Select what the export is for';
    if (reason.length < 10) errors.reason = 'Say why you need the export, in at least 10 characters';
    else if (reason.length > 500) errors.reason = 'The reason must be 500 characters or fewer';
    if (scope.problem) errors.from = scope.problem;
    if (Object.keys(errors).length > 0) {
      return redirect(`/staff/evaluation?${filterQuery(scope)}#research-export`, {
        form: 'research',
        errors,
        values: { purpose, reason },
      });
    }
    const facts = researchFacts(ctx.services.db, ctx.services.keyring, scope.officeIds, scope.period, ctx.now);
    const { csv, rows } = researchCsv(facts);
    recordAudit(
      ctx.services.db,
      {
        actorId: ctx.staff.id,
        action: 'research_exported',
        detail: { ...auditDetail(scope), purpose, reason, rows },
      },
      ctx.now,
    );
    return {
      kind: 'download',
      filename: `research-export-${scope.period.from}-to-${scope.period.to}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: csv,
    };
  }),

  staffRoute(
    'POST',
    '/staff/evaluation/comments/:id/hide',
    MANAGER_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (!/^[0-9a-f-]{36}$/.test(id) || !hideFeedbackComment(ctx.services.db, ctx.staff.officeIds, id))
        return notFound();
      recordAudit(
        ctx.services.db,
        { actorId: ctx.staff.id, action: 'feedback_comment_hidden', detail: { feedbackId: id } },
        ctx.now,
      );
      return redirect(`/staff/evaluation#feedback-comments`, {
        messages: [{ kind: 'success', text: 'The comment is hidden. Its answers still count.' }],
      });
    },
    ID,
  ),

  staffRoute(
    'GET',
    '/staff/referrals/:id/feedback',
    CASEWORK_ROLES,
    (ctx) => {
      const offer = feedbackOffer(ctx);
      if (!offer) return notFound();
      return render({
        kind: 'feedback_offer',
        referral: {
          id: offer.referral.id,
          reference: offer.referral.reference,
          statusLabel: isReferralStatus(offer.referral.status)
            ? STATUS_LABELS[offer.referral.status]
            : offer.referral.status,
        },
        eligible: offer.eligible,
        appointments: offer.appointments,
        afterSessions: FEEDBACK_AFTER_SESSIONS,
        emailSafe: offer.email !== null,
      });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/feedback/email',
    CASEWORK_ROLES,
    (ctx) => {
      const offer = feedbackOffer(ctx);
      if (!offer) return notFound();
      const back = `/staff/referrals/${offer.referral.id}/feedback`;
      if (!offer.eligible || offer.email === null)
        return redirect(back, {
          messages: [
            {
              kind: 'warning',
              text: 'Nothing was sent: email is not a safe way to contact him, or it is too early to ask.',
            },
          ],
        });
      removeExpiredInvitations(ctx.services.db, ctx.now);
      emailFeedbackInvitation(
        ctx.services.db,
        ctx.services.keyring,
        { officeId: offer.referral.officeId, to: offer.email, publicBaseUrl: ctx.services.publicBaseUrl },
        ctx.now,
      );
      recordAudit(
        ctx.services.db,
        {
          actorId: ctx.staff.id,
          action: 'feedback_offered',
          referralId: offer.referral.id,
          officeId: offer.referral.officeId,
          detail: { channel: 'email' },
        },
        ctx.now,
      );
      return redirect(back, {
        messages: [{ kind: 'success', text: 'The feedback link is on its way to the email address he said is safe.' }],
      });
    },
    ID,
  ),

  staffRoute(
    'POST',
    '/staff/referrals/:id/feedback/card',
    CASEWORK_ROLES,
    async (ctx) => {
      const offer = feedbackOffer(ctx);
      if (!offer) return notFound();
      if (!offer.eligible)
        return redirect(`/staff/referrals/${offer.referral.id}/feedback`, {
          messages: [{ kind: 'warning', text: 'It is too early to offer the feedback form for this referral.' }],
        });
      removeExpiredInvitations(ctx.services.db, ctx.now);
      const code = createFeedbackInvitation(ctx.services.db, offer.referral.officeId, ctx.now);
      recordAudit(
        ctx.services.db,
        {
          actorId: ctx.staff.id,
          action: 'feedback_offered',
          referralId: offer.referral.id,
          officeId: offer.referral.officeId,
          detail: { channel: 'card' },
        },
        ctx.now,
      );
      const link = feedbackLink(ctx.services.publicBaseUrl, code);
      return render({
        kind: 'feedback_card',
        referralId: offer.referral.id,
        code,
        link,
        formAddress: `${ctx.services.publicBaseUrl.replace(/\/$/, '')}/feedback`,
        qrSvg: await totpQrSvg(link, 'QR code that opens the feedback form'),
        validDays: FEEDBACK_CODE_DAYS,
      });
    },
    ID,
  ),
];

/** The referral (if this person may work on it), whether the form may be offered, and his safe email if any. */
function feedbackOffer(ctx: StaffRouteContext) {
  const { db, keyring } = ctx.services;
  const head = referralForStaff(db, ctx.staff, ctx.params.id ?? '', ctx.now);
  if (!head) return null;
  const booked = db.select({ n: count() }).from(appointments).where(eq(appointments.referralId, head.id)).get()?.n ?? 0;
  const row = db.select({ answersEnc: referrals.answersEnc }).from(referrals).where(eq(referrals.id, head.id)).get();
  let email: string | null = null;
  try {
    const answers = row ? decryptAnswers(keyring, head.id, row.answersEnc) : {};
    if (safeContactFrom(answers).emailSafe && typeof answers.email === 'string') email = answers.email;
  } catch {
    email = null;
  }
  return { referral: head, appointments: booked, eligible: mayOfferFeedback(head.status, booked), email };
}
