import { eq, inArray } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import { referralStatistics } from '../../../db/schema/statistics.ts';
import { safeguardingMarkers } from '../../../db/schema/lifecycle.ts';
import { offices } from '../../../db/schema/offices.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import type { PortalDb } from '../../../db/client.ts';
import type { SessionStaff } from '../../auth/sessions.ts';
import { recordAudit } from '../../audit/audit.ts';
import { ADMIN_ROLES, type StaffRole } from '../../staff/roles.ts';
import { field, notFound, redirect, render, staffRoute, type FormBody, type StaffRoute } from '../http.ts';
import type { DataLifecyclePage } from '../lifecycle-pages.ts';
import { STATUS_LABELS, isReferralStatus } from '../../casework/statuses.ts';
import {
  readPolicy,
  updateRule,
  validatePolicyChange,
  ruleDefinition,
  addPeriod,
  type RetentionUnit,
  type PolicyRuleId,
} from '../../retention/policy.ts';
import { runRetention, dueReferrals } from '../../retention/run.ts';
import { activeHold, HOLD_KINDS, listHolds, markSafeguarding, placeHold, reviewHold } from '../../retention/holds.ts';
import { ERASURE_REASONS, eraseReferral } from '../../retention/erasure.ts';
import { referralFacts } from '../../retention/delete.ts';
import { retentionRuleFor } from '../../retention/outcomes.ts';
import { linkedReferrals } from '../../retention/returning.ts';
import { applyReview, buildSubjectAccessBundle, bundleHtml, bundleJson } from '../../retention/subject-access.ts';
import { decryptField } from '../../security/field-encryption.ts';
import { legalHoldAad } from '../../retention/aad.ts';

/**
 * The data lifecycle in the back office: the retention policy (admins), legal holds and the deletion report
 * (managers and admins), and for one referral: holds, safeguarding marker, erasure (managers and admins) and the
 * subject access bundle (managers). Caseworkers can do none of these.
 */

const HOLD_ROLES: readonly StaffRole[] = ['manager', 'admin'];
const ERASURE_ROLES: readonly StaffRole[] = ['manager', 'admin'];
const SUBJECT_ACCESS_ROLES: readonly StaffRole[] = ['manager'];
const REPORT_ROLES: readonly StaffRole[] = ['manager', 'admin'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const page = (title: string, content: DataLifecyclePage['content'], status?: number) =>
  render({ kind: 'data_lifecycle', title, content, ...(status ? { status } : {}) });

/** A referral a manager (of its office) or an admin may manage the data of; refused looks are audited. */
function referralForLifecycle(db: PortalDb, staff: SessionStaff, referralId: string, now: Date) {
  if (!UUID.test(referralId)) return null;
  const row = db
    .select({
      id: referrals.id,
      reference: referrals.reference,
      status: referrals.status,
      officeId: referrals.officeId,
    })
    .from(referrals)
    .where(eq(referrals.id, referralId))
    .get();
  if (!row) return null;
  const allowed = staff.role === 'admin' || (staff.role === 'manager' && staff.officeIds.includes(row.officeId));
  if (!allowed) {
    recordAudit(
      db,
      {
        actorId: staff.id,
        action: 'referral_access_denied',
        referralId: row.id,
        officeId: row.officeId,
        detail: { role: staff.role },
      },
      now,
    );
    return null;
  }
  return row;
}

function officeScope(staff: SessionStaff): readonly string[] | 'all' {
  return staff.role === 'admin' ? 'all' : staff.officeIds;
}

function reviewedTexts(body: FormBody): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('text:')) texts[key.slice(5)] = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  }
  return texts;
}

