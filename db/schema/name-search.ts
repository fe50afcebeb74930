import { sqliteTable, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { referrals } from './referrals.ts';

/**
 * Partial name search without names in clear: one keyed hash per word of his name (`<keyId>:<hmac>`, see
 * namePartHashes), written with the referral, so staff can find "John Smith" by "John" or by "Smith".
 * Deleted with the referral.
 */
export const referralNameParts = sqliteTable(
  'referral_name_parts',
  {
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    partHash: text('part_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.referralId, t.partHash] }), index('referral_name_parts_hash_idx').on(t.partHash)],
);
