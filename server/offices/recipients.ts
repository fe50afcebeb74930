import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { alertRecipients } from '../../db/schema/alerts.ts';
import { offices } from '../../db/schema/offices.ts';
import { RECIPIENT_LISTS, type RecipientList } from './config.ts';
import type { SqliteDb } from './db.ts';
import { OfficeSettingsError } from './errors.ts';

export type { RecipientList } from './config.ts';
export { RECIPIENT_LISTS } from './config.ts';

export type OfficeRecipients = Record<RecipientList, string[]>;

const emailSchema = z.email();

function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!emailSchema.safeParse(trimmed).success)
    throw new OfficeSettingsError(`"${email.trim()}" is not an email address.`);
  return trimmed;
}

function requireOffice(db: SqliteDb, officeId: string): void {
  if (!db.select({ id: offices.id }).from(offices).where(eq(offices.id, officeId)).get()) {
    throw new OfficeSettingsError(`There is no office "${officeId}".`);
  }
}

/** Every list of an office, each sorted; lists with nobody on them are empty arrays. */
export function listRecipients(db: SqliteDb, officeId: string): OfficeRecipients {
  const result: OfficeRecipients = { triage: [], duty: [], managers: [] };
  const rows = db
    .select({ list: alertRecipients.list, email: alertRecipients.email })
    .from(alertRecipients)
    .where(eq(alertRecipients.officeId, officeId))
    .orderBy(asc(alertRecipients.email))
    .all();
  for (const row of rows) result[row.list].push(row.email);
  return result;
}

/**
 * Replaces one list. The triage list can never be emptied: it is where new-referral alerts go, and
 * where every other alert falls back to when its own list is empty.
 */
export function setRecipients(
  db: SqliteDb,
  officeId: string,
  list: RecipientList,
  emails: string[],
  now: Date,
): string[] {
  requireOffice(db, officeId);
  if (!RECIPIENT_LISTS.includes(list)) throw new OfficeSettingsError(`There is no recipient list "${list}".`);
  const normalised = [...new Set(emails.filter((email) => email.trim() !== '').map(normaliseEmail))].sort();
  if (list === 'triage' && normalised.length === 0) {
    throw new OfficeSettingsError('An office needs at least one triage address, or new referrals would alert nobody.');
  }
  // No list can be emptied: an empty managers list would send escalations to the triage list while the
  // caseworker is told "managers have been emailed".
  if (normalised.length === 0) {
    throw new OfficeSettingsError(
      `The ${list} list needs at least one address. Add the new address before removing the last one.`,
    );
  }
  db.transaction((tx) => {
    tx.delete(alertRecipients)
      .where(and(eq(alertRecipients.officeId, officeId), eq(alertRecipients.list, list)))
      .run();
    for (const email of normalised) tx.insert(alertRecipients).values({ officeId, list, email, createdAt: now }).run();
  });
  return normalised;
}

/**
 * Who to tell, with fallbacks so no alert is ever addressed to nobody: an empty duty or managers list falls
 * back to the office's triage list, and an office with no triage list (an unknown office) to every office's.
 */
export function alertAddressesFor(db: SqliteDb, officeId: string, lists: RecipientList[]): string[] {
  const recipients = listRecipients(db, officeId);
  const chosen = new Set<string>();
  for (const list of lists) {
    const addresses = recipients[list].length > 0 ? recipients[list] : recipients.triage;
    for (const address of addresses) chosen.add(address);
  }
  if (chosen.size === 0) {
    const everyTriageAddress = db
      .select({ email: alertRecipients.email })
      .from(alertRecipients)
      .where(eq(alertRecipients.list, 'triage'))
      .all();
    for (const row of everyTriageAddress) chosen.add(row.email);
  }
  return [...chosen].sort();
}
