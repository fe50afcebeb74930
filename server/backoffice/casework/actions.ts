// The casework rules live in server/casework/; this keeps the back office's imports short.
export * from '../../casework/actions.ts';
export * from '../../casework/closing.ts';
export * from '../../casework/appointments.ts';
export * from '../../casework/incidents.ts';
export { casenoteAad, type ActionResult, NOTE_MAX, REASON_MAX } from '../../casework/types.ts';
