export * from './calendar.ts';
export * from './deadline.ts';
export * from './slot.ts';
export type * from './types.ts';
