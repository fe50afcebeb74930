import { rotatableColumns, type EncryptedColumn } from '../referrals/key-rotation.ts';

/** Every encrypted column a restore must be able to decrypt: the same list key rotation keeps complete. */
export function encryptedColumns(): readonly EncryptedColumn[] {
  return rotatableColumns;
}
