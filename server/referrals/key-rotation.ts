import type Database from 'better-sqlite3';
import { bodyAad, recipientsAad } from '../mail/outbox.ts';
import {
  decryptField,
  encryptField,
  FieldDecryptionError,
  needsRotation,
  type Keyring,
} from '../security/field-encryption.ts';
import { totpSecretAad } from '../auth/sign-in.ts';
import { casenoteAad } from '../casework/types.ts';
import { answersAad, triageAad } from './store.ts';
import { reindexNameSearch } from './name-index.ts';
import { legalHoldAad } from '../retention/aad.ts';
import { feedbackCommentAad } from '../feedback/feedback.ts';
import { formDraftAad } from '../auth/form-drafts.ts';

/** One encrypted column: which table, which row id column, and the AAD each value was encrypted with. */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  aad: (id: string) => string;
}

/**
 * Every encrypted column `npm run keys:rotate` re-encrypts, each with the AAD function its own code uses, so
 * that after one rotation the old key can be removed without losing anything. A test fails when a table
 * gains a `*_enc` column that is not listed here (or in `notRotated`).
 */
export const rotatableColumns: readonly EncryptedColumn[] = [
  { table: 'referrals', idColumn: 'id', column: 'answers_enc', aad: answersAad },
  { table: 'referrals', idColumn: 'id', column: 'triage_enc', aad: triageAad },
  { table: 'outbox_messages', idColumn: 'id', column: 'recipients_enc', aad: recipientsAad },
  { table: 'outbox_messages', idColumn: 'id', column: 'body_enc', aad: bodyAad },
  { table: 'staff_users', idColumn: 'id', column: 'totp_secret_enc', aad: totpSecretAad },
  { table: 'case_notes', idColumn: 'id', column: 'body_enc', aad: (id) => casenoteAad('case_notes', id) },
  { table: 'contact_attempts', idColumn: 'id', column: 'note_enc', aad: (id) => casenoteAad('contact_attempts', id) },
  { table: 'appointments', idColumn: 'id', column: 'late_reason_enc', aad: (id) => casenoteAad('appointments', id) },
  {
    table: 'priority_overrides',
    idColumn: 'id',
    column: 'reason_enc',
    aad: (id) => casenoteAad('priority_overrides', id),
  },
  { table: 'legal_holds', idColumn: 'id', column: 'reason_enc', aad: legalHoldAad },
  { table: 'feedback_responses', idColumn: 'id', column: 'comment_enc', aad: feedbackCommentAad },
  { table: 'form_drafts', idColumn: 'staff_id', column: 'draft_enc', aad: formDraftAad },
  {
    table: 'appointments',
    idColumn: 'id',
    column: 'out_of_hours_reason_enc',
    aad: (id) => casenoteAad('appointments:out_of_hours', id),
  },
  {
    table: 'appointments',
    idColumn: 'id',
    column: 'change_reason_enc',
    aad: (id) => casenoteAad('appointments:change', id),
  },
  { table: 'status_changes', idColumn: 'id', column: 'reason_enc', aad: (id) => casenoteAad('status_changes', id) },
  { table: 'escalations', idColumn: 'id', column: 'decision_note_enc', aad: (id) => casenoteAad('escalations', id) },
  {
    table: 'contact_incidents',
    idColumn: 'id',
    column: 'note_enc',
    aad: (id) => casenoteAad('contact_incidents', id),
  },
];

/** Encrypted columns deliberately left out, and why. */
export const notRotated: Readonly<Record<string, string>> = {
  'staff_sessions.flash_enc': 'a one-time message that lives for one redirect; sessions expire within hours',
};

export interface ColumnReport {
  table: string;
  column: string;
  /** Values read and authenticated. */
  checked: number;
  /** Values re-encrypted under the current key (0 on a second run). */
  rotated: number;
}

export interface RotationReport {
  currentKeyId: string;
  columns: ColumnReport[];
  /** Referrals whose name search values (whole name and each word) were rewritten under the current key. */
  nameHashesUpdated: number;
}

/** A value that failed its integrity check stops the rotation: nothing is changed, and the record is named. */
export class RotationIntegrityError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly rowId: string,
    readonly reason: string,
  ) {
    super(
      `${table}.${column} of row ${rowId} failed its integrity check (${reason}); nothing was changed. Investigate that row before rotating.`,
    );
    this.name = 'RotationIntegrityError';
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Re-encrypts every value in `columns` that is not under the keyring's current key, and rewrites the
 * referrals' name search hashes under it, in one transaction: all or nothing. Every value is decrypted first, so
 * tampering is detected rather than re-encrypted. Idempotent: a second run changes nothing.
 */
export function rotateEncryptionKeys(
  sqlite: Database.Database,
  keyring: Keyring,
  columns: readonly EncryptedColumn[] = rotatableColumns,
): RotationReport {
  for (const spec of columns) {
    if (![spec.table, spec.idColumn, spec.column].every((name) => IDENTIFIER.test(name))) {
      throw new TypeError(`Not a plain SQL identifier in ${spec.table}.${spec.column}`);
    }
  }
  const run = sqlite.transaction((): RotationReport => {
    const reports: ColumnReport[] = [];
    for (const spec of columns) {
      const rows = sqlite
        .prepare(
          `SELECT ${spec.idColumn} AS id, ${spec.column} AS value FROM ${spec.table} WHERE ${spec.column} IS NOT NULL`,
        )
        .all() as Array<{ id: string; value: string }>;
      const update = sqlite.prepare(`UPDATE ${spec.table} SET ${spec.column} = ? WHERE ${spec.idColumn} = ?`);
      const report: ColumnReport = { table: spec.table, column: spec.column, checked: 0, rotated: 0 };
      for (const row of rows) {
        const id = String(row.id);
        try {
          // Every value is decrypted, so an altered one fails here instead of being re-encrypted as if valid.
          const plaintext = decryptField(keyring, row.value, spec.aad(id));
          report.checked += 1;
          if (needsRotation(keyring, row.value)) {
            update.run(encryptField(keyring, plaintext, spec.aad(id)), row.id);
            report.rotated += 1;
          }
        } catch (error) {
          if (error instanceof FieldDecryptionError)
            throw new RotationIntegrityError(spec.table, spec.column, id, error.reason);
          throw error;
        }
      }
      reports.push(report);
    }

    // Name search values are rewritten under the current key too, so the old key can be removed afterwards.
    const nameHashesUpdated = reindexNameSearch(sqlite, keyring, 'not-current');
    return { currentKeyId: keyring.currentKeyId, columns: reports, nameHashesUpdated };
  });
  return run.immediate();
}
