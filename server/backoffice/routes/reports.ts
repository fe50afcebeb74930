import { asc } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import { recordAudit } from '../../audit/audit.ts';
import { MANAGER_ROLES } from '../../staff/roles.ts';
import { render, staffRoute, type StaffRoute } from '../http.ts';
import { serviceReport } from '../casework/reports.ts';

const PERIODS = [30, 90, 365];

export const reportRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/reports', MANAGER_ROLES, (ctx) => {
    const requested = Number.parseInt(ctx.query.days ?? '', 10);
    const periodDays = PERIODS.includes(requested) ? requested : 90;
    const report = serviceReport(ctx.services.db, ctx.staff.officeIds, periodDays, ctx.now);
    const names = ctx.services.db
      .select({ id: offices.id, name: offices.name })
      .from(offices)
      .orderBy(asc(offices.name))
      .all();
    recordAudit(
      ctx.services.db,
      {
        actorId: ctx.staff.id,
        action: 'report_viewed',
        detail: { report: 'service', periodDays, officeIds: ctx.staff.officeIds },
      },
      ctx.now,
    );
    return render({
      kind: 'reports',
      officeNames: names.filter((o) => ctx.staff.officeIds.includes(o.id)).map((o) => o.name),
      periodDays,
      byPriority: report.byPriority.map(({ label, count }) => ({ label, count })),
      byStatus: report.byStatus,
      overdueNow: report.overdueNow,
      firstContact: report.firstContact,
      closedByReason: report.closedByReason,
      escalationsOpen: report.escalationsOpen,
    });
  }),
];
