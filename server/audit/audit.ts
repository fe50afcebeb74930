import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../../db/schema/audit.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import { createHmac } from 'node:crypto';
import type Database from 'better-sqlite3';
import { sha256Hex } from '../security/tokens.ts';
import { deriveSubkey, type Keyring } from '../security/field-encryption.ts';
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
  'evaluation_viewed',
  'research_exported',
  'aggregate_exported',
  'feedback_offered',
  'feedback_comment_hidden',
  'retention_policy_changed',
  'retention_run',
  'referral_deleted',
  'legal_hold_placed',
  'legal_hold_reviewed',
  'legal_hold_released',
  'safeguarding_marked',
  'subject_access_produced',
  'erasure_refused',
  'backup_taken',
  // Casework promises (issue 9).
  'first_contact_slot_missed',
  'appointment_rescheduled',
  'appointment_cancelled',
  'appointment_outcome_recorded',
  'referral_reopened',
  'wish_broken_recorded',
  'manager_decision_recorded',
  'referrals_reassigned',
  'appointment_reminder_sent',
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

function chainPayload(fields: ChainFields): string {
  return JSON.stringify([
    fields.prevHash,
    fields.seq,
    fields.at,
    fields.actorId,
    fields.action,
    fields.referralId,
    fields.officeId,
    fields.targetStaffId,
    fields.detail,
  ]);
}

/**
 * The unkeyed hash entries had before the chain was keyed (anyone could recompute it). Only entries up to the
 * recorded `keyed_from` head are checked with it.
 */
export function auditEntryHash(fields: ChainFields): string {
  return sha256Hex(chainPayload(fields));
}

/**
 * The keyed hash: HMAC-SHA256 over every field and the previous hash, with a key derived from DATA_KEY, so
 * someone who edits or removes entries in a copy of the file cannot recompute a chain that still checks.
 */
export function auditEntryMac(key: Buffer, fields: ChainFields): string {
  return createHmac('sha256', key).update(chainPayload(fields), 'utf8').digest('hex');
}

export interface AuditChainKey {
  key: Buffer;
  /** The DATA_KEY entry the key was derived from. */
  keyId: string;
}

const chainKeys = new WeakMap<Database.Database, AuditChainKey>();

/** The better-sqlite3 connection behind a drizzle database or transaction. */
function clientOf(writer: DbWriter | PortalDb): Database.Database {
  return (writer as unknown as { session: { client: Database.Database } }).session.client;
}

export function auditChainKeyFor(keyring: Keyring): AuditChainKey {
  return { key: deriveSubkey(keyring, 'audit-chain'), keyId: keyring.derivationKeyId };
}

/**
 * Gives a connection its audit chain key (createServices and every script that writes audit entries call this).
 * The first time, it records where the keyed chain starts: entries written before that keep their old unkeyed
 * hash, and the recorded head (itself keyed) stops anyone passing off a rewritten chain as "old".
 */
export function useAuditChainKey(sqlite: Database.Database, keyring: Keyring, now: Date = new Date()): AuditChainKey {
  const chainKey = auditChainKeyFor(keyring);
  chainKeys.set(sqlite, chainKey);
  try {
    const existing = sqlite.prepare("SELECT 1 FROM audit_heads WHERE source = 'keyed_from' LIMIT 1").get();
    if (!existing) {
      const last = sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      insertHead(sqlite, chainKey, 'keyed_from', { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH }, now);
    }
  } catch (error) {
    // A database whose migrations have not run yet: the head is recorded on the next start.
    if (!(error instanceof Error && /no such table/.test(error.message))) throw error;
  }
  return chainKey;
}

function requireChainKey(writer: DbWriter | PortalDb): AuditChainKey {
  const chainKey = chainKeys.get(clientOf(writer));
  if (!chainKey) throw new Error('The audit chain key is not set for this database: call useAuditChainKey first.');
  return chainKey;
}

export type AuditHeadSource = 'keyed_from' | 'backup' | 'daily';
export interface AuditHead {
  seq: number;
  hash: string;
}

function headMac(chainKey: AuditChainKey, source: string, head: AuditHead, recordedAt: number): string {
  return createHmac('sha256', chainKey.key)
    .update(`audit-head\u0000${source}\u0000${head.seq}\u0000${head.hash}\u0000${recordedAt}`, 'utf8')
    .digest('hex');
}

function insertHead(
  sqlite: Database.Database,
  chainKey: AuditChainKey,
  source: AuditHeadSource,
  head: AuditHead,
  now: Date,
): void {
  sqlite
    .prepare('INSERT INTO audit_heads (source, seq, hash, recorded_at, mac) VALUES (?, ?, ?, ?, ?)')
    .run(source, head.seq, head.hash, now.getTime(), headMac(chainKey, source, head, now.getTime()));
}

