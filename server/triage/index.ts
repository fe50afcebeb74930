export * from './rules.ts';
export * from './triage.ts';
export * from './types.ts';
