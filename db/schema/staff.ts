import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * A member of staff. Sign-in details (password hash, TOTP secret, lockouts) are added by the
 * back-office work; this is the identity every other table refers to.
 */
export const staffUsers = sqliteTable('staff_users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'manager', 'caseworker'] }).notNull(),
  status: text('status', { enum: ['invited', 'active', 'disabled'] }).notNull().default('invited'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Which offices a member of staff works for (a manager or caseworker may cover more than one). */
export const staffOffices = sqliteTable(
  'staff_offices',
  {
    staffId: text('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    officeId: text('office_id')
      .notNull()
      .references(() => offices.id),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.officeId] }), index('staff_offices_office_idx').on(t.officeId)],
);
