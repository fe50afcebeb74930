// The one list of tables drizzle-kit reads to generate migrations. Each concept keeps its own file.
export * from './offices.ts';
export * from './staff.ts';
export * from './outbox.ts';
export * from './auth.ts';
export * from './audit.ts';
export * from './referrals.ts';
export * from './scheduling.ts';
export * from './alerts.ts';
export * from './casework.ts';
export * from './statistics.ts';
export * from './name-search.ts';
export * from './feedback.ts';
export * from './lifecycle.ts';
export * from './form-drafts.ts';
export * from './appointment-reminders.ts';
export * from './evaluation.ts';
