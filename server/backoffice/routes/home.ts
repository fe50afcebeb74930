import { ALL_ROLES } from '../../staff/roles.ts';
import { redirect, staffRoute, type StaffRoute } from '../http.ts';

/** /staff: the inbox for caseworkers and managers, the staff list for administrators (who do no casework). */
export const homeRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff', ALL_ROLES, (ctx) => {
    if (ctx.staff.role === 'admin') return redirect('/staff/admin/staff');
    return redirect('/staff/account');
  }),
];
