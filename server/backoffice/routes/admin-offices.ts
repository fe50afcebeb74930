import { recipientWarnings } from '../../casework/recipients-health.ts';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { staffOffices, staffUsers } from '../../../db/schema/staff.ts';
import { recordAudit } from '../../audit/audit.ts';
import {
  addClosure,
  getOffice,
  listClosures,
  listOffices,
  removeClosure,
  setOfficeHours,
} from '../../offices/calendar.ts';
import { caseworkerPatternsFor, getCaseworkerPattern, setCaseworkerPattern } from '../../offices/caseworkers.ts';
import { listRecipients, setRecipients, RECIPIENT_LISTS } from '../../offices/recipients.ts';
import { OfficeSettingsError } from '../../offices/errors.ts';
import { londonDate } from '../../scheduling/calendar.ts';
import type { CaseworkerShift, IsoWeekday, OfficeHours } from '../../scheduling/types.ts';
import { ADMIN_ROLES, ROLE_LABELS } from '../../staff/roles.ts';
import { field, notFound, redirect, render, staffRoute, type StaffRoute, type StaffRouteContext } from '../http.ts';

/**
 * Admin pages over the offices domain (server/offices, owned by the alerts work): weekly hours, closures,
 * alert recipients and each person's first-contact pattern. The domain functions validate; these routes turn
 * their errors into form messages and audit every change.
 */

const OFFICE = { exampleParams: { id: 'leeds', date: '2026-12-24' } };
const PERSON = { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } };
export const WEEKDAY_LABELS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

function officePath(id: string, anchor?: string): string {
  return `/staff/admin/offices/${encodeURIComponent(id)}${anchor ? `#${anchor}` : ''}`;
}

function hoursText(hours: OfficeHours[]): string {
  if (hours.length === 0) return 'Closed every day';
  return hours.map((h) => `${WEEKDAY_LABELS[h.weekday - 1]!.slice(0, 3)} ${h.opens}–${h.closes}`).join(', ');
}

function shiftsText(shifts: CaseworkerShift[], max: number): string {
  if (shifts.length === 0) return 'No first-contact times';
  return `${shifts.map((s) => `${WEEKDAY_LABELS[s.weekday - 1]!.slice(0, 3)} ${s.start}–${s.end}`).join(', ')}; up to ${max} a day`;
}

function auditSetting(
  ctx: StaffRouteContext,
  officeId: string | null,
  setting: string,
  extra: Record<string, string | number | null> = {},
) {
  recordAudit(
    ctx.services.db,
    { actorId: ctx.staff.id, action: 'office_settings_changed', officeId, detail: { setting, ...extra } },
    ctx.now,
  );
}

function peopleOf(ctx: StaffRouteContext, officeId: string) {
  return ctx.services.db
    .select({ id: staffUsers.id, name: staffUsers.name, role: staffUsers.role })
    .from(staffOffices)
    .innerJoin(staffUsers, eq(staffUsers.id, staffOffices.staffId))
    .where(and(eq(staffOffices.officeId, officeId), inArray(staffUsers.status, ['active', 'invited'])))
    .orderBy(asc(staffUsers.name))
    .all();
}

