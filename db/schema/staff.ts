import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';
import { offices } from './offices.ts';

/**
 * A member of staff: the identity every other table refers to, plus what signing in needs.
 * Nobody is ever deleted (audit entries keep pointing at them): people leave by being disabled.
 */
export const staffUsers = sqliteTable('staff_users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'manager', 'caseworker'] }).notNull(),
  status: text('status', { enum: ['invited', 'active', 'disabled'] })
    .notNull()
    .default('invited'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Self-describing scrypt hash (`scrypt$17$8$1$salt$hash`), null until enrolment sets a password. */
  passwordHash: text('password_hash'),
  /** The authenticator secret, encrypted (AAD `staff:<id>:totp`). Set while enrolling, confirmed by a first code. */
  totpSecretEnc: text('totp_secret_enc'),
  totpConfirmedAt: integer('totp_confirmed_at', { mode: 'timestamp_ms' }),
  /** The 30-second step of the last accepted code: that code, and any earlier one, is refused (no replay). */
  totpLastStep: integer('totp_last_step'),
  /** SHA-256 of the one-time enrolment link's token; the token itself is only ever printed once. */
  enrolmentTokenHash: text('enrolment_token_hash').unique(),
  enrolmentExpiresAt: integer('enrolment_expires_at', { mode: 'timestamp_ms' }),
  enrolledAt: integer('enrolled_at', { mode: 'timestamp_ms' }),
  disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
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
