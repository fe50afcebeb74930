// The casework rules live in server/casework/; this keeps the back office's imports short.
export * from '../../casework/statuses.ts';
