import { inArray } from 'drizzle-orm';
import { contactMatchHashes } from '../../db/schema/lifecycle.ts';
import type { PortalDb } from '../../db/client.ts';
import type { DbWriter } from '../../db/writer.ts';
import { deriveSubkey, keyedHash, type Keyring } from '../security/field-encryption.ts';

/**
 * A returning person: a new referral whose phone number or email address matches one we still hold. Only keyed
 * hashes of the normalised values are stored (with the id of the DATA_KEY entry the key came from), and they are
 * deleted with their referral, so nothing ever links to a deleted referral.
 */

export function normalisePhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.startsWith('44')) return `0${digits.slice(2)}`;
  return digits;
}

export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function contactHash(keyring: Keyring, kind: 'phone' | 'email', value: string): string {
  const normalised = kind === 'phone' ? normalisePhone(value) : normaliseEmail(value);
  return keyedHash(deriveSubkey(keyring, 'returning-person'), `${kind}:${normalised}`);
}

/** Stores the hashes for a new referral (inside its transaction). */
export function recordContactHashes(
  tx: DbWriter,
  keyring: Keyring,
  referralId: string,
  answers: { phone?: string | undefined; email?: string | undefined },
): void {
  const values: Array<typeof contactMatchHashes.$inferInsert> = [];
  for (const kind of ['phone', 'email'] as const) {
    const value = answers[kind];
    if (typeof value === 'string' && value.trim() !== '') {
      values.push({ referralId, kind, hash: contactHash(keyring, kind, value), keyId: keyring.derivationKeyId });
    }
  }
  if (values.length) tx.insert(contactMatchHashes).values(values).run();
}

export interface LinkedReferral {
  id: string;
  reference: string;
  receivedAt: Date;
  status: string;
  officeId: string;
  /** Which details matched. */
  matchedOn: Array<'phone' | 'email'>;
}

/** Other referrals (still held) with the same phone or email as this one, oldest first. */
export function linkedReferrals(db: PortalDb, referralId: string): LinkedReferral[] {
  const rows = db.$client
    .prepare(
      `SELECT r.id, r.reference, r.received_at, r.status, r.office_id, a.kind
         FROM contact_match_hashes a
         JOIN contact_match_hashes b ON b.hash = a.hash AND b.kind = a.kind AND b.referral_id <> a.referral_id
         JOIN referrals r ON r.id = b.referral_id
        WHERE a.referral_id = ?
        ORDER BY r.received_at`,
    )
    .all(referralId) as Array<{
    id: string;
    reference: string;
    received_at: number;
    status: string;
    office_id: string;
    kind: 'phone' | 'email';
  }>;
  const byId = new Map<string, LinkedReferral>();
  for (const row of rows) {
    const existing = byId.get(row.id);
    if (existing) {
      if (!existing.matchedOn.includes(row.kind)) existing.matchedOn.push(row.kind);
    } else {
      byId.set(row.id, {
        id: row.id,
        reference: row.reference,
        receivedAt: new Date(row.received_at),
        status: row.status,
        officeId: row.office_id,
        matchedOn: [row.kind],
      });
    }
  }
  return [...byId.values()];
}

/** Of these referrals, the ones that match another referral still held (for the inbox). */
export function returningReferralIds(db: PortalDb, referralIds: readonly string[]): Set<string> {
  if (referralIds.length === 0) return new Set();
  const ours = db
    .select({ referralId: contactMatchHashes.referralId, hash: contactMatchHashes.hash })
    .from(contactMatchHashes)
    .where(inArray(contactMatchHashes.referralId, [...referralIds]))
    .all();
  if (ours.length === 0) return new Set();
  const hashes = [...new Set(ours.map((row) => row.hash))];
  const all = db
    .select({ referralId: contactMatchHashes.referralId, hash: contactMatchHashes.hash })
    .from(contactMatchHashes)
    .where(inArray(contactMatchHashes.hash, hashes))
    .all();
  const holders = new Map<string, Set<string>>();
  for (const row of all) {
    const set = holders.get(row.hash) ?? new Set<string>();
    set.add(row.referralId);
    holders.set(row.hash, set);
  }
  return new Set(ours.filter((row) => (holders.get(row.hash)?.size ?? 0) > 1).map((row) => row.referralId));
}
