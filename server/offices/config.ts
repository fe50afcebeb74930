import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { calendarConfigProblems, isValidIsoDate } from '../scheduling/calendar.ts';
import type { Nation, OfficeHours } from '../scheduling/types.ts';
import { runtimePaths } from '../paths.ts';

export const defaultOfficesConfigPath = runtimePaths.officesConfig;

export const NATIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const satisfies readonly Nation[];
export const RECIPIENT_LISTS = ['triage', 'duty', 'managers'] as const;
export type RecipientList = (typeof RECIPIENT_LISTS)[number];

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time such as 09:00');
const weekday = z
  .number()
  .int()
  .min(1, 'weekday is 1 (Monday) to 7 (Sunday)')
  .max(7, 'weekday is 1 (Monday) to 7 (Sunday)');

export const officeHoursSchema = z
  .array(z.object({ weekday, opens: clockTime, closes: clockTime }))
  .superRefine((hours, ctx) => {
    for (const problem of calendarConfigProblems({
      nation: 'england-and-wales',
      hours: hours as OfficeHours[],
      closures: [],
    })) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  });

export const closureSchema = z.object({
  date: z.string().refine(isValidIsoDate, 'expected a real date written YYYY-MM-DD'),
  reason: z.string().trim().max(200).nullable().default(null),
});

const emailList = z.array(z.email({ message: 'expected an email address' }));

export const officeConfigSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'expected a short lower-case id such as "leeds"'),
  name: z.string().trim().min(1),
  nation: z.enum(NATIONS),
  hours: officeHoursSchema,
  closures: z.array(closureSchema).default([]),
  recipients: z.object({
    // An office with nobody to tell about a new referral would lose the alert: at least one is required.
    triage: emailList.min(1, 'each office needs at least one triage address'),
    duty: emailList.default([]),
    managers: emailList.default([]),
  }),
});

export const officesConfigSchema = z.object({
  offices: z
    .array(officeConfigSchema)
    .min(1)
    .refine((offices) => new Set(offices.map((o) => o.id)).size === offices.length, 'office ids must be unique'),
});

export type OfficeConfig = z.infer<typeof officeConfigSchema>;
export type OfficesConfig = z.infer<typeof officesConfigSchema>;

/** Reads and checks the offices config file; a broken file stops start-up with every problem listed. */
export function loadOfficesConfig(path = defaultOfficesConfigPath): OfficesConfig {
  const parsed = officesConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`);
    throw new Error(`Invalid offices config ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return parsed.data;
}