export const lifecycleRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/admin/retention', ADMIN_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const policy = readPolicy(db, ctx.now);
    const names = new Map(
      db
        .select({ id: staffUsers.id, name: staffUsers.name })
        .from(staffUsers)
        .all()
        .map((r) => [r.id, r.name]),
    );
    const dry = runRetention(db, { keyring, now: ctx.now, dryRun: true, mailDir: ctx.config.mailDir });
    return page('Retention policy', {
      view: 'policy',
      rules: policy.map((rule) => ({
        ...rule,
        updatedByName: rule.updatedBy ? (names.get(rule.updatedBy) ?? null) : null,
      })),
      dryRun: { due: dry.due, held: dry.held, mailBodies: dry.mailBodiesCleared, mailFiles: dry.mailFilesRemoved },
      errors: {},
    });
  }),

  staffRoute('POST', '/staff/admin/retention', ADMIN_ROLES, (ctx) => {
    const { db } = ctx.services;
    const id = field(ctx.body, 'rule');
    // The screen has one form per rule, each with its own field name (value-<rule>).
    const value = field(ctx.body, `value-${id}`) || field(ctx.body, 'value');
    const unit = field(ctx.body, 'unit');
    const problem = validatePolicyChange(id, value, unit);
    if (problem && !problem.ok) {
      return redirect('/staff/admin/retention', {
        errors: { [`value-${id || 'rule'}`]: problem.error },
        values: { [`value-${id}`]: value },
        form: 'policy',
      });
    }
    db.transaction((tx) => {
      const change = updateRule(tx, id as PolicyRuleId, Number(value), unit as RetentionUnit, ctx.staff.id, ctx.now);
      recordAudit(
        tx,
        {
          actorId: ctx.staff.id,
          action: 'retention_policy_changed',
          detail: { rule: id, period: { before: change.before, after: change.after } },
        },
        ctx.now,
      );
    });
    return redirect('/staff/admin/retention', {
      messages: [{ kind: 'success', text: `"${ruleDefinition(id)!.label}" is now ${value} ${unit}.` }],
    });
  }),

  staffRoute('GET', '/staff/holds', HOLD_ROLES, (ctx) => {
    const today = ctx.now.toISOString().slice(0, 10);
    return page('Legal holds', {
      view: 'holds',
      holds: listHolds(ctx.services.db, ctx.services.keyring, officeScope(ctx.staff)).map((hold) => ({
        ...hold,
        reviewOverdue: hold.releasedAt === null && hold.reviewBy <= today,
      })),
    });
  }),

  staffRoute('GET', '/staff/deletions', REPORT_ROLES, (ctx) => {
    const { db } = ctx.services;
    const scope = officeScope(ctx.staff);
    const stats = db
      .select({
        month: referralStatistics.deletedMonth,
        rule: referralStatistics.deletionRule,
        officeId: referralStatistics.officeId,
      })
      .from(referralStatistics)
      .all()
      .filter((row) => scope === 'all' || scope.includes(row.officeId));
    const months = new Map<string, Record<string, number>>();
    for (const row of stats) {
      const byRule = months.get(row.month) ?? {};
      byRule[row.rule] = (byRule[row.rule] ?? 0) + 1;
      months.set(row.month, byRule);
    }
    const policy = readPolicy(db, ctx.now);
    const overdue = dueReferrals(db, policy, ctx.now).filter(
      (item) => scope === 'all' || scope.includes(item.officeId),
    );
    const refs = new Map(
      (overdue.length
        ? db
            .select({ id: referrals.id, reference: referrals.reference })
            .from(referrals)
            .where(
              inArray(
                referrals.id,
                overdue.map((o) => o.id),
              ),
            )
            .all()
        : []
      ).map((row) => [row.id, row.reference]),
    );
    recordAudit(db, { actorId: ctx.staff.id, action: 'report_viewed', detail: { report: 'deletions' } }, ctx.now);
    return page('Deletion report', {
      view: 'deletions',
      months: [...months.entries()]
        .sort(([a], [b]) => b.localeCompare(a))
        .map(([month, byRule]) => ({ month, byRule, total: Object.values(byRule).reduce((a, b) => a + b, 0) })),
      rules: [...policy.filter((rule) => rule.id !== 'sent_mail').map((rule) => rule.id), 'erasure'],
      overdue: overdue.map((item) => ({
        id: item.id,
        reference: refs.get(item.id) ?? '',
        rule: item.rule,
        deleteAfter: item.deleteAfter,
        held: item.held,
      })),
      holdsStanding: listHolds(db, ctx.services.keyring, scope).filter((hold) => hold.releasedAt === null).length,
    });
  }),

  staffRoute('GET', '/staff/referrals/:id/data', HOLD_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const policy = readPolicy(db, ctx.now);
    const facts = db.transaction((tx) => referralFacts(tx, referral.id));
    const ruleId = retentionRuleFor(facts);
    const rule = policy.find((r) => r.id === ruleId)!;
    const hold = activeHold(db, referral.id);
    const office = db.select({ name: offices.name }).from(offices).where(eq(offices.id, referral.officeId)).get();
    return page(`His data: ${referral.reference}`, {
      view: 'referral_data',
      referral: {
        id: referral.id,
        reference: referral.reference,
        status: isReferralStatus(referral.status) ? STATUS_LABELS[referral.status] : referral.status,
        officeName: office?.name ?? referral.officeId,
      },
      retention: {
        rule: ruleId,
        ruleLabel: rule.label,
        deleteAfter: facts.closedAt ? addPeriod(facts.closedAt, rule.value, rule.unit) : null,
      },
      hold: hold
        ? {
            id: hold.id,
            referralId: hold.referralId,
            reference: referral.reference,
            officeId: referral.officeId,
            kind: hold.kind as keyof typeof HOLD_KINDS,
            reason: decryptField(keyring, hold.reasonEnc, legalHoldAad(hold.id)),
            placedBy:
              db.select({ name: staffUsers.name }).from(staffUsers).where(eq(staffUsers.id, hold.placedBy)).get()
                ?.name ?? '',
            placedAt: hold.placedAt,
            reviewBy: hold.reviewBy,
            reviewedAt: hold.reviewedAt,
            releasedAt: hold.releasedAt,
          }
        : null,
      safeguarding: !!db
        .select()
        .from(safeguardingMarkers)
        .where(eq(safeguardingMarkers.referralId, referral.id))
        .get(),
      linked: linkedReferrals(db, referral.id).map(({ id, reference, receivedAt, matchedOn }) => ({
        id,
        reference,
        receivedAt,
        matchedOn,
      })),
      canExport: SUBJECT_ACCESS_ROLES.includes(ctx.staff.role),
      holdKinds: { ...HOLD_KINDS },
      erasureReasons: { ...ERASURE_REASONS },
      errors: {},
      values: {},
    });
  }),

  staffRoute('POST', '/staff/referrals/:id/hold', HOLD_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const input = {
      kind: field(ctx.body, 'kind'),
      reason: field(ctx.body, 'reason'),
      reviewBy: field(ctx.body, 'reviewBy'),
    };
    const result = placeHold(
      db,
      keyring,
      { referralId: referral.id, officeId: referral.officeId, ...input },
      ctx.staff.id,
      ctx.now,
    );
    const back = `/staff/referrals/${referral.id}/data`;
    return result.ok
      ? redirect(back, { messages: [{ kind: 'success', text: result.message }] })
      : redirect(`${back}#hold`, { errors: result.errors, values: input, form: 'hold' });
  }),

  staffRoute('POST', '/staff/referrals/:id/hold/review', HOLD_ROLES, (ctx) => {
    const { db } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const input = { decision: field(ctx.body, 'decision'), reviewBy: field(ctx.body, 'reviewBy') };
    const result = reviewHold(
      db,
      { referralId: referral.id, officeId: referral.officeId, ...input },
      ctx.staff.id,
      ctx.now,
    );
    const back = `/staff/referrals/${referral.id}/data`;
    return result.ok
      ? redirect(back, { messages: [{ kind: 'success', text: result.message }] })
      : redirect(`${back}#hold`, { errors: result.errors, values: input, form: 'review' });
  }),

  staffRoute('POST', '/staff/referrals/:id/safeguarding', HOLD_ROLES, (ctx) => {
    const { db } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const result = markSafeguarding(db, referral, ctx.staff.id, ctx.now);
    const back = `/staff/referrals/${referral.id}/data`;
    return result.ok
      ? redirect(back, { messages: [{ kind: 'success', text: result.message }] })
      : redirect(back, { messages: [{ kind: 'info', text: Object.values(result.errors)[0]! }] });
  }),

  staffRoute('POST', '/staff/referrals/:id/erase', ERASURE_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const input = { reason: field(ctx.body, 'reason'), confirm: field(ctx.body, 'confirm') };
    const result = eraseReferral(db, keyring, referral, input, ctx.staff.id, ctx.now, ctx.config.mailDir);
    if (result.ok)
      return redirect(ctx.staff.role === 'admin' ? '/staff/deletions' : '/staff', {
        messages: [{ kind: 'success', text: result.message }],
      });
    return redirect(`/staff/referrals/${referral.id}/data#erase`, {
      errors: result.errors,
      values: { reason: input.reason },
      form: 'erase',
    });
  }),

  staffRoute('GET', '/staff/referrals/:id/subject-access', SUBJECT_ACCESS_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const bundle = buildSubjectAccessBundle(db, keyring, referral.id, ctx.now);
    if (!bundle) return notFound();
    recordAudit(
      db,
      {
        actorId: ctx.staff.id,
        action: 'referral_viewed',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { screen: 'subject_access_review' },
      },
      ctx.now,
    );
    return page(`Subject access: ${referral.reference}`, {
      view: 'subject_access_review',
      referral: { id: referral.id, reference: referral.reference },
      items: bundle.freeText,
      sectionTitles: bundle.sections.map((section) => section.title),
    });
  }),

  staffRoute('POST', '/staff/referrals/:id/subject-access', SUBJECT_ACCESS_ROLES, (ctx) => {
    const { db, keyring } = ctx.services;
    const referral = referralForLifecycle(db, ctx.staff, ctx.params.id ?? '', ctx.now);
    if (!referral) return notFound();
    const bundle = buildSubjectAccessBundle(db, keyring, referral.id, ctx.now);
    if (!bundle) return notFound();
    const format = field(ctx.body, 'format') === 'json' ? 'json' : 'html';
    const redactions = applyReview(bundle, reviewedTexts(ctx.body));
    recordAudit(
      db,
      {
        actorId: ctx.staff.id,
        action: 'subject_access_produced',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { format, freeTextItems: bundle.freeText.length, itemsEdited: redactions },
      },
      ctx.now,
    );
    return {
      kind: 'download',
      filename: `subject-access-${referral.reference}.${format}`,
      contentType: format === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      body: format === 'json' ? bundleJson(bundle) : bundleHtml(bundle),
    };
  }),
];
