// Offices, their calendars, alert recipients and caseworker capacity: what the back office edits and
// what triage and alerts read. Every function takes the database (or a transaction) first.
export * from './calendar.ts';
export * from './caseworkers.ts';
export * from './config.ts';
export * from './db.ts';
export * from './errors.ts';
export * from './first-contact.ts';
export * from './recipients.ts';
export * from './seed.ts';
