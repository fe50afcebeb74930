import { and, eq, gte } from 'drizzle-orm';
import { alertRecipients } from '../../db/schema/alerts.ts';
import { offices } from '../../db/schema/offices.ts';
import { outboxMessages } from '../../db/schema/outbox.ts';
import type { PortalDb } from '../../db/client.ts';
import { decryptJson, type Keyring } from '../security/field-encryption.ts';
import { recipientsAad } from '../mail/outbox.ts';
import { RECIPIENT_LISTS, type RecipientList } from '../offices/recipients.ts';

/**
 * Alert recipient lists that would let an alert reach nobody: an empty list, a placeholder address
 * (example.org and the other reserved names never deliver), or an address whose mail has failed lately.
 * Shown on the office screen and on the admin's start page.
 */

export interface RecipientWarning {
  officeId: string;
  officeName: string;
  list: RecipientList;
  email: string | null;
  problem: 'empty_list' | 'placeholder' | 'undeliverable';
  text: string;
}

const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|org|net)|example|test|invalid|localhost|local)$/i;

export function isPlaceholderAddress(email: string): boolean {
  const domain = email.split('@')[1] ?? '';
  return PLACEHOLDER_DOMAIN.test(domain);
}

const FAILED_LOOKBACK_MS = 30 * 86_400_000;

export function recipientWarnings(
  db: PortalDb,
  keyring: Keyring,
  now: Date,
  officeIds?: readonly string[],
): RecipientWarning[] {
  const officeRows = db.select({ id: offices.id, name: offices.name }).from(offices).all();
  const failed = new Set<string>();
  for (const row of db
    .select({ id: outboxMessages.id, recipientsEnc: outboxMessages.recipientsEnc })
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.status, 'failed'),
        gte(outboxMessages.createdAt, new Date(now.getTime() - FAILED_LOOKBACK_MS)),
      ),
    )
    .all()) {
    try {
      for (const email of decryptJson(keyring, row.recipientsEnc, recipientsAad(row.id)) as string[]) failed.add(email);
    } catch {
      // A message we cannot read tells us nothing about an address.
    }
  }
  const warnings: RecipientWarning[] = [];
  for (const office of officeRows) {
    if (officeIds && !officeIds.includes(office.id)) continue;
    const rows = db
      .select({ list: alertRecipients.list, email: alertRecipients.email })
      .from(alertRecipients)
      .where(eq(alertRecipients.officeId, office.id))
      .all();
    for (const list of RECIPIENT_LISTS) {
      const emails = rows.filter((row) => row.list === list).map((row) => row.email);
      if (emails.length === 0)
        warnings.push({
          officeId: office.id,
          officeName: office.name,
          list,
          email: null,
          problem: 'empty_list',
          text: `The ${list} list of ${office.name} is empty: its alerts go to the triage list instead.`,
        });
      for (const email of emails) {
        if (isPlaceholderAddress(email))
          warnings.push({
            officeId: office.id,
            officeName: office.name,
            list,
            email,
            problem: 'placeholder',
            text: `${email} on the ${list} list of ${office.name} is a placeholder address: mail to it is never delivered.`,
          });
        else if (failed.has(email))
          warnings.push({
            officeId: office.id,
            officeName: office.name,
            list,
            email,
            problem: 'undeliverable',
            text: `Mail to ${email} on the ${list} list of ${office.name} has failed: check the address.`,
          });
      }
    }
  }
  return warnings;
}
