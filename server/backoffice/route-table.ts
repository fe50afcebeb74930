import type { StaffRoute } from './http.ts';
import { authRoutes } from './routes/auth.ts';
import { adminStaffRoutes } from './routes/admin-staff.ts';
import { auditRoutes } from './routes/audit.ts';
import { caseworkRoutes } from './routes/casework.ts';
import { adminOfficeRoutes } from './routes/admin-offices.ts';
import { adminMailRoutes } from './routes/admin-mail.ts';
import { reportRoutes } from './routes/reports.ts';
import { evaluationRoutes } from './routes/evaluation.ts';
import { lifecycleRoutes } from './routes/lifecycle.ts';
import { viewRoutes } from './routes/views.ts';

/**
 * Every back-office route, with who may use it. The one source for the /staff gate and for the role-by-route
 * test: a route that is not listed here cannot be registered in the /staff scope at all.
 */
export const staffRoutes: readonly StaffRoute[] = [
  ...caseworkRoutes,
  ...viewRoutes,
  ...reportRoutes,
  ...evaluationRoutes,
  ...authRoutes,
  ...adminStaffRoutes,
  ...adminOfficeRoutes,
  ...adminMailRoutes,
  ...auditRoutes,
  ...lifecycleRoutes,
];
