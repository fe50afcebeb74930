import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { referralNameParts } from '../../db/schema/name-search.ts';
import { nameSearchHash, namePartHashes, searchHashKeyId, type Keyring } from '../security/field-encryption.ts';
import { decryptAnswers } from './store.ts';

type Writer = Pick<BetterSQLite3Database<Record<string, unknown>>, 'insert'>;

/**
 * Writes the keyed hash of each word of his name (referral_name_parts), in the caller's transaction, so the
 * inbox can find him by one name (server/backoffice/casework/inbox.ts nameMatch). Nothing is in clear.
 */
export function writeNameParts(tx: Writer, keyring: Keyring, referralId: string, name: string): void {
  const rows = namePartHashes(keyring, name).map((partHash) => ({ referralId, partHash }));
  if (rows.length > 0) tx.insert(referralNameParts).values(rows).onConflictDoNothing().run();
}

/**
 * Rewrites the name search values (the whole-name hash and the word hashes) of every referral whose values
 * were not made with the current key: `which: 'not-current'` (key rotation), or only those from before key
 * ids were recorded and word hashes existed (`'unlabelled'`, done once at start after upgrading).
 * Runs in the caller's transaction when there is one. Returns how many referrals were rewritten; 0 when
 * run again.
 */
export function reindexNameSearch(
  sqlite: Database.Database,
  keyring: Keyring,
  which: 'not-current' | 'unlabelled',
): number {
  const rows = sqlite
    .prepare(
      which === 'unlabelled'
        ? "SELECT id, answers_enc AS answers, name_search_hash AS hash FROM referrals WHERE instr(name_search_hash, ':') = 0"
        : 'SELECT id, answers_enc AS answers, name_search_hash AS hash FROM referrals',
    )
    .all() as Array<{ id: string; answers: string; hash: string }>;
  const setHash = sqlite.prepare('UPDATE referrals SET name_search_hash = ? WHERE id = ?');
  const dropParts = sqlite.prepare('DELETE FROM referral_name_parts WHERE referral_id = ?');
  const addPart = sqlite.prepare('INSERT OR IGNORE INTO referral_name_parts (referral_id, part_hash) VALUES (?, ?)');
  let rewritten = 0;
  const run = sqlite.transaction(() => {
    for (const row of rows) {
      if (searchHashKeyId(row.hash) === keyring.currentKeyId) continue;
      const name = decryptAnswers(keyring, row.id, row.answers).name;
      if (typeof name !== 'string') continue;
      setHash.run(nameSearchHash(keyring, name), row.id);
      dropParts.run(row.id);
      for (const part of namePartHashes(keyring, name)) addPart.run(row.id, part);
      rewritten += 1;
    }
  });
  // Nested inside an open transaction better-sqlite3 uses a savepoint, so this joins the caller's.
  run();
  return rewritten;
}