export const adminOfficeRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/admin/offices', ADMIN_ROLES, (ctx) => {
    const { db } = ctx.services;
    return render({
      kind: 'office_list',
      offices: listOffices(db).map((office) => ({
        id: office.id,
        name: office.name,
        nation: office.nation,
        hoursText: hoursText(office.hours),
        closures: listClosures(db, office.id).filter((c) => c.date >= londonDate(ctx.now)).length,
        caseworkers: peopleOf(ctx, office.id).length,
      })),
    });
  }),

  staffRoute(
    'GET',
    '/staff/admin/offices/:id',
    ADMIN_ROLES,
    (ctx) => {
      const { db } = ctx.services;
      const office = getOffice(db, ctx.params.id ?? '');
      if (!office) return notFound();
      const people = peopleOf(ctx, office.id);
      const patterns = caseworkerPatternsFor(
        db,
        people.map((p) => p.id),
      );
      return render({
        kind: 'office_detail',
        recipientWarnings: recipientWarnings(db, ctx.services.keyring, ctx.now, [office.id]).map((w) => w.text),
        office: { id: office.id, name: office.name, nation: office.nation },
        hours: WEEKDAYS.map((weekday) => {
          const day = office.hours.find((h) => h.weekday === weekday);
          return {
            weekday,
            label: WEEKDAY_LABELS[weekday - 1]!,
            open: !!day,
            opens: day?.opens ?? '09:00',
            closes: day?.closes ?? '17:00',
          };
        }),
        closures: listClosures(db, office.id),
        recipients: listRecipients(db, office.id),
        people: people.map((person) => {
          const pattern = patterns.find((p) => p.staffId === person.id);
          return {
            id: person.id,
            name: person.name,
            role: ROLE_LABELS[person.role],
            patternText: pattern
              ? shiftsText(pattern.weekly, pattern.maxFirstContactsPerDay)
              : 'Not set: never offered first-contact slots',
          };
        }),
        today: londonDate(ctx.now),
      });
    },
    OFFICE,
  ),

  staffRoute(
    'POST',
    '/staff/admin/offices/:id/hours',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (!getOffice(ctx.services.db, id)) return notFound();
      const hours: OfficeHours[] = [];
      const values: Record<string, string> = {};
      for (const weekday of WEEKDAYS) {
        const open = field(ctx.body, `open-${weekday}`) === 'yes';
        const opens = field(ctx.body, `opens-${weekday}`);
        const closes = field(ctx.body, `closes-${weekday}`);
        Object.assign(values, {
          [`open-${weekday}`]: open ? 'yes' : '',
          [`opens-${weekday}`]: opens,
          [`closes-${weekday}`]: closes,
        });
        if (open) hours.push({ weekday: weekday as IsoWeekday, opens, closes });
      }
      try {
        setOfficeHours(ctx.services.db, id, hours, ctx.now);
      } catch (error) {
        if (!(error instanceof OfficeSettingsError)) throw error;
        return redirect(officePath(id, 'hours'), {
          form: 'hours',
          errors: { hours: `The hours were not saved: ${error.message}.` },
          values,
        });
      }
      auditSetting(ctx, id, 'hours', { openDays: hours.length });
      return redirect(officePath(id), {
        messages: [{ kind: 'success', text: 'Opening hours saved. Deadlines already given are not moved.' }],
      });
    },
    OFFICE,
  ),

  staffRoute(
    'POST',
    '/staff/admin/offices/:id/closures',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (!getOffice(ctx.services.db, id)) return notFound();
      const values = { date: field(ctx.body, 'date').trim(), reason: field(ctx.body, 'reason').trim().slice(0, 200) };
      if (values.date === '')
        return redirect(officePath(id, 'closures'), {
          form: 'closures',
          errors: { date: 'Enter the date the office is closed.' },
          values,
        });
      if (values.date < londonDate(ctx.now)) {
        return redirect(officePath(id, 'closures'), {
          form: 'closures',
          errors: { date: 'The date must be today or later.' },
          values,
        });
      }
      try {
        addClosure(ctx.services.db, id, { date: values.date, reason: values.reason || null }, ctx.now);
      } catch (error) {
        if (!(error instanceof OfficeSettingsError)) throw error;
        return redirect(officePath(id, 'closures'), { form: 'closures', errors: { date: error.message }, values });
      }
      auditSetting(ctx, id, 'closure_added', { date: values.date });
      return redirect(officePath(id, 'closures'), {
        messages: [{ kind: 'success', text: `Closure on ${values.date} added.` }],
      });
    },
    OFFICE,
  ),

  staffRoute(
    'POST',
    '/staff/admin/offices/:id/closures/:date/remove',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      const date = ctx.params.date ?? '';
      if (!getOffice(ctx.services.db, id)) return notFound();
      let removed = false;
      try {
        removed = removeClosure(ctx.services.db, id, date);
      } catch (error) {
        if (!(error instanceof OfficeSettingsError)) throw error;
      }
      if (!removed) return notFound();
      auditSetting(ctx, id, 'closure_removed', { date });
      return redirect(officePath(id, 'closures'), {
        messages: [{ kind: 'success', text: `Closure on ${date} removed.` }],
      });
    },
    OFFICE,
  ),

  staffRoute(
    'POST',
    '/staff/admin/offices/:id/recipients',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      if (!getOffice(ctx.services.db, id)) return notFound();
      const values = Object.fromEntries(RECIPIENT_LISTS.map((list) => [list, field(ctx.body, list).slice(0, 5000)]));
      const split = (text: string) => text.split(/[\s,;]+/).filter(Boolean);
      try {
        ctx.services.db.transaction((tx) => {
          for (const list of RECIPIENT_LISTS) setRecipients(tx, id, list, split(values[list] ?? ''), ctx.now);
        });
      } catch (error) {
        if (!(error instanceof OfficeSettingsError)) throw error;
        return redirect(officePath(id, 'recipients'), {
          form: 'recipients',
          errors: { triage: error.message },
          values,
        });
      }
      auditSetting(ctx, id, 'recipients', {
        triage: split(values.triage ?? '').length,
        duty: split(values.duty ?? '').length,
        managers: split(values.managers ?? '').length,
      });
      return redirect(officePath(id, 'recipients'), {
        messages: [{ kind: 'success', text: 'Alert recipients saved.' }],
      });
    },
    OFFICE,
  ),

  staffRoute(
    'GET',
    '/staff/admin/staff/:id/pattern',
    ADMIN_ROLES,
    (ctx) => {
      const { db } = ctx.services;
      const member = db
        .select({ id: staffUsers.id, name: staffUsers.name })
        .from(staffUsers)
        .where(eq(staffUsers.id, ctx.params.id ?? ''))
        .get();
      if (!member) return notFound();
      const pattern = getCaseworkerPattern(db, member.id);
      return render({
        kind: 'pattern',
        member,
        shifts: WEEKDAYS.map((weekday) => {
          const shift = pattern?.weekly.find((s) => s.weekday === weekday);
          return {
            weekday,
            label: WEEKDAY_LABELS[weekday - 1]!,
            working: !!shift,
            start: shift?.start ?? '09:00',
            end: shift?.end ?? '17:00',
          };
        }),
        maxFirstContactsPerDay: pattern?.maxFirstContactsPerDay ?? 4,
        hasPattern: !!pattern,
      });
    },
    PERSON,
  ),

  staffRoute(
    'POST',
    '/staff/admin/staff/:id/pattern',
    ADMIN_ROLES,
    (ctx) => {
      const { db } = ctx.services;
      const id = ctx.params.id ?? '';
      if (!db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, id)).get()) return notFound();
      const weekly: CaseworkerShift[] = [];
      const values: Record<string, string> = { max: field(ctx.body, 'max') };
      for (const weekday of WEEKDAYS) {
        const working = field(ctx.body, `work-${weekday}`) === 'yes';
        const start = field(ctx.body, `start-${weekday}`);
        const end = field(ctx.body, `end-${weekday}`);
        Object.assign(values, {
          [`work-${weekday}`]: working ? 'yes' : '',
          [`start-${weekday}`]: start,
          [`end-${weekday}`]: end,
        });
        if (working) weekly.push({ weekday: weekday as IsoWeekday, start, end });
      }
      const max = /^\d{1,3}$/.test(values.max ?? '') ? Number(values.max) : Number.NaN;
      const path = `/staff/admin/staff/${encodeURIComponent(id)}/pattern`;
      if (!Number.isInteger(max))
        return redirect(path, {
          form: 'pattern',
          errors: { max: 'Enter how many first contacts a day, as a whole number.' },
          values,
        });
      try {
        setCaseworkerPattern(db, id, { weekly, maxFirstContactsPerDay: max }, ctx.now);
      } catch (error) {
        if (!(error instanceof OfficeSettingsError)) throw error;
        return redirect(path, {
          form: 'pattern',
          errors: { shifts: `The pattern was not saved: ${error.message}.` },
          values,
        });
      }
      recordAudit(
        db,
        {
          actorId: ctx.staff.id,
          action: 'office_settings_changed',
          targetStaffId: id,
          detail: { setting: 'pattern', shifts: weekly.length, maxFirstContactsPerDay: max },
        },
        ctx.now,
      );
      return redirect(path, { messages: [{ kind: 'success', text: 'First-contact pattern saved.' }] });
    },
    PERSON,
  ),
];
