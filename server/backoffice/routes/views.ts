import { CASEWORK_ROLES } from '../../staff/roles.ts';
import { render, staffRoute, type StaffRoute } from '../http.ts';
import { buildMyWorkPage } from '../casework/my-work.ts';
import { buildCalendarPage, parseCalendarQuery } from '../casework/calendar.ts';

/** Views that fit the day (issue 9): a caseworker's start page and the office calendar. Read-only. */
export const viewRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/my-work', CASEWORK_ROLES, (ctx) =>
    render(buildMyWorkPage(ctx.services.db, ctx.services.keyring, ctx.staff, ctx.now)),
  ),
  staffRoute('GET', '/staff/calendar', CASEWORK_ROLES, (ctx) =>
    render(buildCalendarPage(ctx.services.db, ctx.staff, ctx.now, parseCalendarQuery(ctx.query, ctx.now))),
  ),
];
