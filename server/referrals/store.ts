import { eq } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { referrals, type ReferralRow } from '../../db/schema/referrals.ts';
import {
  decryptJson,
  encryptJson,
  FieldDecryptionError,
  type FieldDecryptionFailure,
  type Keyring,
} from '../security/field-encryption.ts';
import type { ContactDeadline } from '../scheduling/deadline.ts';
import type { TriageResult } from '../triage/types.ts';
import type { ReferralAnswers } from './questions.ts';

/** A drizzle transaction on the app's database (what `db.transaction(tx => ...)` passes in). */
export type PortalTransaction = Parameters<Parameters<PortalDb['transaction']>[0]>[0];

export const answersAad = (referralId: string) => `referral:${referralId}:answers`;
export const triageAad = (referralId: string) => `referral:${referralId}:triage`;

/** The encrypted columns of `referrals` and their AAD, for writing, reading and key rotation. */
export const referralEncryptedColumns = [
  { column: 'answers_enc', aad: answersAad },
  { column: 'triage_enc', aad: triageAad },
] as const;

/** What is stored (encrypted) about how triage decided the priority and the deadline. */
export interface StoredTriage {
  result: TriageResult;
  deadline: { contactBy: string; cappedByTriggerDate: boolean; notes: ContactDeadline['notes'] };
}

interface AnswersPayload {
  v: 1;
  answers: ReferralAnswers;
}

interface TriagePayload extends StoredTriage {
  v: 1;
}

export function encryptAnswers(keyring: Keyring, referralId: string, answers: ReferralAnswers): string {
  return encryptJson(keyring, { v: 1, answers } satisfies AnswersPayload, answersAad(referralId));
}

export function encryptTriage(keyring: Keyring, referralId: string, triage: StoredTriage): string {
  return encryptJson(keyring, { v: 1, ...triage } satisfies TriagePayload, triageAad(referralId));
}

/**
 * A stored referral whose encrypted data could not be read: altered in the database, moved from another row,
 * or written under a key that is no longer in DATA_KEY. Never show anything from such a record as if it were
 * valid. Carries the record id (not personal) so staff can report it; no plaintext, no key material.
 */
export class ReferralDataTamperedError extends Error {
  readonly referralId: string;
  readonly field: 'answers' | 'triage';
  readonly reason: FieldDecryptionFailure | 'unexpected-shape';

  constructor(referralId: string, field: 'answers' | 'triage', reason: FieldDecryptionFailure | 'unexpected-shape') {
    super(
      reason === 'unknown-key'
        ? `Referral ${referralId}: its ${field} were encrypted with a key that is not in DATA_KEY.`
        : `Referral ${referralId}: its ${field} failed the integrity check and cannot be shown. They may have been altered.`,
    );
    this.name = 'ReferralDataTamperedError';
    this.referralId = referralId;
    this.field = field;
    this.reason = reason;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decryptAnswers(keyring: Keyring, referralId: string, token: string): Partial<ReferralAnswers> {
  let payload: unknown;
  try {
    payload = decryptJson(keyring, token, answersAad(referralId));
  } catch (error) {
    if (error instanceof FieldDecryptionError) throw new ReferralDataTamperedError(referralId, 'answers', error.reason);
    throw error;
  }
  if (!isObject(payload) || payload.v !== 1 || !isObject(payload.answers)) {
    throw new ReferralDataTamperedError(referralId, 'answers', 'unexpected-shape');
  }
  // Older referrals may lack questions added since: everything is optional when read back.
  return payload.answers as Partial<ReferralAnswers>;
}

export function decryptTriage(keyring: Keyring, referralId: string, token: string): StoredTriage {
  let payload: unknown;
  try {
    payload = decryptJson(keyring, token, triageAad(referralId));
  } catch (error) {
    if (error instanceof FieldDecryptionError) throw new ReferralDataTamperedError(referralId, 'triage', error.reason);
    throw error;
  }
  if (!isObject(payload) || payload.v !== 1 || !isObject(payload.result) || !isObject(payload.deadline)) {
    throw new ReferralDataTamperedError(referralId, 'triage', 'unexpected-shape');
  }
  return { result: payload.result as unknown as TriageResult, deadline: payload.deadline as StoredTriage['deadline'] };
}

/** The queryable columns of a referral (the encrypted ones left out). */
export type ReferralSummary = Omit<ReferralRow, 'answersEnc' | 'triageEnc' | 'idempotencyKey'>;

export interface LoadedReferral {
  referral: ReferralSummary;
  /** His answers, decrypted. Personal data: never log them or put them in an email. */
  answers: Partial<ReferralAnswers>;
  triage: StoredTriage;
}

function summaryOf(row: ReferralRow): ReferralSummary {
  const { answersEnc: _a, triageEnc: _t, idempotencyKey: _i, ...summary } = row;
  return summary;
}

/**
 * Reads one referral and decrypts its answers and triage. Null when there is no such referral; throws
 * `ReferralDataTamperedError` when the stored data fails its integrity check.
 */
export function loadReferralAnswers(db: PortalDb, keyring: Keyring, referralId: string): LoadedReferral | null {
  const row = db.select().from(referrals).where(eq(referrals.id, referralId)).get();
  if (!row) return null;
  return {
    referral: summaryOf(row),
    answers: decryptAnswers(keyring, row.id, row.answersEnc),
    triage: decryptTriage(keyring, row.id, row.triageEnc),
  };
}

/** The answers kept in clear on the referral row, for routing and reports (the rest are only in `answers_enc`). */
export function routingColumns(answers: ReferralAnswers) {
  return {
    officePreference: answers.office,
    nation: answers.nation,
    stage: answers.stage,
    source: answers.heardFrom ?? null,
    meetPreference: answers.meetPreference,
  };
}
