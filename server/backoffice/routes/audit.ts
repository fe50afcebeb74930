import { asc, inArray } from 'drizzle-orm';
import { staffOffices, staffUsers } from '../../../db/schema/staff.ts';
import {
  AUDIT_ACTIONS,
  listAuditEvents,
  verifyAuditChain,
  type AuditAction,
  type AuditScope,
} from '../../audit/audit.ts';
import { AUDIT_ROLES } from '../../staff/roles.ts';
import { render, staffRoute, type StaffRoute } from '../http.ts';
import { referralReferencesFor } from '../referral-lookup.ts';
import { latestManifestHeads } from '../../backup/backup.ts';

/** The audit trail: admins see all of it, managers the entries tied to their offices. */
export const auditRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/audit', AUDIT_ROLES, (ctx) => {
    const { db } = ctx.services;
    const scope: AuditScope =
      ctx.staff.role === 'admin' ? { kind: 'all' } : { kind: 'offices', officeIds: ctx.staff.officeIds };
    const action = (AUDIT_ACTIONS as readonly string[]).includes(ctx.query.action ?? '')
      ? (ctx.query.action as AuditAction)
      : undefined;
    const actorId = /^[0-9a-f-]{36}$/.test(ctx.query.actor ?? '') ? ctx.query.actor : undefined;
    const before = Number.parseInt(ctx.query.before ?? '', 10);
    const { rows, nextBeforeSeq } = listAuditEvents(db, {
      scope,
      action,
      actorId,
      beforeSeq: Number.isSafeInteger(before) && before > 0 ? before : undefined,
      limit: 50,
    });
    const staffIds = [
      ...new Set(rows.flatMap((row) => [row.targetStaffId, row.actorId]).filter((id): id is string => !!id)),
    ];
    const names = new Map(
      (staffIds.length
        ? db
            .select({ id: staffUsers.id, name: staffUsers.name })
            .from(staffUsers)
            .where(inArray(staffUsers.id, staffIds))
            .all()
        : []
      ).map((row) => [row.id, row.name]),
    );
    const references = referralReferencesFor(
      db,
      rows.map((row) => row.referralId).filter((id): id is string => !!id),
    );
    const everyone = db
      .select({ id: staffUsers.id, name: staffUsers.name })
      .from(staffUsers)
      .orderBy(asc(staffUsers.name))
      .all();
    // Managers choose among the people of their own offices.
    const colleagues =
      scope.kind === 'all'
        ? null
        : new Set(
            db
              .select({ id: staffOffices.staffId })
              .from(staffOffices)
              .where(inArray(staffOffices.officeId, [...scope.officeIds, '-']))
              .all()
              .map((row) => row.id),
          );
    const actors = colleagues ? everyone.filter((person) => colleagues.has(person.id)) : everyone;
    const chain =
      ctx.staff.role === 'admin' && ctx.query.verify === '1'
        ? verifyAuditChain(db, { externalHeads: latestManifestHeads(ctx.config) })
        : null;
    return render({
      kind: 'audit',
      scopeLabel: scope.kind === 'all' ? 'All offices' : 'Your offices',
      rows: rows.map((row) => ({
        ...row,
        referralReference: row.referralId ? (references.get(row.referralId) ?? null) : null,
        targetStaffName: row.targetStaffId ? (names.get(row.targetStaffId) ?? null) : null,
      })),
      filters: { action: action ?? '', actorId: actorId ?? '' },
      actions: AUDIT_ACTIONS,
      actors,
      nextBeforeSeq,
      chain: chain
        ? {
            ok: chain.ok,
            entries: chain.entries,
            brokenAtSeq: chain.ok ? null : chain.brokenAtSeq,
            problem: chain.ok ? null : chain.problem,
          }
        : null,
    });
  }),
];