/** The newest entry of the chain (GENESIS at seq 0 when the trail is empty). */
export function currentAuditHead(db: PortalDb): AuditHead {
  const last = db.$client.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
    AuditHead | undefined;
  return last ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * Records the current head (in backup manifests and the daily run), so that removing the newest entries later
 * is detected: the chain must still contain every recorded head.
 */
export function recordAuditHead(db: PortalDb, source: 'backup' | 'daily', now: Date): AuditHead {
  const chainKey = requireChainKey(db);
  const head = currentAuditHead(db);
  insertHead(db.$client, chainKey, source, head, now);
  return head;
}

/**
 * Appends one entry. Synchronous so it can run inside the caller's transaction: the entry commits or rolls back
 * with the change it describes. Within one process better-sqlite3 serialises writers, so reading the last hash
 * and appending cannot interleave.
 */
export function recordAudit(writer: DbWriter, entry: AuditEntryInput, now: Date): number {
  const chainKey = requireChainKey(writer);
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
      .values({ ...fields, at: new Date(fields.at), hash: auditEntryMac(chainKey.key, fields) })
      .run();
    return fields.seq;
  });
}

export type AuditChainCheck =
  | { ok: true; entries: number; head: AuditHead }
  | {
      ok: false;
      entries: number;
      /** The first entry that does not check (for a truncated trail: the first missing entry). */
      brokenAtSeq: number;
      /** Plain words for the audit page: where the chain breaks and what that means. */
      problem: string;
    };

/** A head recorded outside the database (a backup manifest, the daily log) to compare with. */
export interface ExternalAuditHead extends AuditHead {
  source: string;
}

/**
 * Walks the whole chain in order and reports the first entry whose keyed hash or link does not match, then
 * checks that every recorded head (in the database's audit_heads and any given from backup manifests) is still
 * in the chain, so removing the newest entries is detected too.
 */
export function verifyAuditChain(
  db: PortalDb,
  options: { chainKey?: AuditChainKey; externalHeads?: readonly ExternalAuditHead[] } = {},
): AuditChainCheck {
  const chainKey = options.chainKey ?? requireChainKey(db);
  const heads = db.$client
    .prepare('SELECT id, source, seq, hash, recorded_at, mac FROM audit_heads ORDER BY id')
    .all() as Array<{ id: number; source: string; seq: number; hash: string; recorded_at: number; mac: string }>;
  for (const head of heads) {
    if (head.mac !== headMac(chainKey, head.source, head, head.recorded_at)) {
      return {
        ok: false,
        entries: 0,
        brokenAtSeq: head.seq,
        problem: `A recorded chain head (${head.source}, entry ${head.seq}) fails its keyed check: the table of recorded heads was edited.`,
      };
    }
  }
  // Entries up to here were written before the chain was keyed and keep their unkeyed hash.
  const legacyUntil = heads.find((head) => head.source === 'keyed_from')?.seq ?? 0;

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
  const seen = new Map<number, string>();
  for (const row of rows) {
    const fields: ChainFields = {
      seq: row.seq,
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      referralId: row.referral_id,
      officeId: row.office_id,
      targetStaffId: row.target_staff_id,
      detail: row.detail,
      prevHash: row.prev_hash,
    };
    const hash = row.seq <= legacyUntil ? auditEntryHash(fields) : auditEntryMac(chainKey.key, fields);
    const broken = (problem: string): AuditChainCheck => ({ ok: false, entries, brokenAtSeq: row.seq, problem });
    if (row.seq !== expectedSeq) {
      return {
        ok: false,
        entries,
        brokenAtSeq: expectedSeq,
        problem: `Entry ${expectedSeq} is missing: the trail jumps from entry ${expectedSeq - 1} to entry ${row.seq}.`,
      };
    }
    if (row.prev_hash !== expectedPrev) {
      return broken(
        `Entry ${row.seq} does not link to entry ${row.seq - 1}: an entry before it was removed or changed.`,
      );
    }
    if (row.hash !== hash) {
      return broken(
        `Entry ${row.seq} does not match its keyed hash: it was changed, or its hash was recomputed without the key.`,
      );
    }
    seen.set(row.seq, row.hash);
    expectedPrev = row.hash;
    expectedSeq += 1;
    entries += 1;
  }
  const recorded: ExternalAuditHead[] = [
    ...heads.map((head) => ({ source: head.source, seq: head.seq, hash: head.hash })),
    ...(options.externalHeads ?? []),
  ];
  for (const head of recorded) {
    if (head.seq === 0) continue;
    const hash = seen.get(head.seq);
    if (hash === undefined) {
      return {
        ok: false,
        entries,
        brokenAtSeq: entries + 1,
        problem: `The trail ends at entry ${entries}, but ${describeSource(head.source)} recorded entry ${head.seq} as the newest: entries ${entries + 1} to ${head.seq} were removed.`,
      };
    }
    if (hash !== head.hash) {
      return {
        ok: false,
        entries,
        brokenAtSeq: head.seq,
        problem: `Entry ${head.seq} is not the entry ${describeSource(head.source)} recorded: the trail was rewritten from there.`,
      };
    }
  }
  return {
    ok: true,
    entries,
    head: entries ? { seq: expectedSeq - 1, hash: expectedPrev } : { seq: 0, hash: GENESIS_HASH },
  };
}

function describeSource(source: string): string {
  if (source === 'backup') return 'a backup';
  if (source === 'daily') return 'the daily check';
  if (source === 'keyed_from') return 'the switch to the keyed chain';
  return source;
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
