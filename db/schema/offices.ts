import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** An office that receives referrals. Its nation decides which bank holidays apply to its working calendar. */
export const offices = sqliteTable('offices', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nation: text('nation', { enum: ['england-and-wales', 'scotland', 'northern-ireland'] }).notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
