/**
 * Every table that holds rows about one referral, and how deletion finds them. Deleting a referral deletes from
 * each of these, children first, then the referral row itself, in one transaction (server/retention/delete.ts).
 *
 * A test (tests/integration/retention/referral-tables.test.ts) fails when any table in the schema has a
 * `referral_id` column that is not listed here or in `KEPT_WITH_REFERRAL_ID`: a table another feature adds is
 * never silently left behind when a referral is deleted.
 */
export const PER_REFERRAL_TABLES: readonly string[] = [
  // Before appointments and contact_attempts, which its rows point at.
  'appointment_reminders',
  'referral_assignments',
  'contact_attempts',
  'appointments',
  'case_notes',
  'status_changes',
  'priority_overrides',
  'escalations',
  'first_contact_slots',
  'legal_holds',
  'contact_incidents',
  'safeguarding_markers',
  'contact_match_hashes',
  // One keyed hash per word of his name (partial name search).
  'referral_name_parts',
  // The evaluation summary (db/schema/evaluation.ts); retention's referral_statistics row keeps counting him.
  'referral_evaluation',
];

/**
 * Tables with a `referral_id` column that deletion deliberately keeps, and why. The audit trail keeps the random
 * id (never personal data) so the record of who did what survives; nothing else links to it once deleted.
 */
export const KEPT_WITH_REFERRAL_ID: Readonly<Record<string, string>> = {
  audit_events: 'append-only audit trail: ids, actions and coded facts only, never personal data',
};
