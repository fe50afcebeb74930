import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../../db/schema/audit.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { sha256Hex } from '../security/tokens.ts';
import type { DbWriter } from '../../db/writer.ts';

/**
 * The audit trail: who did what, when, to which referral or member of staff. Entries are hash-chained
 * (each stores the previous entry's hash), and the database refuses UPDATE and DELETE on the table.
 */

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_in_locked',
  'sign_out',
  'sign_out_everywhere',
  'staff_added',
  'staff_enrolled',
  'staff_enrolment_reissued',
  'staff_disabled',
  'staff_enabled',
  'staff_updated',
  'recovery_code_used',
  'referral_viewed',
  'referral_access_denied',
  'referral_assigned',
  'priority_overridden',
  'contact_attempt_recorded',
  'contact_attempt_refused',
  'appointment_booked',
  'note_added',
  'status_changed',
  'escalated_to_manager',
  'referral_exported',
  'report_viewed',
  'audit_viewed',
  'office_settings_changed',
  'mail_retry_requested',
  // Casework promises (issue 9).
  'first_contact_slot_missed',
  'appointment_rescheduled',
  'appointment_cancelled',
  'appointment_outcome_recorded',
  'referral_reopened',
  'wish_broken_recorded',
  'manager_decision_recorded',
  'referrals_reassigned',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Facts that are safe to keep forever and show to admins: ids, enum values, counts. Never personal data. */
export type AuditDetailValue = string | number | boolean | null | readonly string[];
export type AuditDetail = Record<string, AuditDetailValue | { before: AuditDetailValue; after: AuditDetailValue }>;

export interface AuditEntryInput {
  actorId: string | null;
  action: AuditAction;
  referralId?: string | null;
  officeId?: string | null;
  targetStaffId?: string | null;
  detail?: AuditDetail;
}

export const GENESIS_HASH = '0'.repeat(64);

interface ChainFields {
  seq: number;
  at: number;
  actorId: string | null;
  action: string;
  referralId: string | null;
  officeId: string | null;
  targetStaffId: string | null;
  detail: string;
  prevHash: string;
}

/** The hash covers every field and the previous hash, so any edit, removal or reordering shows. */
export function auditEntryHash(fields: ChainFields): string {
  return sha256Hex(
    JSON.stringify([
      fields.prevHash,
      fields.seq,
      fields.at,
      fields.actorId,
      fields.action,
      fields.referralId,
      fields.officeId,
      fields.targetStaffId,
      fields.detail,
    ]),
  );
}

/**
 * Appends one entry. Synchronous so it can run inside the caller's transaction: the entry commits or rolls back
 * with the change it describes. Within one process better-sqlite3 serialises writers, so reading the last hash
 * and appending cannot interleave.
 */
export function recordAudit(writer: DbWriter, entry: AuditEntryInput, now: Date): number {
  return writer.transaction((tx) => {
    const last = tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1)
      .get();
    const fields: ChainFields = {
      seq: (last?.seq ?? 0) + 1,
      at: now.getTime(),
      actorId: entry.actorId,
      action: entry.action,
      referralId: entry.referralId ?? null,
      officeId: entry.officeId ?? null,
      targetStaffId: entry.targetStaffId ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    tx.insert(auditEvents)
      .values({ ...fields, at: new Date(fields.at), hash: auditEntryHash(fields) })
      .run();
    return fields.seq;
  });
}

export type AuditChainCheck = { ok: true; entries: number } | { ok: false; entries: number; brokenAtSeq: number };

/** Walks the whole chain in order; reports the first entry whose hash or link does not match. */
export function verifyAuditChain(db: PortalDb): AuditChainCheck {
  const rows = db.$client
    .prepare(
      'SELECT seq, at, actor_id, action, referral_id, office_id, target_staff_id, detail, prev_hash, hash FROM audit_events ORDER BY seq',
    )
    .iterate() as IterableIterator<{
    seq: number;
    at: number;
    actor_id: string | null;
    action: string;
    referral_id: string | null;
    office_id: string | null;
    target_staff_id: string | null;
    detail: string;
    prev_hash: string;
    hash: string;
  }>;
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  for (const row of rows) {
    const hash = auditEntryHash({
      seq: row.seq,
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      referralId: row.referral_id,
      officeId: row.office_id,
      targetStaffId: row.target_staff_id,
      detail: row.detail,
      prevHash: row.prev_hash,
    });
    if (row.seq !== expectedSeq || row.prev_hash !== expectedPrev || row.hash !== hash) {
      return { ok: false, entries, brokenAtSeq: row.seq };
    }
    expectedPrev = row.hash;
    expectedSeq += 1;
    entries += 1;
  }
  return { ok: true, entries };
}

export type AuditScope = { kind: 'all' } | { kind: 'offices'; officeIds: readonly string[] };

export interface AuditQuery {
  scope: AuditScope;
  action?: AuditAction | undefined;
  actorId?: string | undefined;
  referralId?: string | undefined;
  /** Keyset pagination: entries older than this sequence number. */
  beforeSeq?: number | undefined;
  limit?: number;
}

export interface AuditRow {
  seq: number;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  action: string;
  referralId: string | null;
  officeId: string | null;
  targetStaffId: string | null;
  detail: Record<string, unknown>;
}

/** Newest first. Managers get only entries tied to their offices; `all` is for admins. */
export function listAuditEvents(db: PortalDb, query: AuditQuery): { rows: AuditRow[]; nextBeforeSeq: number | null } {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const conditions: SQL[] = [];
  if (query.scope.kind === 'offices') {
    if (query.scope.officeIds.length === 0) return { rows: [], nextBeforeSeq: null };
    conditions.push(inArray(auditEvents.officeId, [...query.scope.officeIds]));
  }
  if (query.action) conditions.push(eq(auditEvents.action, query.action));
  if (query.actorId) conditions.push(eq(auditEvents.actorId, query.actorId));
  if (query.referralId) conditions.push(eq(auditEvents.referralId, query.referralId));
  if (query.beforeSeq !== undefined) conditions.push(lt(auditEvents.seq, query.beforeSeq));
  const rows = db
    .select({
      seq: auditEvents.seq,
      at: auditEvents.at,
      actorId: auditEvents.actorId,
      actorName: staffUsers.name,
      action: auditEvents.action,
      referralId: auditEvents.referralId,
      officeId: auditEvents.officeId,
      targetStaffId: auditEvents.targetStaffId,
      detail: auditEvents.detail,
    })
    .from(auditEvents)
    .leftJoin(staffUsers, eq(staffUsers.id, auditEvents.actorId))
    .where(conditions.length ? and(...conditions) : sql`1 = 1`)
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit).map((row) => ({ ...row, detail: parseDetail(row.detail) }));
  return { rows: page, nextBeforeSeq: rows.length > limit ? page[page.length - 1]!.seq : null };
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
